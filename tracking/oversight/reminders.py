"""Reminder emails to teachers whose marksheets are not finished."""

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string

from tracking import audit
from tracking.models import AssessmentPoint
from tracking.oversight.completion import REMINDERS_ACTION, completion_for


def reminders_send(*, school, point_ids, by, base_url=""):
    """Email every teacher with incomplete sheets at these points a list of them, with links.

    Returns how many teachers were emailed. Records who sent the reminders and when, so the
    completion page can show "last sent". Teachers without an email address are skipped.
    """
    points = (
        AssessmentPoint.objects.filter(school=school, pk__in=point_ids)
        .select_related("year_group", "academic_year")
        .order_by("opens_on", "year_group__number", "sequence")
    )
    completion = completion_for(points)
    base_url = base_url.rstrip("/")
    messages = []
    sheets_listed = 0
    for tally in completion.chase_list():
        teacher = next(
            (t for s in tally.sheets for t in s.group.teacher_list if t.pk == tally.key),
            None,
        )
        if teacher is None or not teacher.user.email:
            continue
        sheets = [{"sheet": sheet, "link": f"{base_url}{sheet.url}"} for sheet in tally.sheets_to_chase]
        context = {"teacher": teacher, "school": school, "sheets": sheets, "tally": tally}
        messages.append(
            EmailMessage(
                subject=render_to_string("tracking/oversight/reminder_subject.txt", context).strip(),
                body=render_to_string("tracking/oversight/reminder_email.txt", context),
                to=[teacher.user.email],
            )
        )
        sheets_listed += len(sheets)
    with transaction.atomic():
        if messages:
            get_connection().send_messages(messages)
        audit.record(
            action=REMINDERS_ACTION,
            obj=school,
            school=school,
            by=by,
            via="completion",
            after={"points": sorted(point_ids), "teachers": len(messages), "sheets": sheets_listed},
            note=f"Reminders sent to {len(messages)} teacher{'s' if len(messages) != 1 else ''}",
        )
    return len(messages)
