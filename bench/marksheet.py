"""Marksheet budgets on the 1,500-pupil demo school: render < 100 ms, save < 200 ms (medians).

    .venv/bin/python bench/marksheet.py

Builds the demo school with seed_demo if the configured database has none. The saves are real: each
one commits, and the commit is part of its time, so they change one demo sheet (make bench runs on a
throwaway database).
"""

import statistics
import sys
import time
from urllib.parse import urlencode

from _setup import setup

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from tracking import permissions  # noqa: E402
from tracking.marksheets import queries, windows  # noqa: E402
from tracking.models import GradeEntry, User  # noqa: E402

RUNS = 20
FORM = "application/x-www-form-urlencoded"  # what browsers send for the sheet and htmx for a row
RENDER_BUDGET_MS, SAVE_BUDGET_MS = 100, 200


class QueryCounter:
    """Counts SQL statements (CaptureQueriesContext misses them: each request resets the query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self):
        return self.count


def counting():
    counter = QueryCounter()
    return counter, connection.execute_wrapper(counter)


def median_ms(func, runs=RUNS, before=None):
    times = []
    for i in range(runs):
        if before:
            before(i)
        start = time.perf_counter()
        func(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded demo data has no planner statistics yet; autovacuum would soon add them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.get(username="teacher.maths")
    summaries = queries.sheets_for(permissions.groups_for_marksheets(user))
    summary = max(summaries, key=lambda s: (s.pupils, s.group.year_group.number))
    group, point = summary.group, summary.point
    url = reverse("marksheet", args=[group.pk, point.pk])
    print(f"Sheet: {group.name} at {point.name}, {summary.pupils} pupils, fields {windows.collected(point)}")

    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm up

    captured, wrapper = counting()
    with wrapper:
        client.get(url)
    render = median_ms(lambda i: client.get(url))

    pupils = list(group.pupils.filter(is_active=True))
    codes = [("5", "6", "M", "2"), ("6", "7", "H", "1")]
    posts = {}

    def prepare(i):
        entries = {e.pupil_id: e for e in GradeEntry.objects.filter(point=point, subject=group.subject)}
        data = {}
        current, predicted, security, effort = codes[i % 2]
        for pupil in pupils:
            entry = entries.get(pupil.pk)
            was = queries.entry_codes(entry)
            data[f"r-{pupil.pk}-version"] = str(entry.version if entry else 0)
            for name, value in (
                ("current", current),
                ("predicted", predicted),
                ("security", security),
                ("effort", effort),
                ("comment", "Bench"),
            ):
                data[f"r-{pupil.pk}-{name}"] = value
                data[f"r-{pupil.pk}-was-{name}"] = was[name]
        posts[i] = data

    def save(i):
        response = client.post(url, urlencode(posts[i]), content_type=FORM)
        assert response.status_code == 302, response.status_code

    save_ms = median_ms(save, before=prepare)
    prepare(RUNS)
    save_queries, wrapper = counting()
    with wrapper:
        save(RUNS)

    row_url = reverse("marksheet_row", args=[group.pk, point.pk, pupils[0].pk])

    def save_row(i):
        response = client.post(
            row_url, urlencode(posts[i]), content_type=FORM, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200, response.status_code

    row_ms = median_ms(save_row, before=prepare)
    list_ms = median_ms(lambda i: client.get(reverse("marksheet_list")))

    print(
        f"Render marksheet: median {render:.1f} ms over {RUNS} ({len(captured)} queries), "
        f"budget {RENDER_BUDGET_MS} ms"
    )
    print(
        f"Save whole sheet (every cell changed): median {save_ms:.1f} ms over {RUNS}, "
        f"budget {SAVE_BUDGET_MS} ms"
    )
    print(f"  queries per save: {len(save_queries)}")
    print(f"Autosave one row: median {row_ms:.1f} ms over {RUNS}")
    print(f"My marksheets page: median {list_ms:.1f} ms over {RUNS}")
    ok = render < RENDER_BUDGET_MS and save_ms < SAVE_BUDGET_MS
    print("Budgets:", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
