import pytest

from tests import factories as f
from tracking.lib.grading import ABOVE, BELOW, ON, WELL_BELOW, ScaleLookup, UnknownGrade, normalise, progress
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
def test_progress_counts_whole_grades_so_sub_grades_share_a_step():
    school = f.SchoolFactory()
    g = lambda code: f.grade(school, code)  # noqa: E731
    assert progress(g("5-"), g("5")).status == ON
    assert progress(g("6+"), g("5")).status == ABOVE
    assert progress(g("4+"), g("5")) == progress(g("4-"), g("5"))
    assert progress(g("4"), g("5")).status == BELOW
    assert progress(g("3"), g("5")).status == WELL_BELOW and progress(g("3"), g("5")).diff == -2


@pytest.mark.django_db
def test_a_level_and_btec_scales_compare_by_step():
    school = f.SchoolFactory()
    a = lambda code: f.grade(school, code, "alevel")  # noqa: E731
    assert progress(a("C"), a("A")).diff == -2
    scale = GradeScale.objects.get(school=school, code="btec")
    assert ScaleLookup(scale, scale.values.all()).parse("distinction*").code == "D*"


def test_generated_upns_pass_the_dfe_check_letter_and_a_changed_digit_fails():
    upn = make_upn(873, 4123, 19, 42)
    assert is_valid(upn)
    broken = upn[:5] + str((int(upn[5]) + 1) % 10) + upn[6:]
    assert not is_valid(broken)
