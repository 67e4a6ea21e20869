"""The data manager maintains everything in Django's admin: every model of Uplift's apps is there."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests import factories as f
from tests.personas import sign_in_two_step
from tracking.cycle import services
from tracking.models import AuditEvent, CycleTransition, FailedTask, TrackingCycle

UPLIFT_APPS = ("tracking", "mentoring", "interventions", "reports")
CYCLE_MODELS = (
    "trackingcycle",
    "cycletransition",
    "departmentsignoff",
    "sheetreturn",
    "healthcheck",
    "cyclenotification",
    "scheduledeventrun",
    "pendingtask",
    "failedtask",
)


def test_every_model_of_uplifts_apps_is_registered_in_the_admin():
    missing = [
        model._meta.label
        for label in UPLIFT_APPS
        for model in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(model)
    ]
    assert not missing, f"Register these models in their app's admin.py: {missing}"


@pytest.fixture
def cycle(world):
    cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Admin uplift",
        points=[world.point],
        dates=services.default_dates(date.today() + timedelta(days=7)),
    )
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def superuser(world):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True, school=None)


@pytest.mark.django_db
def test_every_cycle_admin_page_opens(client, superuser, cycle):
    FailedTask.objects.create(task_name="x", exception="boom", school=cycle.school)
    sign_in_two_step(client, superuser)
    for name in CYCLE_MODELS:
        assert client.get(reverse(f"admin:tracking_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:tracking_trackingcycle_change", args=[cycle.pk])).content.decode()
    assert "Data input" in page  # the read-only transitions inline


@pytest.mark.django_db
def test_transitions_are_read_only_in_the_admin(client, superuser, cycle):
    transition = CycleTransition.objects.get(cycle=cycle)
    sign_in_two_step(client, superuser)
    assert client.get(reverse("admin:tracking_cycletransition_add")).status_code == 403
    url = reverse("admin:tracking_cycletransition_change", args=[transition.pk])
    assert client.post(url, {"note": "typed over"}).status_code == 403
    transition.refresh_from_db()
    assert transition.note == ""


def _admin_form(cycle, **changes):
    data = {
        "school": cycle.school_id,
        "academic_year": cycle.academic_year_id,
        "name": cycle.name,
        "points": [p.pk for p in cycle.points.all()],
        **{name: getattr(cycle, name).isoformat() for name in services.DATE_FIELDS.values()},
        "transitions-TOTAL_FORMS": "1",
        "transitions-INITIAL_FORMS": "1",
        "transitions-MIN_NUM_FORMS": "0",
        "transitions-MAX_NUM_FORMS": "1000",
    }
    data.update({k: v.isoformat() for k, v in changes.items()})
    return data


@pytest.mark.django_db
def test_changing_dates_in_the_admin_is_validated_and_audited_like_the_calendar(client, superuser, cycle):
    sign_in_two_step(client, superuser)
    url = reverse("admin:tracking_trackingcycle_change", args=[cycle.pk])
    moved = cycle.input_on + timedelta(days=1)
    response = client.post(url, _admin_form(cycle, input_on=moved))
    assert response.status_code == 200 and "already happened" in response.content.decode()
    later = cycle.actions_on + timedelta(days=1)
    response = client.post(url, _admin_form(cycle, actions_on=later))
    assert response.status_code == 302
    assert TrackingCycle.objects.get(pk=cycle.pk).actions_on == later
    event = AuditEvent.objects.get(action="tracking.cycle.dates_changed")
    assert event.after == {"actions_on": later.isoformat()} and event.by == superuser


@pytest.mark.django_db
def test_a_data_manager_in_the_admin_sees_only_their_schools_failed_tasks(client, world, other_world):
    from django.contrib.auth.models import Permission

    FailedTask.objects.create(task_name="ours", exception="x", school=world.school)
    FailedTask.objects.create(task_name="theirs", exception="x", school=other_world.school)
    user = world.data_manager.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_failedtask"))
    sign_in_two_step(client, user)
    page = client.get(reverse("admin:tracking_failedtask_changelist")).content.decode()
    assert "ours" in page and "theirs" not in page
