"""Demo data for reports: last term's reports made and published for the demo families' forms, with
tutor and mentor comments, so the `parent` login can download one for each child straight away."""

import logging
import os

from tracking.models import AssessmentPoint

from . import data, services
from .models import PupilReport, ReportComment

log = logging.getLogger(__name__)

TUTOR = (
    "{name} has settled well this term and is a kind member of the form. Keep reading every evening: it is "
    "making a real difference."
)
MENTOR = "{name} comes to mentoring prepared. Next step: a revision timetable, and sticking to it."


def _last_closed_point(pupil, today):
    """The point of the pupil's latest closed window, this year or last (their "last term")."""
    return (
        AssessmentPoint.objects.filter(grades__pupil=pupil, closes_on__lt=today)
        .select_related("year_group", "academic_year", "half_term")
        .order_by("-closes_on", "-sequence")
        .first()
    )


def add_demo_reports(sender, built, **kwargs):
    """Runs made here, synchronously, inside seed_demo's transaction (the worker need not be running)."""
    by = built.staff["datamanager"].user
    mentor = built.staff["mentor"].user
    tutor = built.staff["tutor.11a"].user
    made, runs = 0, []
    for child in built.family["parent"]:
        point = _last_closed_point(child, built.today)
        if point is None or child.form is None:
            continue
        ReportComment.objects.create(
            school=built.school,
            pupil=child,
            point=point,
            role=ReportComment.Role.TUTOR,
            text=TUTOR.format(name=child.first_name),
            by=tutor,
        )
        if child.year_group.number == 11:
            ReportComment.objects.create(
                school=built.school,
                pupil=child,
                point=point,
                role=ReportComment.Role.MENTOR,
                text=MENTOR.format(name=child.first_name),
                by=mentor,
            )
        run = services.run_create(
            school=built.school,
            kind=data.kind_for(point.year_group.number, end_of_year=not point.academic_year.is_current),
            point=point,
            year_group=child.year_group,
            form=child.form,
            by=by,
        )
        runs.append(run)
    # Every run's reports at once, side by side on every core: laying them out is most of the demo's
    # build time (about half a second of one core each).
    services.reports_render(
        PupilReport.objects.filter(run__in=runs).values_list("pk", flat=True), processes=os.cpu_count() or 1
    )
    for run in runs:
        services.run_finish(run_id=run.pk)
        services.run_publish(run=run, by=by, notify=False)  # demo families have no inboxes
        made += run.total
    built.counts["reports"] = made
