"""The demo after `make run`: plans at three levels, the assistant SENCo allocating, 11A's timetable,
an absence on the mentor's follow-up list, and impact for SLT."""

from datetime import date

from django.urls import reverse

from interventions.plans.models import Plan
from interventions.sessions import panels as session_panels
from interventions.sessions.models import Allocation, AllocationStatus, SessionRequest
from tracking.demo import school

TODAY = date(2026, 11, 23)  # a Monday: Years 10 and 11 have a locked Autumn 1 point


def test_the_demo_school_has_plans_sessions_and_timetables_ready(client, db):
    built = school.build(pupils=150, seed=3, today=TODAY)
    assert set(Plan.objects.values_list("tier", flat=True)) == {"department", "key_stage", "form_tutor"}
    assert len(set(Plan.objects.values_list("level", flat=True))) >= 2
    week = TODAY.isoformat()
    # This week is allocated and confirmed: 11A's tutor downloads the form's timetable.
    assert Allocation.objects.filter(
        status=AllocationStatus.CONFIRMED, session__date__gte=TODAY, pupil__form__name="11A"
    ).exists()
    tutor = built.staff["tutor.11a"].user
    panel = session_panels.tutor_timetables(tutor)  # the home page's "Intervention timetable" panel
    assert session_panels.tutors_a_form(tutor) and [f.name for f in panel["forms"]] == ["11A"]
    client.force_login(tutor)
    form = panel["forms"][0]
    pdf = client.get(reverse("interventions:timetable_pdf", args=[form.pk]) + f"?week={week}")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    # The assistant SENCo allocates next week's waiting requests.
    client.force_login(built.staff["senco.assistant"].user)
    url = reverse("interventions:allocation") + "?week=2026-11-30"
    assert SessionRequest.objects.filter(week_start=date(2026, 11, 30), status="pending").exists()
    client.post(url, {"step": "propose", "week": "2026-11-30"})
    client.post(url, {"step": "confirm", "week": "2026-11-30"})
    assert Allocation.objects.filter(session__date__gte=date(2026, 11, 30), status="confirmed").exists()
    # Last week's absence reaches the mentor.
    client.force_login(built.staff["mentor"].user)
    assert client.get(reverse("interventions:follow_ups")).context["rows"]
    # SLT see impact against similar pupils: last year's plans and sessions, measured at locked points
    # since, some across the two years (Year 10's summer to Year 11's autumn).
    client.force_login(built.staff["slt"].user)
    page = client.get(reverse("interventions:impact"))
    kinds = {k.key: k for k in page.context["kinds"]}
    assert {"plan-department-1", "plan-department-2", "session-after_school"} <= set(kinds)
    assert all(k.n and k.comparison_mean is not None for k in kinds.values())
    detail = page.context["detail"]
    assert all(d["start"].is_locked and d["end"].is_locked for d in detail)
    assert any(d["start"].academic_year_id != d["end"].academic_year_id for d in detail)
