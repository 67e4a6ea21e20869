import pytest

from tests import factories as f
from tracking.lib.grading import ScaleLookup, UnknownGrade, normalise
from tracking.lib.upn import is_valid, make_upn
from tracking.models import GradeScale


@pytest.mark.parametrize("typed,expected", [(" 6 ", "6"), ("a*", "A*"), ("5\u2212", "5-"), ("d *", "D*")])
def test_normalise_reads_what_teachers_type(typed, expected):
    assert normalise(typed) == expected


@pytest.mark.django_db
def test_gcse_lookup_accepts_sub_grades_and_rejects_others_with_the_allowed_list():
    school = f.SchoolFactory()
    scale = GradeScale.objects.get(school=school, code="gcse")
    lookup = ScaleLookup(scale, scale.values.all())
    assert lookup.parse("5+").code == "5+"
    assert lookup.parse(" 7 ").code == "7"
    assert lookup.parse("") is None
    with pytest.raises(UnknownGrade) as error:
        lookup.parse("10")
    assert "9+" in str(error.value) and "U" in str(error.value)


@pytest.mark.django_db
def test_btec_lookup_reads_the_spelled_out_grades():
    school = f.SchoolFactory()
    scale = GradeScale.objects.get(school=school, code="btec")
    assert ScaleLookup(scale, scale.values.all()).parse("distinction*").code == "D*"


def test_generated_upns_pass_the_dfe_check_letter_and_a_changed_digit_fails():
    upn = make_upn(873, 4123, 19, 42)
    assert is_valid(upn)
    broken = upn[:5] + str((int(upn[5]) + 1) % 10) + upn[6:]
    assert not is_valid(broken)
