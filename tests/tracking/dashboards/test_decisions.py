"""Decisions waiting on each leader's home page: the right queues for each role, counted in one query,
each linking to where the decision is made, and nothing from another school."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interventions.plans.models import Plan
from mentoring.models import RagAction, RagWindow
from tests import factories as f
from tracking.cycle.services import cycle_create
from tracking.dashboards import decisions
from tracking.models import (
    DepartmentSignOff,
    FailedTask,
    ImportJob,
    TargetRaiseProposal,
    TargetStatus,
)

pytestmark = pytest.mark.django_db


def _waiting(user):
    return {item.key: item for item in decisions.waiting_for(user)}


def _fill(w):
    """One of everything a leader decides, in the world's school."""
    school = w.school
    target = f.TargetFactory(pupil=w.child, subject=w.maths)
    changed = f.TargetFactory(pupil=w.classmate, subject=w.maths)
    changed.status = TargetStatus.CHANGE_REQUESTED
    changed.requested_grade = f.grade(school, "5")
    changed.save()
    TargetRaiseProposal.objects.create(
        school=school,
        target=target,
        point=w.point,
        achieved=f.grade(school, "7"),
        proposed_grade=f.grade(school, "7"),
    )
    now = timezone.now()
    for level in (3, 3, 2):
        Plan.objects.create(
            school=school,
            pupil=w.child,
            tier="key_stage",
            level=level,
            reason="x",
            start_date=date.today(),
            created_at=now,
        )
    window = RagWindow.objects.create(
        school=school,
        academic_year=w.year,
        month=date.today().replace(day=1),
        opens_on=date.today(),
        closes_on=date.today(),
    )
    for due, status in ((-3, "open"), (2, "in_progress"), (30, "open"), (-1, "done")):
        RagAction.objects.create(
            school=school,
            window=window,
            pupil=w.child,
            text="Talk to home",
            owner_kind="slt",
            owner=w.slt,
            due_on=date.today() + timedelta(days=due),
            status=status,
            created_at=now,
        )
    FailedTask.objects.create(task_name="t", exception="x", school=school)
    FailedTask.objects.create(task_name="t", exception="x", school=school, retried_at=now)
    # Pupils: a failed upload then a good dry run (only the dry run waits); KS2: a failed upload.
    ImportJob.objects.create(school=school, kind="pupils", file_name="a.csv", status="rejected")
    ImportJob.objects.create(school=school, kind="pupils", file_name="b.csv", status="previewed")
    ImportJob.objects.create(school=school, kind="ks2", file_name="c.csv", status="rejected")
    ImportJob.objects.create(school=school, kind="staff", file_name="d.csv", status="committed")
    cycle = cycle_create(school=school, academic_year=w.year, name="Autumn uplift", points=[w.point])
    cycle.stage = "verification"
    cycle.save()
    return cycle


def test_slt_sees_each_queue_they_decide_with_its_count_and_link(world):
    cycle = _fill(world)
    waiting = _waiting(world.slt.user)
    assert waiting["target_changes"].count == 1
    assert waiting["target_changes"].url == reverse("target_changes")
    assert waiting["raises"].count == 1
    assert waiting["raises"].url == reverse("target_raises")
    assert waiting["plans_level_3"].count == 2
    assert waiting["plans_level_3"].url == reverse("interventions:plan_list") + "?level=3&status=active"
    assert waiting["rag_actions"].count == 2  # overdue and due this week; not next month's, not done
    assert waiting["rag_actions"].url == reverse("mentoring:rag_actions")
    assert waiting["sign_offs"].count == 2  # both departments await SLT's sign-off
    assert waiting["sign_offs"].url == reverse("cycle_verify", args=[cycle.pk])
    assert "failed_tasks" not in waiting and "imports_failed" not in waiting


def test_the_data_manager_sees_failed_tasks_imports_and_sheets_sent_back(world):
    _fill(world)
    waiting = _waiting(world.data_manager.user)
    assert waiting["failed_tasks"].count == 1  # the retried one is done with
    assert waiting["imports_failed"].count == 1  # KS2's; the pupils' failure was followed by a good dry run
    assert waiting["imports_waiting"].count == 1
    assert waiting["imports_waiting"].url == reverse("import_list")
    assert waiting["sheets_sent_back"].count == 0
    assert "plans_level_3" not in waiting and "rag_actions" not in waiting


def test_a_head_of_department_sees_their_sign_off_and_raises_in_their_department_only(world):
    cycle = _fill(world)
    waiting = _waiting(world.hod.user)
    assert waiting["sign_offs"].count == 1  # maths, not English
    assert waiting["raises"].count == 1
    assert set(waiting) == {"raises", "sign_offs", "sheets_sent_back"}
    DepartmentSignOff.objects.create(
        cycle=cycle,
        department=world.maths.department,
        status="verified",
        by=world.hod.user,
        at=timezone.now(),
    )
    assert _waiting(world.hod.user)["sign_offs"].count == 0
    # The head of department's word does not stand for SLT's.
    assert _waiting(world.slt.user)["sign_offs"].count == 2


def test_teachers_and_tutors_have_no_decisions_panel(world, client):
    _fill(world)
    for persona in ("teacher", "tutor", "mentor"):
        user = getattr(world, persona).user
        assert not decisions.has_decisions(user)
        client.force_login(user)
        assert b"Decisions waiting" not in client.get(reverse("home")).content


def test_the_home_page_lists_what_waits_as_links(world, client):
    _fill(world)
    client.force_login(world.slt.user)
    html = client.get(reverse("home")).content.decode()
    assert "Decisions waiting" in html
    assert f'href="{reverse("target_raises")}"' in html
    assert "Proposed target raises" in html


def test_nothing_from_another_school_is_counted(world, other_world):
    _fill(other_world)
    for persona in ("slt", "data_manager", "hod"):
        for item in decisions.waiting_for(getattr(world, persona).user):
            assert item.count == 0, (persona, item.key)


def test_every_queue_is_counted_in_one_query_however_long_they_are(world):
    _fill(world)
    user = world.slt.user
    decisions.waiting_for(user)  # access is worked out once per request
    with CaptureQueriesContext(connection) as few:
        decisions.waiting_for(user)
    _fill_more = [FailedTask(task_name="t", exception="x", school=world.school) for _ in range(20)]
    FailedTask.objects.bulk_create(_fill_more)
    for n in range(10):
        Plan.objects.create(
            school=world.school,
            pupil=world.classmate,
            tier="key_stage",
            level=3,
            reason=str(n),
            start_date=date.today(),
            created_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as many:
        waiting = {i.key: i for i in decisions.waiting_for(user)}
    assert waiting["plans_level_3"].count == 12
    # One count for every queue, and one to find the cycle being verified for the sign-off link.
    assert len(few.captured_queries) == len(many.captured_queries) == 2
