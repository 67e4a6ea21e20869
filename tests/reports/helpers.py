"""Report runs for tests: made synchronously (tests run inside a transaction, so nothing queued
after commit would run)."""

from reports import services
from reports.models import PupilReport
from tests import factories as f


def give_grades(w):
    """The world's pupils have maths grades at world.point against published targets."""
    if getattr(w, "graded_for_reports", False):
        return
    from tracking.models import GradeEntry, Target

    for pupil, current, predicted in (
        (w.child, "5", "6"),
        (w.classmate, "3", "4"),
        (w.other_child, "6", "7"),
    ):
        if not Target.objects.filter(pupil=pupil, subject=w.maths).exists():
            f.TargetFactory(school=w.school, pupil=pupil, subject=w.maths, grade=f.grade(w.school, "6"))
        if not GradeEntry.objects.filter(pupil=pupil, subject=w.maths, point=w.point).exists():
            f.GradeEntryFactory(
                school=w.school,
                pupil=pupil,
                subject=w.maths,
                point=w.point,
                current=f.grade(w.school, current),
                predicted=f.grade(w.school, predicted),
                security="M",
                effort=2,
                comment="Works hard <b>always</b>",
            )
    verify(GradeEntry.objects.filter(point=w.point, subject=w.maths))
    w.graded_for_reports = True


def verify(entries):
    """Grades as families see them once the school has verified them (where entries keep a verified copy)."""
    from django.utils import timezone

    from tracking.models import GradeEntry

    if "verified_at" not in {field.name for field in GradeEntry._meta.get_fields()}:
        return
    for entry in entries:
        entry.verified_current, entry.verified_predicted = entry.current, entry.predicted
        entry.verified_security, entry.verified_effort = entry.security, entry.effort
        entry.verified_at = timezone.now()
        entry.save()


def make(run):
    """Render every pupil's report and finish the run, as the worker would."""
    for pk in PupilReport.objects.filter(run=run).values_list("pk", flat=True):
        services.report_render(report_id=pk)
    services.run_finish(run_id=run.pk)
    run.refresh_from_db()
    return run


def finished_run(w, *, form=None, kind="year11"):
    give_grades(w)
    run = services.run_create(
        school=w.school, kind=kind, point=w.point, year_group=w.y11, form=form, by=w.data_manager.user
    )
    return make(run)


def published_run(w, **kwargs):
    run = finished_run(w, **kwargs)
    services.run_publish(run=run, by=w.data_manager.user)
    run.refresh_from_db()
    return run
