"""Completion page for the whole school (budget: under 300 ms median) and the Year 11 maths master grid,
against the 1,500-pupil demo school. Prints median / p90 server time and the SQL query count."""

import statistics
import sys
import time

from _setup import setup, timed, verdict

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tracking.models import School, Subject, User  # noqa: E402
from tracking.oversight import completion  # noqa: E402

school = School.objects.get(is_demo=True)
maths = Subject.objects.get(school=school, code="MA")
client = Client()
client.force_login(User.objects.get(username="datamanager"))
hod = Client()
hod.force_login(User.objects.get(username="hod.maths"))

points = completion.default_points(completion.points_for_selection(school))
result = completion.completion_for(points)
overall = result.overall
print(
    f"demo school: {len(points)} open points, {overall.total} sheets "
    f"({overall.complete} complete, {overall.in_progress} in progress, {overall.not_started} not started), "
    f"{overall.cells_total} cells"
)

pages = [
    ("completion page, whole school (chase list)", client, "/completion/", 300),
    ("completion page, whole school (by group)", client, "/completion/?view=group", 300),
    ("completion page, head of maths", hod, "/completion/", 300),
    ("master grid, Y11 mathematics", client, f"/master/{maths.pk}/?year=11", None),
    ("master grid export, Y11 mathematics (xlsx)", client, f"/master/{maths.pk}/export.xlsx?year=11", None),
]
missed = 0
for label, c, url, budget in pages:
    assert c.get(url).status_code == 200, url
    # A request resets the query log when it starts, so count through the execute wrapper instead.
    executed = []

    def count(execute, sql, params, many, context, executed=executed):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        c.get(url)
    median, p90 = timed(lambda c=c, url=url: c.get(url), runs=20)
    # CPU time of this process (SQLite runs in-process): the figure a busy shared machine inflates least.
    cpu = []
    for _ in range(20):
        started = time.process_time()
        c.get(url)
        cpu.append((time.process_time() - started) * 1000)
    cpu_median = statistics.median(cpu)
    over = budget is not None and median >= budget
    missed += over
    note = "" if budget is None else (f" OVER BUDGET ({budget} ms)" if over else " OK")
    print(
        f"{label}: median {median:.0f} ms (p90 {p90:.0f} ms), CPU median {cpu_median:.0f} ms, "
        f"{len(executed)} queries{note}"
    )
sys.exit(verdict(not missed))
