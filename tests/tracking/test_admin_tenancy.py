"""The admin keeps schools apart: a data manager sees and changes only their own school's rows, grades
and targets are read-only, every change is audited, and school staff are never superusers."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from tests import factories as f
from tests.personas import sign_in_two_step
from tracking.models import AuditEvent, GuardianLink, Role, School, StaffRole, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def dm(client, world, other_world):
    """Riverside's data manager, with admin access and the second step done; Hillside exists too."""
    user = world.data_manager.user
    user.is_staff = True
    user.save()
    return sign_in_two_step(client, user)


def form_data(obj, **changes):
    """POST data for an object's admin change form, from its stored values."""
    data = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None:
            data[name] = ""
        elif value is True:
            data[name] = "on"
        elif value is False:
            continue
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def _admin_url(obj, view="change"):
    meta = obj._meta
    args = [obj.pk] if view in ("change", "delete") else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_a_data_manager_lists_only_their_own_schools_pupils(dm, world, other_world):
    page = dm.get(reverse("admin:tracking_pupil_changelist")).content.decode()
    assert _admin_url(world.child) in page
    assert _admin_url(other_world.child) not in page and _admin_url(other_world.other_child) not in page
    # Filters offer only their own school's names.
    i = page.find("Hillside")
    assert i == -1, page[i - 300 : i + 100]


def test_another_schools_pupil_cannot_be_opened_or_changed(dm, world, other_world):
    pupil = other_world.child
    response = dm.get(_admin_url(pupil))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    dm.post(_admin_url(pupil), form_data(pupil, sen_status="E"))
    pupil.refresh_from_db()
    assert pupil.sen_status == "N"


def test_every_admin_list_a_data_manager_opens_holds_only_their_school(dm, world, other_world):
    from django.contrib import admin

    from tracking import permissions

    for model, model_admin in admin.site._registry.items():
        if not permissions.admin_may(world.data_manager.user, model, "view"):
            continue
        request = dm.get(reverse("admin:index")).wsgi_request
        rows = model_admin.get_queryset(request)
        path = permissions.school_path(model)
        assert not rows.exclude(**{f"{path}__in": [world.school.pk]}).exists(), model


def test_choice_lists_offer_only_the_schools_own_rows(dm, world, other_world):
    form = dm.get(reverse("admin:tracking_pupil_change", args=[world.child.pk])).context["adminform"].form
    assert list(form.fields["year_group"].queryset) == [world.y11]
    assert list(form.fields["school"].queryset) == [world.school]
    role_form = dm.get(reverse("admin:tracking_staffrole_add")).context["adminform"].form
    staff = set(role_form.fields["staff"].queryset)
    assert world.teacher in staff and other_world.teacher not in staff


def test_a_data_manager_cannot_reach_platform_tables(dm):
    for name in ("tracking_signinattempt", "otp_totp_totpdevice", "auth_group", "tracking_scheduledeventrun"):
        assert dm.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


def test_a_data_manager_cannot_make_anyone_trust_staff_or_superuser(dm, world):
    user = world.teacher.user
    data = form_data(user, is_trust_admin=True, is_superuser=True, is_staff=True)
    data.pop("password", None)
    dm.post(reverse("admin:tracking_user_change", args=[user.pk]), data)
    user.refresh_from_db()
    assert not user.is_trust_admin and not user.is_superuser and not user.is_staff
    assert dm.get(reverse("admin:auth_user_password_change", args=[user.pk])).status_code in (403, 404)


def test_another_schools_logins_cannot_be_opened(dm, other_world):
    response = dm.get(reverse("admin:tracking_user_change", args=[other_world.slt.user.pk]))
    assert response.status_code == 302


def test_the_operator_sees_every_school(client, world, other_world):
    operator = f.UserFactory(username="operator", is_staff=True, is_superuser=True, school=None)
    sign_in_two_step(client, operator)
    page = client.get(reverse("admin:tracking_pupil_changelist")).content.decode()
    assert _admin_url(world.child) in page and _admin_url(other_world.child) in page


# -- read-only grades and targets ----------------------------------------------------------------


@pytest.fixture
def target(world):
    return f.TargetFactory(pupil=world.child, subject=world.maths, grade=f.grade(world.school, "6"))


@pytest.mark.parametrize("who", ["dm", "operator"])
def test_targets_and_grades_are_read_only_in_the_admin(client, world, other_world, target, who):
    if who == "dm":
        world.data_manager.user.is_staff = True
        world.data_manager.user.save()
        user = world.data_manager.user
    else:
        user = f.UserFactory(username="operator", is_staff=True, is_superuser=True, school=None)
    sign_in_two_step(client, user)
    assert client.get(_admin_url(target)).status_code == 200
    other = f.grade(world.school, "9")
    assert client.post(_admin_url(target), form_data(target, grade=other)).status_code == 403
    assert client.post(_admin_url(target, "delete"), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:tracking_target_add")).status_code == 403
    assert client.get(reverse("admin:tracking_gradeentry_add")).status_code == 403
    target.refresh_from_db()
    assert target.grade != other


# -- every change audited ------------------------------------------------------------------------


def test_a_pupils_sen_change_in_the_admin_is_audited_with_before_and_after(dm, world):
    pupil = world.child
    response = dm.post(_admin_url(pupil), form_data(pupil, sen_status="E", disadvantaged=True))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="tracking.pupil.changed")
    assert event.before == {"sen_status": "N", "disadvantaged": False}
    assert event.after == {"sen_status": "E", "disadvantaged": True}
    assert event.via == "admin" and event.by == world.data_manager.user
    assert event.pupil == pupil and event.school == world.school


def test_adding_a_role_in_the_admin_is_audited(dm, world):
    data = {"staff": world.teacher.pk, "role": Role.FORM_TUTOR}
    assert dm.post(reverse("admin:tracking_staffrole_add"), data).status_code == 302
    event = AuditEvent.objects.get(action="tracking.staffrole.added")
    assert event.after["role"] == Role.FORM_TUTOR and event.school == world.school


def test_a_guardian_link_added_and_removed_in_the_admin_is_audited(dm, world):
    data = {"guardian": world.parent.pk, "pupil": world.classmate.pk, "relationship": "Carer"}
    assert dm.post(reverse("admin:tracking_guardianlink_add"), data).status_code == 302
    link = GuardianLink.objects.get(pupil=world.classmate)
    dm.post(_admin_url(link, "delete"), {"post": "yes"})
    events = AuditEvent.objects.filter(object_type="tracking.guardianlink")
    actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == ["tracking.guardianlink.added", "tracking.guardianlink.deleted"]
    assert AuditEvent.objects.filter(action="tracking.guardianlink.added", pupil=world.classmate).exists()


def test_a_grade_scale_change_in_the_admin_is_audited(dm, world):
    scale = world.maths.scale
    data = form_data(scale, name="Renamed scale")
    data.update({"values-TOTAL_FORMS": "0", "values-INITIAL_FORMS": "0"})
    values = list(scale.values.all())
    data["values-TOTAL_FORMS"] = data["values-INITIAL_FORMS"] = str(len(values))
    for i, value in enumerate(values):
        for key, item in form_data(value).items():
            data[f"values-{i}-{key}"] = item
    response = dm.post(_admin_url(scale), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    event = AuditEvent.objects.get(action="tracking.gradescale.changed")
    assert event.after == {"name": "Renamed scale"}


# -- who may be a superuser; role scopes ---------------------------------------------------------


def test_school_staff_can_never_be_superusers(world):
    user = world.data_manager.user
    user.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
    assert User.objects.filter(is_superuser=True, school__isnull=False).count() == 0


def test_a_teacher_role_cannot_carry_a_department(world):
    dept = world.maths.department
    role = StaffRole(staff=world.teacher, role=Role.TEACHER, department=dept)
    with pytest.raises(Exception) as refused:
        role.full_clean()
    assert "Only a head of department" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        role.save()


def test_the_admin_refuses_a_role_whose_scope_does_not_fit_its_kind(dm, world, other_world):
    data = {"staff": world.teacher.pk, "role": Role.TEACHER, "department": world.maths.department_id}
    page = dm.post(reverse("admin:tracking_staffrole_add"), data).content.decode()
    assert "Only a head of department has a department" in page
    data = {"staff": world.teacher.pk, "role": Role.HEAD_OF_DEPARTMENT}
    assert "needs their department" in dm.post(reverse("admin:tracking_staffrole_add"), data).content.decode()
    assert not StaffRole.objects.filter(staff=world.teacher).exclude(role=Role.TEACHER).exists()


def test_a_teacher_role_with_a_department_gives_no_department_rights(world):
    """Rows written before the constraint (or by SQL) are ignored: scope comes from the role's kind."""
    from tracking import permissions

    access = permissions.access_for(world.teacher.user)
    assert access.department_ids == set()
    assert not permissions.can_edit_group(world.teacher.user, world.other_group)


def test_the_seeded_schools_have_no_superusers(world):
    assert not School.objects.filter(users__is_superuser=True).exists()
