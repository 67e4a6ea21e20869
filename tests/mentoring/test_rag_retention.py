"""Printed RAG sheets hold pupils' ratings and teachers' comments: deleted past the school's retention."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentoringSettings, RagSheetJob
from mentoring.rag import schedule, services
from tracking.cycle import scheduler
from tracking.models import AuditEvent

from .test_rag import open_window

pytestmark = pytest.mark.django_db


def sheet_job(world, window, days_ago, **kw):
    made = timezone.now() - timedelta(days=days_ago)
    return RagSheetJob.objects.create(
        school=world.school, window=window, mentor=world.mentor, requested_at=made,
        status=kw.pop("status", "done"), pdf=b"%PDF-1.7 sheet", finished_at=kw.pop("finished_at", made),
    )  # fmt: skip


def test_printed_sheets_older_than_the_default_two_months_are_deleted_and_audited(world):
    window = open_window(world)
    old, recent = sheet_job(world, window, 63), sheet_job(world, window, 61)
    assert services.rag_sheets_expire() == 1
    assert list(RagSheetJob.objects.values_list("pk", flat=True)) == [recent.pk]
    event = AuditEvent.objects.get(action="mentoring.rag_sheets.deleted")
    assert (event.object_id, event.school_id, event.after["kept_days"]) == (str(old.pk), world.school.pk, 62)


def test_each_school_keeps_sheets_for_the_days_it_chose(world, other_world):
    MentoringSettings.objects.create(school=world.school, rag_sheets_kept_days=7)
    window, theirs = open_window(world), open_window(other_world)
    mine = sheet_job(world, window, 8)
    kept = sheet_job(other_world, theirs, 8)  # the other school keeps the default two months
    never_finished = sheet_job(world, window, 10, status="failed", finished_at=None)
    assert services.rag_sheets_expire() == 2
    assert list(RagSheetJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not RagSheetJob.objects.filter(pk__in=[mine.pk, never_finished.pk]).exists()


def test_the_scheduler_deletes_old_sheets_once_a_night(world):
    window = open_window(world)
    sheet_job(world, window, 100)
    night = timezone.make_aware(datetime.combine(timezone.localdate(), schedule.EXPIRE_AT))
    assert scheduler.run_due(night - timedelta(minutes=1), sources=[schedule.nightly_sheet_expiry]) == []
    ran = scheduler.run_due(night, sources=[schedule.nightly_sheet_expiry])
    assert ran == [f"mentoring.rag_sheets.expire:{timezone.localdate().isoformat()}"]
    assert not RagSheetJob.objects.exists()
    sheet_job(world, window, 100)
    assert scheduler.run_due(night + timedelta(hours=1), sources=[schedule.nightly_sheet_expiry]) == []


def test_the_sheets_page_says_how_long_sheets_are_kept(client, world):
    MentoringSettings.objects.create(school=world.school, rag_sheets_kept_days=30)
    client.force_login(world.mentor.user)
    page = client.get(reverse("mentoring:rag_sheets", args=[open_window(world).pk])).content.decode()
    assert "each PDF is deleted 30 days after it is made" in page


def test_the_mentoring_app_registers_the_nightly_expiry_with_the_one_scheduler():
    assert schedule.nightly_sheet_expiry in scheduler._sources
