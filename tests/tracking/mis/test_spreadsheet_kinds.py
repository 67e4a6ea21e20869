"""Each kind of spreadsheet import: staff by staff code, parents by pupil, classes and their members,
FFT estimates as targets, historical grades on each subject's scale. Re-importing changes nothing."""

import pytest

from tests import factories as f
from tracking.mis.kinds import spreadsheet_import
from tracking.models import (
    AuditEvent,
    GradeEntry,
    Guardian,
    GuardianLink,
    ImportStatus,
    Staff,
    Target,
    TeachingGroup,
)

pytestmark = pytest.mark.django_db

UPNS = ("A801200005010", "P801200005011")


@pytest.fixture
def pupils(world):
    """world.child and world.classmate with real DfE UPNs (the factories' are placeholders)."""
    for pupil, upn in zip((world.child, world.classmate), UPNS, strict=True):
        pupil.upn = upn
        pupil.save(update_fields=["upn"])
    return world


def run(school, text, kind, *, commit=True, by=None):
    return spreadsheet_import(
        school=school, kind=kind, raw=text.encode(), file_name=f"{kind}.csv", by=by, commit=commit
    )


def twice(school, text, kind):
    first = run(school, text, kind)
    assert first.status == ImportStatus.COMMITTED, first.problems
    again = run(school, text, kind)
    assert (again.created, again.updated) == (0, 0), again.changes
    return first, again


# -- staff ----------------------------------------------------------------------------------------

STAFF = (
    "Staff Code,Title,Forename,Surname,Work Email\n"
    "JSM,Ms,Jo,Smith,jo.smith@school.example\nAKH,Mr,Ali,Khan,\n"
)


def test_staff_are_created_by_code_without_a_password_and_reimport_changes_nothing(world):
    first, again = twice(world.school, STAFF, "staff")
    assert (first.created, again.unchanged) == (2, 2)
    jo = Staff.objects.get(school=world.school, code="JSM")
    assert (jo.title, jo.user.email, jo.user.school, jo.initials) == (
        "Ms",
        "jo.smith@school.example",
        world.school,
        "JS",
    )
    assert not jo.user.has_usable_password()
    assert AuditEvent.objects.filter(action="tracking.staff.imported").count() == 2


def test_staff_already_here_without_a_code_are_matched_by_email_and_given_it(world):
    world.teacher.user.email = "jo.smith@school.example"
    world.teacher.user.save()
    job = run(world.school, STAFF, "staff")
    assert (job.created, job.updated) == (1, 1)
    world.teacher.refresh_from_db()
    assert world.teacher.code == "JSM"
    assert world.teacher.user.first_name == "Jo"


def test_bad_staff_rows_save_nothing(world):
    job = run(world.school, STAFF + "JSM,Dr,Jo,Again,not-an-email\n", "staff")
    assert job.status == ImportStatus.REJECTED
    assert job.problems == [
        ["Line 4", "staff code JSM appears twice (also line 2)"],
        ["Line 4", "'not-an-email' is not an email address"],
    ]
    assert not Staff.objects.filter(code="JSM").exists()


# -- parents and carers ---------------------------------------------------------------------------


def test_parents_are_linked_once_and_a_parent_of_two_is_one_person(pupils):
    text = (
        "UPN,Contact Forename,Contact Surname,Email,Relationship,Parental Responsibility\n"
        f"{UPNS[0]},Bo,Lamb,bo@example.org,Mother,Y\n"
        f"{UPNS[1]},Bo,Lamb,bo@example.org,Mother,Yes\n"
        f"{UPNS[1]},Cal,Ash,,Uncle,N\n"
    )
    first, again = twice(pupils.school, text, "guardians")
    assert (first.created, first.guardians_created, again.unchanged) == (2, 1, 2)
    bo = Guardian.objects.get(user__email="bo@example.org")
    assert set(bo.pupils.all()) == {pupils.child, pupils.classmate}
    assert GuardianLink.objects.get(guardian=bo, pupil=pupils.child).relationship == "Mother"
    assert "Cal Ash has no parental responsibility (kept out)" in first.notes[0]


def test_a_parent_of_an_unknown_pupil_is_a_problem(pupils):
    job = run(pupils.school, "UPN,Forename,Surname\nB801200005001,Bo,Lamb\n", "guardians")
    assert job.problems == [["Line 2", "no pupil with UPN B801200005001 is on the roll"]]


# -- classes --------------------------------------------------------------------------------------


def test_classes_are_made_with_their_pupils_and_teachers_and_reimport_changes_nothing(pupils):
    w = pupils
    w.teacher.code = "JSM"
    w.teacher.save()
    text = f"Class,Subject,UPN,Teacher\n11Ma9,MA,{UPNS[0]},JSM\n11Ma9,MA,{UPNS[1]},JSM\n11Ma1,MA,{UPNS[1]},\n"
    first, again = twice(w.school, text, "groups")
    assert (first.created, first.updated, again.unchanged) == (1, 0, 2)  # classmate is already in 11Ma1
    group = TeachingGroup.objects.get(name="11Ma9")
    assert (group.subject, group.year_group, group.academic_year) == (w.maths, w.y11, w.year)
    assert set(group.pupils.all()) == {w.child, w.classmate}
    assert list(group.teachers.all()) == [w.teacher]


def test_a_class_of_another_subject_or_an_unknown_code_is_a_problem(pupils):
    text = f"Class,Subject,UPN,Teacher\n11Ma1,EN,{UPNS[0]},\n11Zz1,ZZ,{UPNS[0]},NOPE\n"
    job = run(pupils.school, text, "groups")
    assert job.problems == [
        ["Line 2", "class 11Ma1 is a MA class, not EN"],
        ["Line 3", "no subject has the code 'ZZ'"],
        ["Line 3", "no member of staff has the code 'NOPE'"],
    ]


# -- FFT estimates --------------------------------------------------------------------------------


def test_fft_estimates_become_proposed_targets_and_unknown_grades_are_refused(pupils):
    w = pupils
    bad = run(w.school, f"UPN,Subject,Estimate,Type\n{UPNS[0]},MA,Q,FFT20\n{UPNS[1]},MA,6,FFT99\n", "fft")
    assert bad.status == ImportStatus.REJECTED
    assert bad.problems[0][0] == "Line 2" and "'Q' is not a grade on the" in bad.problems[0][1]
    assert bad.problems[1] == ["Line 3", "FFT type 'FFT99' is not one of FFT5, FFT20, FFT50, FFT Type D"]
    text = f"UPN,Subject,Estimate,Type\n{UPNS[0]},MA,7,FFT20\n{UPNS[1]},EN,5,FFT20\n"
    first, again = twice(w.school, text, "fft")
    assert (first.created, again.unchanged) == (2, 2)
    target = Target.objects.get(pupil=w.child, subject=w.maths)
    assert (target.grade.code, target.source, target.source_detail, target.status) == (
        "7",
        "fft",
        "FFT20",
        "proposed",
    )
    assert AuditEvent.objects.filter(action="tracking.target.generated", pupil=w.child).exists()


# -- historical grades ----------------------------------------------------------------------------


def test_historical_grades_are_checked_against_the_scale_and_audited(pupils):
    w = pupils
    bad = run(w.school, f"UPN,Subject,Point,Current\n{UPNS[0]},MA,{w.point.name},11\n", "grades")
    assert bad.status == ImportStatus.REJECTED
    assert "current grade: '11' is not a grade on the" in bad.problems[0][1]
    text = f"UPN,Subject,Point,Current,Predicted,Effort\n{UPNS[0]},MA,{w.point.name},5,6,2\n"
    first, again = twice(w.school, text, "grades")
    entry = GradeEntry.objects.get(pupil=w.child, subject=w.maths, point=w.point)
    assert (entry.current.code, entry.predicted.code, entry.effort) == ("5", "6", 2)
    assert again.unchanged == 1
    changed = run(w.school, text.replace(",5,6,2", ",6,6,2"), "grades", by=w.data_manager.user)
    assert (changed.updated, changed.changes[0]["fields"]) == (1, {"Current": ["5", "6"]})
    event = AuditEvent.objects.get(action="tracking.grade.changed", pupil=w.child)
    assert (event.before["current"], event.after["current"], event.via) == ("5", "6", "grades import")


def test_a_point_name_used_in_two_years_needs_the_academic_year(pupils):
    w = pupils
    older = f.AcademicYearFactory(school=w.school, name="2025/26", is_current=False)
    f.AssessmentPointFactory(school=w.school, academic_year=older, year_group=w.y11, name=w.point.name)
    job = run(w.school, f"UPN,Subject,Point,Current\n{UPNS[0]},MA,{w.point.name},5\n", "grades")
    assert "add an academic year column" in job.problems[0][1]
    job = run(
        w.school,
        f"UPN,Subject,Point,Academic year,Current\n{UPNS[0]},MA,{w.point.name},2026/27,5\n",
        "grades",
    )
    assert job.status == ImportStatus.COMMITTED, job.problems


def test_a_grades_file_without_any_grade_column_asks_for_one(pupils):
    job = run(pupils.school, f"UPN,Subject,Point\n{UPNS[0]},MA,X\n", "grades")
    assert job.problems == [
        ["Columns", "choose the column that holds the current grade, predicted grade or effort"]
    ]
