"""Plan notices by email, sent by the worker (queued after commit through tracking's one queueing path)."""

import smtplib

from celery import shared_task
from django.core.mail import send_mail
from django.urls import reverse

from tracking.lib.queue import register_task_school

from .models import Decision, PlanReview


def recipients(plan):
    """The owner, the pupil's form tutors and the pupil's mentor this year: email addresses, no repeats."""
    from mentoring.models import MentorAssignment  # the mentor is mentoring's to know

    people = []
    if plan.owner_id:
        people.append(plan.owner.user)
    if plan.pupil.form_id:
        people += [t.user for t in plan.pupil.form.tutors.select_related("user")]
    mentors = MentorAssignment.objects.filter(
        pupil=plan.pupil, academic_year__is_current=True
    ).select_related("mentor__user")
    people += [m.mentor.user for m in mentors]
    seen, emails = set(), []
    for user in people:
        if user.email and user.email not in seen:
            seen.add(user.email)
            emails.append(user.email)
    return emails


@shared_task(
    name="interventions.plans.tasks.send_plan_notice",
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def send_plan_notice(review_id):
    review = (
        PlanReview.objects.select_related("plan__pupil__form", "plan__owner__user", "point", "by")
        .filter(pk=review_id)
        .first()
    )
    if review is None or review.decision == Decision.CONTINUE:
        return 0
    plan = review.plan
    emails = recipients(plan)
    if not emails:
        return 0
    what = f"stepped up to level {review.level_after}" if review.decision == Decision.STEP_UP else "ended"
    link = reverse("interventions:plan_detail", args=[plan.pk])
    send_mail(
        f"Intervention plan {what}: {plan.pupil.full_name}",
        f"{plan.pupil.full_name}'s {plan.get_tier_display().lower()} plan was {what} after "
        f"{review.point.name} by {review.by.display_name if review.by else 'Uplift'}.\n\n"
        f"{review.note}\n\nThe plan in Uplift: {link}",
        None,
        emails,
    )
    return len(emails)


@register_task_school("interventions.plans.tasks.send_plan_notice")
def _review_school(args, kwargs):
    review_id = args[0] if args else kwargs.get("review_id")
    return PlanReview.objects.filter(pk=review_id).values_list("plan__school_id", flat=True).first()


@shared_task(
    name="interventions.plans.tasks.send_reviews_due",
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def send_reviews_due(cycle_id):
    """After a tracking event: each owner of an active plan in its year groups hears their plans are due
    a review (one email per owner, listing the pupils)."""
    from tracking.models import TrackingCycle

    from .models import Plan, PlanStatus

    cycle = TrackingCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    year_groups = cycle.points.values("year_group_id")
    plans = (
        Plan.objects.filter(
            school_id=cycle.school_id, status=PlanStatus.ACTIVE, pupil__year_group_id__in=year_groups
        )
        .exclude(owner__user__email="")
        .select_related("owner__user", "pupil")
        .order_by("owner_id", "pupil__legal_last_name")
    )
    by_owner = {}
    for plan in plans:
        if plan.owner_id:
            by_owner.setdefault(plan.owner.user.email, []).append(plan)
    for email, owned in by_owner.items():
        lines = "\n".join(
            f"- {p.pupil.full_name}: level {p.level} ({reverse('interventions:plan_detail', args=[p.pk])})"
            for p in owned
        )
        send_mail(
            f"Intervention plans to review after {cycle.name}",
            f"The new grades are in. Record continue, step up or end for each plan, with the pupil's new "
            f"standing beside it:\n\n{lines}",
            None,
            [email],
        )
    return len(by_owner)


@register_task_school("interventions.plans.tasks.send_reviews_due")
def _cycle_school(args, kwargs):
    from tracking.models import TrackingCycle

    cycle_id = args[0] if args else kwargs.get("cycle_id")
    return TrackingCycle.objects.filter(pk=cycle_id).values_list("school_id", flat=True).first()
