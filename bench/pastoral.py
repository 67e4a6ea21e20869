"""The SENCo's, tutors' and year leaders' pages (issue 13) against the 1,500-pupil demo school.

Budget: each page under 300 ms median (the site's page budget), with its SQL query count printed; the
count is the same at any school size (tests/test_query_caps.py and the pages' own tests pin it).
"""

import sys

from _setup import setup, timed, verdict

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tracking.models import FormGroup, Pupil, Role, StaffRole, User  # noqa: E402

BUDGET_MS = 300


def client_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


hoy = (
    StaffRole.objects.filter(role=Role.HEAD_OF_YEAR, staff__school__is_demo=True, year_group__number=11)
    .values_list("staff__user__username", flat=True)
    .first()
)
form = FormGroup.objects.filter(tutors__user__username="tutor.11a").first()
year11 = Pupil.objects.filter(school__is_demo=True, year_group__number=11, is_active=True).count()
sen = Pupil.objects.filter(school__is_demo=True, is_active=True).exclude(sen_status="N").count()
print(f"demo school: {year11} pupils in Year 11, {sen} SEN pupils; head of Year 11: {hoy}; form: {form}")

pages = [
    ("SEN view, whole school (SENCo)", "senco", "/interventions/sen/"),
    ("SEN view, head of maths", "hod.maths", "/interventions/sen/"),
    ("SEN view, a maths teacher", "teacher.maths", "/interventions/sen/"),
    ("year leaders' lists, SLT (newest point)", "slt", "/dashboard/year-lists/"),
    ("transition report, SLT", "slt", "/dashboard/transition/"),
    ("transition report PDF, SLT", "slt", "/dashboard/transition/?print=pdf"),
    ("year leaders' lists XLSX, SLT", "slt", "/dashboard/year-lists/?export=xlsx"),
]
if hoy:
    pages += [
        ("year leaders' lists, head of Year 11", hoy, "/dashboard/year-lists/"),
        ("transition report, head of Year 11", hoy, "/dashboard/transition/"),
    ]
if form:
    pages.append(("tutor's view of 11A", "tutor.11a", f"/dashboard/forms/{form.pk}/"))

missed = 0
for label, username, url in pages:
    client = client_for(username)
    assert client.get(url).status_code == 200, (username, url)
    executed = []

    def count(execute, sql, params, many, context, executed=executed):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    download = "print=pdf" in url or "export=" in url
    median, p90 = timed(lambda client=client, url=url: client.get(url), runs=5 if download else 15)
    over = not download and median >= BUDGET_MS
    missed += over
    note = " (download: not budgeted)" if download else (f" OVER BUDGET ({BUDGET_MS} ms)" if over else " OK")
    print(f"{label}: median {median:.0f} ms (p90 {p90:.0f} ms), {len(executed)} queries{note}")
sys.exit(verdict(not missed))
