"""Trust staff work in one school of the trust at a time and pick it with the school switcher: every
page then shows that school only, the choice is checked and logged, and nobody else has a switcher."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.personas import sign_in_two_step
from tracking import permissions
from tracking.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust(world, other_world):
    return f.UserFactory(username="trust", is_trust_admin=True, school=None)


def _switch(client, school):
    return client.post(reverse("school_switch"), {"school": school.pk})


def test_a_trust_login_works_in_one_school_and_switches_to_the_other(client, trust, world, other_world):
    client.force_login(trust)
    home = client.get(reverse("home")).content.decode()
    # Hillside comes first by name until another school is picked.
    assert "selected>Hillside</option>" in home and 'id="school-switcher-school"' in home
    assert client.get(reverse("pupil_detail", args=[other_world.child.pk])).status_code == 200
    assert client.get(reverse("pupil_detail", args=[world.child.pk])).status_code == 404

    response = _switch(client, world.school)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("pupil_detail", args=[world.child.pk])).status_code == 200
    assert client.get(reverse("group_detail", args=[world.group.pk])).status_code == 200
    assert client.get(reverse("pupil_detail", args=[other_world.child.pk])).status_code == 404
    assert client.get(reverse("group_detail", args=[other_world.group.pk])).status_code == 404
    listed = client.get(reverse("pupil_list")).content.decode()
    assert world.child.upn in listed and other_world.child.upn not in listed

    _switch(client, other_world.school)
    assert client.get(reverse("pupil_detail", args=[other_world.child.pk])).status_code == 200
    assert client.get(reverse("pupil_detail", args=[world.child.pk])).status_code == 404


def test_each_switch_is_in_the_security_log_of_the_school_switched_to(client, trust, world, other_world):
    client.force_login(trust)
    _switch(client, world.school)
    event = AuditEvent.objects.get(action="security.school.switched")
    assert event.school_id == world.school.pk and event.by == trust
    assert event.before == {"school": "Hillside"} and event.after["school"] == world.school.name
    # Riverside's data manager reads it in their security log.
    assert event in permissions.audit_events_visible_to(world.data_manager.user)


def test_a_school_that_is_not_the_trusts_or_no_school_at_all_is_refused(client, trust, world):
    client.force_login(trust)
    for bad in ("999999", "x", ""):
        assert client.post(reverse("school_switch"), {"school": bad}).status_code == 404
    assert not AuditEvent.objects.filter(action="security.school.switched").exists()
    assert client.get(reverse("school_switch")).status_code == 405


def test_school_staff_have_no_switcher_and_cannot_switch(client, world, other_world):
    for persona in ("slt", "data_manager", "teacher"):
        user = getattr(world, persona).user
        client.force_login(user)
        assert 'id="school-switcher-school"' not in client.get(reverse("home")).content.decode()
        assert _switch(client, other_world.school).status_code == 404
        assert client.get(reverse("pupil_detail", args=[other_world.child.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="security.school.switched").exists()


def test_a_trust_login_in_the_admin_sees_only_the_school_it_works_in(client, trust, world, other_world):
    trust.is_staff = True
    trust.save()
    sign_in_two_step(client, trust)
    _switch(client, world.school)
    page = client.get(reverse("admin:tracking_pupil_changelist")).content.decode()
    assert f"/{world.child.pk}/change/" in page and f"/{other_world.child.pk}/change/" not in page
    _switch(client, other_world.school)
    page = client.get(reverse("admin:tracking_pupil_changelist")).content.decode()
    assert f"/{other_world.child.pk}/change/" in page and f"/{world.child.pk}/change/" not in page
