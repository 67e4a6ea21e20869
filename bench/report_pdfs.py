"""Benchmark: report PDFs on the demo school. Budgets (issue 12):

- one report (data + PDF) in under 1 s on a warm worker;
- a 300-pupil year group with 2 workers in under 150 s, next to the floor: WeasyPrint alone rendering the
  same HTML in 2 processes (the ratio says what Uplift adds on top of WeasyPrint);
- worker memory under 500 MB through the batch;
- a stored report downloads in under 200 ms.

    .venv/bin/python bench/report_pdfs.py [--pupils 300] [--workers 2]

Writes a run into the configured database (and its files under MEDIA_ROOT), then deletes it.
"""

import argparse
import multiprocessing
import resource
import statistics
import sys
import time

from _setup import setup

setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from reports import data, pdf, services  # noqa: E402
from reports.models import PupilReport, ReportRun, ReportStatus  # noqa: E402
from tracking.models import AssessmentPoint, Pupil, School, YearGroup  # noqa: E402

ONE_REPORT_SECONDS = 1.0
BATCH_SECONDS = 150.0
WORKER_MB = 500
DOWNLOAD_MS = 200


def _render_worker(ids):
    connections.close_all()
    for pk in ids:
        services.report_render(report_id=pk)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor_worker(args):
    html, count = args
    from tracking.lib import pdf as pdfs

    for _ in range(count):
        pdfs.html_to_pdf(html)
    return count


def main():
    # The bench plays the workers itself: nothing is queued (with no broker it would run here, eagerly).
    services.safe_enqueue = lambda *args, **kwargs: None
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    school = School.objects.get(is_demo=True)
    y11 = YearGroup.objects.get(school=school, number=11)
    point = (
        AssessmentPoint.objects.filter(year_group=y11, academic_year__is_current=True)
        .order_by("sequence")
        .first()
    )
    pupil = (
        Pupil.objects.filter(year_group=y11, is_active=True)
        .select_related("school", "year_group", "form")
        .first()
    )
    fields = data.layout_fields(school, "year11")

    # One report, warm: data + PDF.
    frozen = data.build(pupil, point, kind="year11", fields=fields)
    pdf.render(frozen)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        frozen = data.build(pupil, point, kind="year11", fields=fields)
        _, pages = pdf.render(frozen)
        samples.append(time.perf_counter() - start)
    one = statistics.median(samples)
    print(f"one report: median {one:.2f} s over 5 ({pages} pages), budget {ONE_REPORT_SECONDS} s")

    # A year group with N workers (processes running the same service the Celery task runs).
    by = school.users.filter(username="datamanager").first()
    failures = []
    run = None
    try:
        start = time.perf_counter()
        run = services.run_create(school=school, kind="year11", point=point, year_group=y11, by=by)
        ids = list(PupilReport.objects.filter(run=run).values_list("pk", flat=True))[: args.pupils]
        PupilReport.objects.filter(run=run).exclude(pk__in=ids).delete()
        ReportRun.objects.filter(pk=run.pk).update(total=len(ids))
        chunks = [ids[i :: args.workers] for i in range(args.workers)]
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            peaks = pool.map(_render_worker, chunks)
        services.run_finish(run_id=run.pk)
        batch = time.perf_counter() - start
        made = PupilReport.objects.filter(run=run, status=ReportStatus.DONE).count()
        print(
            f"batch: {made} of {len(ids)} reports with {args.workers} workers in {batch:.1f} s "
            f"({made / batch:.2f}/s), budget {BATCH_SECONDS} s; worker peak memory {max(peaks):.0f} MB, "
            f"budget {WORKER_MB} MB"
        )

        # The floor: WeasyPrint alone on the same HTML, same processes, same run.
        html = pdf.html(frozen)
        count = max(len(ids) // 3, args.workers * 4)
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            done = sum(pool.map(_floor_worker, [(html, count // args.workers)] * args.workers))
        floor_rate = done / (time.perf_counter() - start)
        ratio = (made / batch) / floor_rate
        print(
            f"floor: WeasyPrint alone {floor_rate:.2f} reports/s on the same HTML; "
            f"Uplift runs at {ratio:.0%} of it"
        )

        # A stored report downloads.
        client = Client()
        client.force_login(by)
        report = PupilReport.objects.filter(run=run, status=ReportStatus.DONE).first()
        url = reverse("reports:report_download", args=[report.pk])
        client.get(url)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        download = statistics.median(times)
        print(f"download: median {download:.0f} ms over 20, budget {DOWNLOAD_MS} ms")

        if one > ONE_REPORT_SECONDS:
            failures.append("one report")
        if batch > BATCH_SECONDS * len(ids) / 300:
            failures.append("batch")
        if max(peaks) > WORKER_MB:
            failures.append("worker memory")
        if download > DOWNLOAD_MS:
            failures.append("download")
    finally:
        if run is not None:
            for report in PupilReport.objects.filter(run=run):
                if report.pdf:
                    report.pdf.delete(save=False)
            run = ReportRun.objects.get(pk=run.pk)
            for field in (run.zip_file, run.print_file):
                if field:
                    field.delete(save=False)
            run.delete()
        connection.close()
    if failures:
        print("MISSED BUDGET: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
