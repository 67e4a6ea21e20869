"""Families keep seeing what was verified: a sheet reopened after verification changes what families see
only once it is verified again, and every change of what they see is audited."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f
from tracking.cycle import services, verification
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent, GradeEntry, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(world):
    """world.child has maths 5 (target 6) at world.point, whose cycle has passed verification."""
    world.entry = f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        teaching_group=world.group,
        current=f.grade(world.school, "5"),
        predicted=f.grade(world.school, "5"),
        security="M",
        effort=2,
    )
    f.TargetFactory(pupil=world.child, subject=world.maths)
    world.cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Autumn 2",
        points=[world.point],
        dates=services.default_dates(date(2026, 11, 2)),
    )
    for stage in (Stage.INPUT, Stage.VERIFICATION, Stage.HEALTH_CHECK):
        services.cycle_enter_stage(cycle_id=world.cycle.pk, stage=stage, via="manual")
    return world


def _family_page(client, world):
    client.force_login(world.parent.user)
    return client.get(reverse("pupil_detail", args=[world.child.pk])).content.decode()


def _reopen_and_change(world, code):
    """The data manager reopens the sheet after verification and the teacher changes the prediction."""
    GradeEntry.objects.filter(pk=world.entry.pk).update(predicted=f.grade(world.school, code))


def test_passing_verification_makes_the_cycles_grades_what_families_see(verified):
    entry = GradeEntry.objects.get(pk=verified.entry.pk)
    assert entry.verified_at is not None and entry.verified_predicted.code == "5"
    event = AuditEvent.objects.get(action="tracking.cycle.grades_verified")
    assert event.after == {"entries": 1}


def test_a_reopened_sheets_new_grades_wait_for_verification_before_families_see_them(verified, client):
    world = verified
    assert "well-below" not in _family_page(client, world)
    _reopen_and_change(world, "3")
    family = _family_page(client, world)
    assert 'data-standing="below"' in family and "well-below" not in family  # still the verified 5
    client.force_login(world.teacher.user)
    staff = client.get(reverse("pupil_detail", args=[world.child.pk])).content.decode()
    assert 'data-standing="well-below"' in staff  # staff see the 3 at once
    sheet = client.get(reverse("marksheet", args=[world.group.pk, world.point.pk])).content.decode()
    assert "changed since this sheet was verified" in sheet
    assert (
        reverse("marksheet_verify", args=[world.group.pk, world.point.pk]) not in sheet
    )  # not the teacher's

    client.force_login(world.hod.user)
    url = reverse("marksheet_verify", args=[world.group.pk, world.point.pk])
    review = client.get(url).content.decode()
    assert "Lamb, Ada" in review and "<strong>3</strong>" in review
    assert client.post(url).status_code == 302

    assert 'data-standing="well-below"' in _family_page(client, world)
    event = AuditEvent.objects.get(action="tracking.grade.verified")
    assert event.before["predicted"] == "5" and event.after["predicted"] == "3"
    assert event.by == world.hod.user and event.pupil == world.child
    assert AuditEvent.objects.get(action="tracking.marksheet.verified").after["changed"] == 1


def test_verifying_again_with_nothing_changed_changes_nothing(verified):
    before = GradeEntry.objects.get(pk=verified.entry.pk).verified_at
    count = verification.sheet_verify(point=verified.point, group=verified.group, by=verified.hod.user)
    assert count == 0 and GradeEntry.objects.get(pk=verified.entry.pk).verified_at == before
    assert not AuditEvent.objects.filter(action="tracking.grade.verified").exists()


def test_a_sheet_not_yet_through_verification_cannot_be_verified_on_its_own(world):
    entry = f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, current=f.grade(world.school, "5")
    )
    with pytest.raises(DomainError):
        verification.sheet_verify(point=world.point, group=world.group, by=world.hod.user)
    assert GradeEntry.objects.get(pk=entry.pk).verified_at is None


def test_only_the_verification_team_and_the_head_of_department_may_verify_again(verified, client):
    world = verified
    _reopen_and_change(world, "3")
    url = reverse("marksheet_verify", args=[world.group.pk, world.point.pk])
    client.force_login(world.teacher.user)
    assert client.post(url).status_code == 404
    assert GradeEntry.objects.get(pk=world.entry.pk).verified_predicted.code == "5"
    client.force_login(world.slt.user)
    assert client.post(url).status_code == 302
    assert GradeEntry.objects.get(pk=world.entry.pk).verified_predicted.code == "3"


def test_grades_entered_before_verification_never_reach_families_early(world, client):
    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, current=f.grade(world.school, "5")
    )
    f.TargetFactory(pupil=world.child, subject=world.maths)
    assert "data-standing" not in _family_page(client, world).split("grades-h")[1].split("targets-h")[0]
