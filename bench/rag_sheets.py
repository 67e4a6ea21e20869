"""Benchmark: printed monthly RAG sheets on the demo school (WeasyPrint, A4, a page per mentee).

Budgets (issue 11): one mentor's sheets (15 mentees) in under 3 s; every mentor's sheets for a
300-pupil year group in under 60 s on 2 workers. The demo's mentors have 12 mentees each, so the
first is measured per mentee and scaled to 15. "2 workers" is two processes splitting the mentors.

    .venv/bin/python bench/rag_sheets.py [--runs 3]
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from _setup import setup

setup()

import logging  # noqa: E402

from django.db import connections  # noqa: E402

from mentoring.models import RagWindow  # noqa: E402
from mentoring.rag import pdf  # noqa: E402
from mentoring.rag.tasks import mentors_with_mentees  # noqa: E402
from tracking.lib import pdf as pdfs  # noqa: E402
from tracking.models import School, Staff  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

ONE_MENTOR_BUDGET = 3.0  # seconds for 15 mentees
EVERY_MENTOR_BUDGET = 60.0  # seconds for a 300-pupil year group on 2 workers


def _render(mentor_ids):
    """One worker's share: render these mentors' sheets (a fresh database connection per process)."""
    connections.close_all()
    window = RagWindow.objects.select_related("school", "academic_year").order_by("-month").first()
    mentors = list(Staff.objects.filter(pk__in=mentor_ids).select_related("user"))
    started = time.perf_counter()
    content, _ = pdf.render_many(window, mentors)
    return time.perf_counter() - started, len(content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    school = School.objects.get(is_demo=True)
    window = (
        RagWindow.objects.filter(school=school)
        .select_related("school", "academic_year")
        .order_by("-month")
        .first()
    )
    mentor = Staff.objects.select_related("user").get(user__username="mentor")
    pdf.render_mentor(window, mentor)  # warm fonts and templates, as a long-lived worker is
    samples, mentees = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        document, mentees = pdf.render_mentor(window, mentor)
        pdfs.write(document)
        samples.append(time.perf_counter() - started)
    one = statistics.median(samples)
    per_fifteen = one / mentees * 15
    print(
        f"one mentor: {mentees} mentees in {one:.2f} s median of {args.runs} (= {per_fifteen:.2f} s for 15); "
        f"budget {ONE_MENTOR_BUDGET:.0f} s"
    )
    mentors = mentors_with_mentees(window)
    halves = [[m.pk for m in mentors[0::2]], [m.pk for m in mentors[1::2]]]
    connections.close_all()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as workers:
        results = list(workers.map(_render, halves))
    every = time.perf_counter() - started
    pupils = sum(len(pdf.mentor_context(window, m)["pages"]) for m in mentors)
    print(
        f"every mentor: {len(mentors)} mentors, {pupils} pupils in {every:.1f} s on 2 workers "
        f"({', '.join(f'{s:.1f} s' for s, _ in results)}); budget {EVERY_MENTOR_BUDGET:.0f} s"
    )
    if per_fifteen > ONE_MENTOR_BUDGET or every > EVERY_MENTOR_BUDGET:
        print("OVER BUDGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
