"""Thin Celery adapters for mentoring: primary keys in, safe to run twice."""

import smtplib

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from tracking.lib import links
from tracking.lib.queue import register_task_school

from .models import MentoringSlip


@shared_task(
    name="mentoring.tasks.send_slip_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def send_slip_email(slip_id):
    """Email a mentor that a slip is waiting; once only (a re-run after success sends nothing)."""
    slip = (
        MentoringSlip.objects.select_related("pupil", "subject", "sent_by__user", "mentor__user")
        .filter(pk=slip_id, emailed_at__isnull=True)
        .first()
    )
    if slip is None:
        return 0
    email = slip.mentor.user.email
    kind = slip.get_kind_display().lower()
    if email and slip.mentor.user.is_active:
        send_mail(
            f"Mentoring slip ({kind}): {slip.pupil.full_name}, {slip.subject.name}",
            f"{slip.sent_by} sent you a {kind} mentoring slip about your mentee "
            f"{slip.pupil.full_name} in {slip.subject.name}.\n\n{slip.message}\n\n"
            + (f"Targets for improvement: {slip.to_improve}\n\n" if slip.to_improve else "")
            + f"Your slips: {links.absolute_url('mentoring:slips')}",
            None,
            [email],
        )
    MentoringSlip.objects.filter(pk=slip.pk).update(emailed_at=timezone.now())
    return 1 if email else 0


@register_task_school("mentoring.tasks.send_slip_email")
def _slip_school(args, kwargs):
    slip_id = args[0] if args else kwargs.get("slip_id")
    return MentoringSlip.objects.filter(pk=slip_id).values_list("school_id", flat=True).first()
