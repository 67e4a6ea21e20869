"""Celery adapters for tracking: take primary keys, call a service."""

import smtplib

from celery import shared_task

from tracking.models import School, User
from tracking.oversight import reminders


@shared_task(
    name="tracking.oversight.tasks.send_completion_reminders",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_completion_reminders(school_id, point_ids, by_id=None, base_url=""):
    school = School.objects.get(pk=school_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return reminders.reminders_send(school=school, point_ids=point_ids, by=by, base_url=base_url)
