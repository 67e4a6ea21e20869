import pytest
from django.core.management import CommandError, call_command

from mentoring.models import MentorAssignment
from tests import factories as f
from tracking.models import AssessmentPoint, GradeEntry, Guardian, Pupil, School, User

DEMO_LOGINS = [
    "slt",
    "datamanager",
    "hod.maths",
    "teacher.maths",
    "teacher.english",
    "tutor.11a",
    "mentor",
    "senco",
    "parent",
    "parent2",
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--pupils", "150", "--seed", "3")
    return School.objects.get(is_demo=True)


def test_demo_has_every_login_with_the_documented_password(demo):
    for username in DEMO_LOGINS:
        assert User.objects.get(username=username).check_password("uplift-demo"), username


def test_demo_parent_has_two_children_in_different_years_one_in_year_11(demo):
    children = list(Guardian.objects.get(user__username="parent").pupils.select_related("year_group"))
    years = sorted(c.year_group.number for c in children)
    assert len(children) == 2 and 11 in years and len(set(years)) == 2
    assert Guardian.objects.get(user__username="parent2").pupils.count() >= 1


def test_demo_has_an_open_window_today_and_history_before(demo):
    from datetime import date

    today = date.today()
    open_now = AssessmentPoint.objects.filter(opens_on__lte=today, closes_on__gte=today, is_locked=False)
    assert open_now.filter(year_group__number=11).exists()
    assert GradeEntry.objects.filter(point__academic_year__is_current=False).count() > 1000
    assert MentorAssignment.objects.filter(mentor__user__username="mentor").count() >= 10


def test_demo_is_deterministic_for_a_seed(db):
    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    first = list(Pupil.objects.order_by("upn").values_list("upn", "legal_first_name", "ks2_maths"))
    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    assert list(Pupil.objects.order_by("upn").values_list("upn", "legal_first_name", "ks2_maths")) == first


def test_demo_refuses_to_touch_a_database_with_a_real_school(db):
    f.SchoolFactory(name="Real school", is_demo=False)
    with pytest.raises(CommandError, match="real school"):
        call_command("seed_demo", "--pupils", "60")
    assert not School.objects.filter(is_demo=True).exists()


def test_demo_grades_are_the_same_for_the_same_seed_across_rebuilds(db):
    from django.db.models import Count

    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    first = (
        GradeEntry.objects.count(),
        list(Pupil.objects.annotate(n=Count("grades")).order_by("upn").values_list("upn", "n")),
    )
    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    again = (
        GradeEntry.objects.count(),
        list(Pupil.objects.annotate(n=Count("grades")).order_by("upn").values_list("upn", "n")),
    )
    assert again == first
