"""Report runs: one task per pupil, nothing twice, failures listed, a ZIP and a print PDF, publishing."""

import io
import zipfile

import pytest
from django.urls import reverse

from reports import services
from reports.models import PupilReport, ReportRun, ReportStatus, RunStatus
from tests.pdftext import pdf_pages, pdf_text
from tests.reports.helpers import finished_run, give_grades, make
from tracking.models import AuditEvent, GradeEntry

pytestmark = pytest.mark.django_db


def test_a_run_makes_one_report_per_pupil_a_zip_and_a_print_pdf(world):
    run = finished_run(world)
    assert run.status == RunStatus.DONE and run.total == 3 and run.seconds is not None
    reports = list(run.reports.all())
    assert {r.status for r in reports} == {ReportStatus.DONE}
    with run.zip_file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
    with run.print_file.open("rb") as handle:
        assert pdf_pages(handle.read()) == sum(r.pages for r in reports)


def test_the_run_queues_one_task_per_pupil_after_commit(world, django_capture_on_commit_callbacks):
    give_grades(world)
    with django_capture_on_commit_callbacks() as queued:
        run = services.run_create(
            school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
        )
    assert len(queued) == 3
    assert run.reports.filter(status=ReportStatus.PENDING).count() == 3


def _fails_for_ben(render):
    """pdf.render, except that Ben's report fails as a corrupt font cache would make it."""

    def broken(frozen):
        if frozen["pupil"]["first_name"] == "Ben":
            raise RuntimeError("the font cache is corrupt")
        return render(frozen)

    return broken


def test_a_batch_rendered_side_by_side_makes_each_report_and_lists_a_failure(world, monkeypatch):
    give_grades(world)
    monkeypatch.setattr(services.pdf, "render", _fails_for_ben(services.pdf.render))  # forks inherit it
    run = services.run_create(
        school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
    )
    services.reports_render(run.reports.values_list("pk", flat=True), processes=2)
    failed = run.reports.get(status=ReportStatus.FAILED)
    assert failed.pupil == world.classmate and "font cache is corrupt" in failed.error
    made = run.reports.filter(status=ReportStatus.DONE).select_related("pupil")
    assert len(made) == 2
    for report in made:
        with report.pdf.open("rb") as handle:
            content = handle.read()
        assert report.pupil.legal_last_name in pdf_text(content) and pdf_pages(content) == report.pages
        assert report.data["pupil"]["first_name"] == report.pupil.first_name


def test_a_report_is_never_made_twice_and_a_later_grade_change_never_alters_it(world):
    run = finished_run(world)
    report = run.reports.get(pupil=world.child)
    made_at, data = report.made_at, report.data
    entry = GradeEntry.objects.get(pupil=world.child, subject=world.maths, point=world.point)
    entry.predicted = entry.current
    entry.save()
    services.report_render(report_id=report.pk)  # a redelivered task after a worker died
    report.refresh_from_db()
    assert report.made_at == made_at and report.data == data and report.attempts == 1


def test_a_pupil_whose_render_fails_is_listed_with_the_reason_and_can_be_retried(world, monkeypatch, client):
    give_grades(world)
    real = services.pdf.render
    monkeypatch.setattr(services.pdf, "render", _fails_for_ben(real))
    run = services.run_create(
        school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
    )
    make(run)
    failed = run.reports.get(status=ReportStatus.FAILED)
    assert failed.pupil == world.classmate and "font cache is corrupt" in failed.error
    assert not failed.pdf
    with run.zip_file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    assert "Ben Ash" in archive.read("not-made.txt").decode()
    client.force_login(world.slt.user)
    page = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert "font cache is corrupt" in page and "Try these again" in page
    monkeypatch.setattr(services.pdf, "render", real)
    assert services.run_retry_failed(run=run, by=world.slt.user) == 1
    make(run)
    assert run.reports.filter(status=ReportStatus.DONE).count() == 3
    with run.zip_file.open("rb") as handle:
        assert "not-made.txt" not in zipfile.ZipFile(io.BytesIO(handle.read())).namelist()


def test_progress_is_polled_by_htmx_until_done(world, client, django_assert_max_num_queries):
    give_grades(world)
    run = services.run_create(
        school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
    )
    client.force_login(world.slt.user)
    url = reverse("reports:run_progress", args=[run.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert (
        'hx-trigger="every 2s"' in body and "0 of 3 made" in body and response["Cache-Control"] == "no-store"
    )
    make(run)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in response.content.decode() and response["HX-Refresh"] == "true"


def test_publishing_is_audited_and_regenerating_makes_a_new_version(
    world, client, django_assert_max_num_queries
):
    run = finished_run(world)
    client.force_login(world.data_manager.user)
    url = reverse("reports:run_detail", args=[run.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    client.post(url, {"action": "publish"})
    run.refresh_from_db()
    assert run.published_at is not None
    assert AuditEvent.objects.filter(action="reports.run.published", object_id=str(run.pk)).exists()
    response = client.post(url, {"action": "publish"})  # twice: a clear message, not a 500
    assert response.status_code == 302
    response = client.post(url, {"action": "regenerate"})
    newer = ReportRun.objects.get(replaces=run)
    assert newer.version == 2 and response["Location"] == reverse("reports:run_detail", args=[newer.pk])
    assert client.post(url, {"action": "nonsense"}).status_code == 404


def test_bad_run_requests_are_refused_clearly(world, client):
    client.force_login(world.data_manager.user)
    other_point = world.point.__class__.objects.create(
        school=world.school,
        academic_year=world.year,
        year_group=world.point.year_group.__class__.objects.create(school=world.school, number=9),
        name="Y9 Autumn",
        sequence=1,
        opens_on=world.point.opens_on,
        closes_on=world.point.closes_on,
    )
    for body in (
        {"kind": "year11", "year_group": world.y11.pk, "point": other_point.pk},
        {"kind": "nonsense", "year_group": world.y11.pk, "point": world.point.pk},
        {"kind": "year11", "year_group": "x", "point": world.point.pk},
        {},
    ):
        response = client.post(reverse("reports:run_list"), body)
        assert response.status_code == 200, body
        assert "There is a problem" in response.content.decode()
    assert not ReportRun.objects.exists() and not PupilReport.objects.exists()


def test_the_data_manager_chooses_the_fields_and_a_run_keeps_the_ones_it_was_made_with(world, client):
    client.force_login(world.data_manager.user)
    url = reverse("reports:settings")
    assert client.get(url).status_code == 200
    client.post(url, {"kind": "year11", "year11-fields": ["target", "current", "standing"]})
    run = finished_run(world)
    assert run.fields == ["target", "current", "standing"]
    with run.reports.get(pupil=world.child).pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Predicted" not in text and "Attendance" not in text
    response = client.post(url, {"kind": "year11"})  # nothing ticked: an error, nothing saved
    assert "Choose at least one field" in response.content.decode()
    assert client.post(url, {"kind": "nonsense"}).status_code == 404


def test_downloads_are_stored_files_not_cached_and_audited(world, client):
    run = finished_run(world)
    report = run.reports.get(pupil=world.child)
    client.force_login(world.slt.user)
    for name in ("reports:run_zip", "reports:run_print"):
        response = client.get(reverse(name, args=[run.pk]))
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        assert "attachment" in response["Content-Disposition"]
        assert response.content
    response = client.get(reverse("reports:report_download", args=[report.pk]))
    content = response.content
    assert "Ada Lamb" in pdf_text(content)
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="reports.report.downloaded", pupil=world.child).count() == 1


def test_an_end_of_year_run_can_report_last_years_grades_for_the_same_pupils(world):
    from datetime import timedelta

    from tests import factories as f

    last_year = f.AcademicYearFactory(
        school=world.school,
        name="2025/26",
        starts_on=world.year.starts_on - timedelta(days=365),
        ends_on=world.year.starts_on - timedelta(days=1),
        is_current=False,
    )
    y10 = f.YearGroupFactory(school=world.school, number=10)
    summer = f.AssessmentPointFactory(
        school=world.school, academic_year=last_year, year_group=y10, name="Y10 Summer 2", sequence=6
    )
    group = f.TeachingGroupFactory(
        school=world.school,
        academic_year=last_year,
        subject=world.maths,
        year_group=y10,
        name="10Ma1",
        pupils=[world.child],
    )
    f.GradeEntryFactory(
        school=world.school,
        pupil=world.child,
        subject=world.maths,
        point=summer,
        teaching_group=group,
        current=f.grade(world.school, "5"),
    )
    run = make(
        services.run_create(
            school=world.school,
            kind="end_of_year",
            point=summer,
            year_group=world.y11,
            form=world.form,
            by=world.slt.user,
        )
    )
    data = run.reports.get(pupil=world.child).data
    assert data["as_of"] == "Y10 Summer 2, Year 10" and data["pupil"]["year"] == 11
    assert [s["name"] for s in data["subjects"]] == ["Mathematics"]  # last year's subjects
    with pytest.raises(services.DomainError):
        services.run_create(
            school=world.school, kind="end_of_year", point=summer, year_group=y10, by=world.slt.user
        )


def test_a_busy_database_is_tried_again_and_the_report_is_made_once(world, monkeypatch):
    from django.db import OperationalError

    from reports import tasks

    give_grades(world)
    run = services.run_create(
        school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
    )
    report = run.reports.get(pupil=world.child)
    real, calls = services.report_render, []

    def busy_once(*, report_id):
        calls.append(report_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(report_id=report_id)

    monkeypatch.setattr(services, "report_render", busy_once)
    monkeypatch.setattr(tasks.render_report, "retry_backoff", False)
    tasks.render_report.apply(args=[report.pk], throw=False)  # eager: the retry runs at once
    report.refresh_from_db()
    assert len(calls) == 2 and report.status == ReportStatus.DONE and report.attempts == 1
