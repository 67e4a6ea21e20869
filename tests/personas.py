"""A small school with one person in every role, shared by the whole suite.

`school_world` builds it: a Year 11 maths group taught by `teacher` (with `child` in it), another
maths group taught by `other_teacher` (with `other_child`), an English group, a form 11A tutored by
`tutor`, a mentor mentoring `child`, and parents for each child. Tests ask for the persona they need.
"""

from types import SimpleNamespace

import pytest

from tracking.models import Role

from . import factories as f


def build_world(name="Riverside"):
    school = f.SchoolFactory(name=name)
    year = f.AcademicYearFactory(school=school)
    y11 = f.YearGroupFactory(school=school, number=11)
    maths_dept = f.DepartmentFactory(school=school, name="Mathematics")
    english_dept = f.DepartmentFactory(school=school, name="English")
    maths = f.SubjectFactory(school=school, department=maths_dept, name="Mathematics", code="MA")
    english = f.SubjectFactory(
        school=school,
        department=english_dept,
        name="English Language",
        code="EN",
        category="english_language",
    )
    form = f.FormGroupFactory(school=school, academic_year=year, year_group=y11, name="11A")
    child = f.PupilFactory(
        school=school, year_group=y11, form=form, legal_first_name="Ada", legal_last_name="Lamb"
    )
    classmate = f.PupilFactory(
        school=school, year_group=y11, form=form, legal_first_name="Ben", legal_last_name="Ash"
    )
    other_child = f.PupilFactory(school=school, year_group=y11, legal_first_name="Cy", legal_last_name="Dunn")

    def staff(username, *roles):
        return f.StaffFactory(school=school, user__username=username, user__school=school, roles=list(roles))

    w = SimpleNamespace(school=school, year=year, y11=y11, maths=maths, english=english, form=form)
    w.teacher = staff(f"{name}.teacher", Role.TEACHER)
    w.other_teacher = staff(f"{name}.other", Role.TEACHER)
    w.hod = staff(f"{name}.hod", Role.TEACHER, (Role.HEAD_OF_DEPARTMENT, {"department": maths_dept}))
    w.tutor = staff(f"{name}.tutor", Role.FORM_TUTOR)
    w.hoy = staff(f"{name}.hoy", (Role.HEAD_OF_YEAR, {"year_group": y11}))
    w.mentor = staff(f"{name}.mentor", Role.MENTOR)
    w.senco = staff(f"{name}.senco", Role.SENCO)
    w.slt = staff(f"{name}.slt", Role.SLT)
    w.data_manager = staff(f"{name}.data", Role.DATA_MANAGER)
    form.tutors.add(w.tutor)
    w.child, w.classmate, w.other_child = child, classmate, other_child
    w.group = f.TeachingGroupFactory(
        school=school,
        subject=maths,
        year_group=y11,
        name="11Ma1",
        teachers=[w.teacher],
        pupils=[child, classmate],
    )
    w.other_group = f.TeachingGroupFactory(
        school=school,
        subject=maths,
        year_group=y11,
        name="11Ma2",
        teachers=[w.other_teacher],
        pupils=[other_child],
    )
    w.english_group = f.TeachingGroupFactory(
        school=school,
        subject=english,
        year_group=y11,
        name="11En1",
        teachers=[w.other_teacher],
        pupils=[child, classmate, other_child],
    )
    f.MentorAssignmentFactory(pupil=child, mentor=w.mentor, academic_year=year)
    w.parent = f.GuardianFactory(school=school, user__username=f"{name}.parent", children=[child])
    w.other_parent = f.GuardianFactory(
        school=school, user__username=f"{name}.parent2", children=[other_child]
    )
    w.point = f.AssessmentPointFactory(school=school, academic_year=year, year_group=y11, name="Y11 Autumn 2")
    return w


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def other_world(db):
    """A second school in the same installation: nothing of it may leak into `world`."""
    return build_world("Hillside")


ROLES = ("teacher", "other_teacher", "hod", "tutor", "hoy", "mentor", "senco", "slt", "data_manager")


def user_for(world, persona):
    """The login for a persona name; parents are `parent` / `other_parent`."""
    obj = getattr(world, persona)
    return obj.user


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def sign_in_two_step(client, user):
    """Signed in with the second step done, as the admin always requires."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
