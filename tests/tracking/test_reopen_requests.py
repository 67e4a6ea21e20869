"""Requests to reopen a verified marksheet: asked with a reason, decided by the data manager (reopened
until a date, or declined with a note), on the data manager's decisions waiting, and seen by the
requester. Every step is audited; bad input says why and saves nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tracking.dashboards import decisions
from tracking.lib.errors import DomainError
from tracking.marksheets import queries, services
from tracking.models import AuditEvent, ReopenRequest, SheetReopen

pytestmark = pytest.mark.django_db


def _verified(world):
    world.point.is_locked = True
    world.point.save(update_fields=["is_locked"])
    return world.point


def _ask(client, world, reason="Two grades went in the wrong columns"):
    url = reverse("marksheet_reopen_request", args=[world.group.pk, world.point.pk])
    return client.post(url, {"reason": reason})


def _waiting(user):
    return {w.key: w.count for w in decisions.waiting_for(user)}.get("reopen_requests")


def test_a_teacher_asks_the_data_manager_reopens_and_the_teacher_sees_it_and_can_edit(client, world):
    _verified(world)
    client.force_login(world.teacher.user)
    sheet = client.get(reverse("marksheet", args=[world.group.pk, world.point.pk])).content.decode()
    assert reverse("marksheet_reopen_request", args=[world.group.pk, world.point.pk]) in sheet
    assert _ask(client, world).status_code == 302
    request = ReopenRequest.objects.get()
    assert (request.status, request.requested_by) == ("pending", world.teacher.user)
    assert _waiting(world.data_manager.user) == 1 and _waiting(world.slt.user) is None

    client.force_login(world.data_manager.user)
    page = client.get(reverse("reopen_requests"))
    assert [r.pk for r in page.context["waiting"]] == [request.pk]
    until = timezone.localdate() + timedelta(days=5)
    decide = reverse("reopen_request_decide", args=[request.pk])
    response = client.post(decide, {"decision": "approve", "until": until.isoformat(), "note": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.reopen.until == until
    assert request.reopen.teaching_group == world.group and request.reopen.by == world.data_manager.user
    assert _waiting(world.data_manager.user) == 0
    actions = AuditEvent.objects.filter(action__startswith="tracking.sheet").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == [
        "tracking.sheet.reopen_requested",
        "tracking.sheet.reopened",
        "tracking.sheet.reopen_request.approved",
    ]

    client.force_login(world.teacher.user)
    mine = client.get(reverse("reopen_requests"))
    assert [r.pk for r in mine.context["decided"]] == [request.pk]
    assert f"until {until:%-d %b %Y}" in mine.content.decode()
    assert queries.load_sheet(world.group, world.point, user=world.teacher.user).editable


def test_a_declined_request_says_why_and_reopens_nothing(client, world):
    _verified(world)
    client.force_login(world.hod.user)  # the head of department asks for their department's sheet
    _ask(client, world)
    request = ReopenRequest.objects.get()
    client.force_login(world.data_manager.user)
    decide = reverse("reopen_request_decide", args=[request.pk])
    client.post(decide, {"decision": "decline", "note": ""})  # a decline needs a note
    request.refresh_from_db()
    assert request.status == "pending"
    client.post(decide, {"decision": "decline", "note": "Moderation has signed these off"})
    request.refresh_from_db()
    assert (request.status, request.note, request.reopen) == (
        "declined",
        "Moderation has signed these off",
        None,
    )
    assert not SheetReopen.objects.exists()
    assert AuditEvent.objects.filter(action="tracking.sheet.reopen_request.declined").count() == 1
    client.force_login(world.hod.user)
    assert "Moderation has signed these off" in client.get(reverse("reopen_requests")).content.decode()
    assert not queries.load_sheet(world.group, world.point, user=world.teacher.user).editable


def test_requests_need_a_reason_a_closed_sheet_and_only_one_waiting(client, world):
    client.force_login(world.teacher.user)
    assert _ask(client, world).status_code == 200  # the window is open: no request needed
    _verified(world)
    assert _ask(client, world, reason="  ").status_code == 200
    assert not ReopenRequest.objects.exists()
    assert _ask(client, world).status_code == 302
    page = _ask(client, world)
    assert page.status_code == 200 and "already waiting" in page.content.decode()
    assert ReopenRequest.objects.count() == 1


def test_a_request_is_decided_once_and_a_bad_date_is_refused_without_saving(world):
    _verified(world)
    request = services.reopen_request_create(
        point=world.point, group=world.group, reason="Wrong column", by=world.teacher.user
    )
    with pytest.raises(DomainError, match="today or later"):
        services.reopen_request_decide(
            request=request, approve=True, by=world.data_manager.user,
            until=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(DomainError, match="8 weeks"):
        services.reopen_request_decide(
            request=request, approve=True, by=world.data_manager.user,
            until=timezone.localdate() + timedelta(weeks=9),
        )  # fmt: skip
    request.refresh_from_db()
    assert request.status == "pending" and not SheetReopen.objects.exists()
    services.reopen_request_decide(request=request, approve=False, by=world.data_manager.user, note="No")
    with pytest.raises(DomainError, match="already decided"):
        services.reopen_request_decide(
            request=request, approve=True, by=world.data_manager.user, until=timezone.localdate()
        )


def test_a_bad_decision_post_is_a_message_not_a_500(client, world):
    _verified(world)
    request = services.reopen_request_create(
        point=world.point, group=world.group, reason="Wrong column", by=world.teacher.user
    )
    client.force_login(world.data_manager.user)
    decide = reverse("reopen_request_decide", args=[request.pk])
    for body in (
        {"decision": "maybe"},
        {"decision": "approve", "until": "not a date"},
        {"decision": "approve"},
    ):
        response = client.post(decide, body, follow=True)
        assert response.status_code == 200 and list(response.context["messages"])
    assert ReopenRequest.objects.get().status == "pending"
    assert client.get(decide).status_code == 404
