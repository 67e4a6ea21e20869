"""Plans: from a flag in one step, the Laude fields, reviews with notices, who sees them, warnings, paper."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from interventions.models import Flag, FlagStatus, Scope
from interventions.plans import services, warnings
from interventions.plans.models import Decision, Plan, PlanStatus, Tier
from tests import factories as f
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent

from ..helpers import child_flag, child_plan, grade, later_point


@pytest.fixture
def graded(world):
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.english, "5", "5")
    return world


def test_a_flag_becomes_a_plan_in_one_step_filled_in_from_the_flag(client, graded):
    w = graded
    flag = child_flag(w, Scope.SUBJECT)
    client.force_login(w.hod.user)
    response = client.post(reverse("interventions:plan_from_flag", args=[flag.pk]))
    plan = Plan.objects.get(flag=flag)
    assert response.status_code == 302 and response["Location"] == reverse(
        "interventions:plan_detail", args=[plan.pk]
    )
    assert (plan.tier, plan.level, plan.owner, plan.form) == (Tier.DEPARTMENT, 2, w.hod, w.form)
    assert plan.reason == flag.reason and plan.department == w.maths.department
    assert list(plan.subjects.all()) == [w.maths]
    assert plan.start_standing[0]["grade"] == "4" and plan.start_standing[0]["target"] == "6"
    assert plan.start_standing[0]["gap"] == -2
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACTIONED
    assert AuditEvent.objects.filter(action="interventions.plan.created", object_id=str(plan.pk)).exists()
    # A second click opens the same plan.
    client.post(reverse("interventions:plan_from_flag", args=[flag.pk]))
    assert Plan.objects.filter(flag=flag).count() == 1


def test_plans_come_at_all_three_levels_from_their_flags(graded):
    w = graded
    tiers = {scope: child_plan(w, scope).tier for scope in (Scope.SUBJECT, Scope.KEY_STAGE, Scope.FORM_TUTOR)}
    assert tiers == {
        Scope.SUBJECT: Tier.DEPARTMENT,
        Scope.KEY_STAGE: Tier.KEY_STAGE,
        Scope.FORM_TUTOR: Tier.FORM_TUTOR,
    }
    # A tutor's plan is about the subjects below target at the flag's point.
    tutor_plan = Plan.objects.get(tier=Tier.FORM_TUTOR)
    assert list(tutor_plan.subjects.all()) == [w.maths]


def test_the_plan_page_shows_the_laude_fields_and_standing(client, graded):
    w = graded
    plan = child_plan(w)
    client.force_login(w.tutor.user)
    page = client.get(reverse("interventions:plan_detail", args=[plan.pk])).content.decode()
    for text in (
        "Reason for referral",
        "What will be done",
        "Parents informed",
        "Parent tutorial",
        "On report",
    ):
        assert text in page
    assert "2 below" in page


@pytest.mark.parametrize("persona", ["tutor", "hoy", "mentor", "slt", "hod"])
def test_the_pupils_pastoral_staff_and_slt_see_the_plan(client, graded, persona):
    plan = child_plan(graded)
    client.force_login(getattr(graded, persona).user)
    assert client.get(reverse("interventions:plan_detail", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["teacher", "other_teacher", "parent", "other_parent"])
def test_a_plan_is_hidden_from_subject_teachers_and_parents(client, graded, persona):
    plan = child_plan(graded)
    client.force_login(getattr(graded, persona).user)
    assert client.get(reverse("interventions:plan_detail", args=[plan.pk])).status_code == 404


def test_another_schools_slt_cannot_open_the_plan(client, graded, other_world):
    plan = child_plan(graded)
    client.force_login(other_world.slt.user)
    assert client.get(reverse("interventions:plan_detail", args=[plan.pk])).status_code == 404


def test_the_owner_records_parents_tutorial_and_report_and_it_is_audited(client, graded):
    w = graded
    plan = child_plan(w)
    client.force_login(w.hod.user)
    data = {
        "action": "save", "level": 2, "subjects": [w.maths.pk], "reason": plan.reason,
        "actions": "Extra homework",
        "owner": w.hod.pk, "review_date": "2026-12-18", "parents_informed_on": "2026-11-25",
        "parents_informed_how": "email", "parent_tutorial_on": "2026-12-02", "on_report_from": "2026-12-01",
        "on_report_until": "2026-12-12", "finished_on": "",
    }  # fmt: skip
    response = client.post(reverse("interventions:plan_detail", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.parent_tutorial_on == date(2026, 12, 2) and plan.on_report_until == date(2026, 12, 12)
    event = AuditEvent.objects.get(action="interventions.plan.changed", object_id=str(plan.pk))
    assert event.after["parents_informed_how"] == "email" and event.before["parents_informed_how"] == ""


def test_a_parent_tutorial_on_a_level_1_plan_is_refused_and_nothing_is_saved(graded):
    w = graded
    plan = child_plan(w)
    with pytest.raises(DomainError) as error:
        services.plan_update(plan=plan, by=w.hod.user, level=1, parent_tutorial_on=date(2026, 12, 2))
    assert error.value.code == "tutorial_level"
    plan.refresh_from_db()
    assert plan.level == 2 and plan.parent_tutorial_on is None
    assert not AuditEvent.objects.filter(action="interventions.plan.changed").exists()


def test_a_bad_date_on_the_form_is_a_clear_error_not_a_500(client, graded):
    w = graded
    plan = child_plan(w)
    client.force_login(w.hod.user)
    response = client.post(
        reverse("interventions:plan_detail", args=[plan.pk]),
        {"action": "save", "level": 2, "reason": "x", "owner": w.hod.pk, "on_report_until": "2026-12-01"},
    )
    assert response.status_code == 200
    assert "Give the date the pupil went on report." in response.content.decode()


def _later_point(w):
    point = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Spring 1",
        sequence=w.point.sequence + 1,
        is_locked=True,
    )  # fmt: skip
    grade(w, w.child, w.maths, "5", point=point)
    return point


def test_stepping_up_after_a_tracking_event_raises_the_level_and_emails_owner_tutor_and_mentor(
    graded, django_capture_on_commit_callbacks
):
    w = graded
    for person in (w.hod, w.tutor, w.mentor):
        person.user.email = f"{person.user.username}@example.org"
        person.user.save()
    plan = child_plan(w)
    point = _later_point(w)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = services.plan_review(
            plan=plan, point=point, decision=Decision.STEP_UP, by=w.hod.user, note="No change"
        )
    plan.refresh_from_db()
    assert (plan.level, review.level_before, review.level_after) == (3, 2, 3)
    assert review.standing[0]["grade"] == "5"
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {w.hod.user.email, w.tutor.user.email, w.mentor.user.email}
    assert "stepped up to level 3" in mail.outbox[0].subject


def test_ending_a_plan_finishes_it_and_a_second_review_of_the_same_event_is_refused(graded):
    w = graded
    plan = child_plan(w)
    point = _later_point(w)
    services.plan_review(plan=plan, point=point, decision=Decision.END, by=w.hod.user)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ENDED and plan.finished_on is not None
    with pytest.raises(DomainError):
        services.plan_review(plan=plan, point=point, decision=Decision.CONTINUE, by=w.hod.user)


def test_a_review_must_follow_a_later_tracking_event(graded):
    w = graded
    plan = child_plan(w)
    with pytest.raises(DomainError) as error:
        services.plan_review(plan=plan, point=w.point, decision=Decision.CONTINUE, by=w.hod.user)
    assert error.value.code == "not_later"


def test_the_plan_list_counts_the_owners_plans_due_a_review_until_they_are_reviewed(client, graded):
    w = graded
    plan = child_plan(w)
    client.force_login(w.hod.user)
    url = reverse("interventions:plan_list")
    assert client.get(url).context["due"] == 0
    point = _later_point(w)
    page = client.get(url)
    assert page.context["due"] == 1 and "1 of your plans is due a review." in page.content.decode()
    client.force_login(w.slt.user)  # sees the plan but does not own it
    assert client.get(url).context["due"] == 0
    services.plan_review(plan=plan, point=point, decision=Decision.CONTINUE, by=w.hod.user)
    client.force_login(w.hod.user)
    assert client.get(url).context["due"] == 0


def test_two_level_3_plans_warn(graded):
    w = graded
    a = child_plan(w, Scope.SUBJECT)
    b = child_plan(w, Scope.KEY_STAGE)
    for plan in (a, b):
        services.plan_update(plan=plan, by=w.slt.user, level=3)
    assert any("2 level-3 plans" in m for m in warnings.for_pupil(w.child))


def test_several_departments_inviting_the_same_parents_within_two_weeks_warn(graded):
    w = graded
    maths = child_plan(w, Scope.SUBJECT)
    english_flag = Flag.objects.create(
        school=w.school, pupil=w.child, point=w.point, scope=Scope.SUBJECT, subject=w.english, level=2,
        reason="English", raised_at="2026-11-20T10:00:00Z", source="manual",
    )  # fmt: skip
    english, _ = services.plan_from_flag(flag=english_flag, by=w.slt.user)
    services.plan_update(plan=maths, by=w.slt.user, parent_tutorial_on=date(2026, 12, 1))
    services.plan_update(plan=english, by=w.slt.user, parent_tutorial_on=date(2026, 12, 10))
    found = warnings.for_pupil(w.child)
    assert any("several departments" in m and "Mathematics" in m and "English" in m for m in found)
    services.plan_update(
        plan=english, by=w.slt.user, parent_tutorial_on=date(2026, 12, 1) + timedelta(days=20)
    )
    assert not any("several departments" in m for m in warnings.for_pupil(w.child))


def test_the_plan_list_exports_csv_and_xlsx_and_prints(client, graded):
    w = graded
    child_plan(w)
    client.force_login(w.slt.user)
    csv = client.get(reverse("interventions:plan_export", args=["csv"]))
    assert csv["Content-Type"].startswith("text/csv") and "Lamb, Ada" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("interventions:plan_export", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("interventions:plan_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_the_plans_print_is_the_page_on_screen_filtered_sorted_and_one_page_of_it(
    client, graded, monkeypatch
):
    """A school's plans run to hundreds: paper holds the page on screen and says which (the CSV holds all)."""
    from interventions.plans import views
    from tests.pdftext import pdf_text

    w = graded
    monkeypatch.setattr(views, "PLANS_PER_PAGE", 1)
    child_plan(w, Scope.SUBJECT)
    child_plan(w, Scope.FORM_TUTOR)
    Plan.objects.create(
        school=w.school, pupil=w.classmate, tier=Tier.FORM_TUTOR, level=1, reason="Homework",
        start_date=date(2026, 11, 2), created_at="2026-11-02T10:00:00Z", status=PlanStatus.ENDED,
    )  # fmt: skip
    client.force_login(w.slt.user)
    query = "status=active&sort=-tier&page=2"
    page = client.get(f"{reverse('interventions:plan_list')}?{query}").content.decode()
    assert f"{reverse('interventions:plan_pdf')}?{query.replace('&', '&amp;')}" in page
    text = " ".join(pdf_text(client.get(f"{reverse('interventions:plan_pdf')}?{query}").content).split())
    assert "2 plans · filtered by Status: Active · printed by" in text
    assert "Rows 2–2 of 2: page 2 of 2, as on screen, sorted by Plan, descending." in text
    assert "Head of" in text and "Form tutor" not in text  # Ada's plans, Z to A: the second
    assert w.classmate.sorted_name not in text  # ended: filtered out
    assert len(read_csv_rows(client, query)) == 1 + 2  # the heading and every active plan


def read_csv_rows(client, query):
    body = client.get(f"{reverse('interventions:plan_export', args=['csv'])}?{query}").content
    return body.decode("utf-8-sig").strip().splitlines()


def test_an_unknown_export_format_is_a_404(client, graded):
    client.force_login(graded.slt.user)
    assert client.get(reverse("interventions:plan_export", args=["exe"])).status_code == 404


def test_pdfs_refuse_to_fetch_anything_but_uplift_static_and_data_uris():
    from tracking.lib import pdf as pdfs

    fetcher = pdfs.url_fetcher()
    for url in ("http://example.org/x.png", "file:///etc/passwd", "https://169.254.169.254/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(pdfs.BASE_URL + "static/css/interventions-print.css") is not None
    assert fetcher.fetch("data:text/plain,hi") is not None


def test_the_ks_sheet_lists_flagged_pupils_and_makes_a_target_group(client, graded):
    w = graded
    w.point.is_locked = True
    w.point.save()
    child_flag(w, Scope.KEY_STAGE)
    client.force_login(w.hoy.user)
    page = client.get(reverse("interventions:ks_sheet"))
    assert page.status_code == 200 and [r["pupil"] for r in page.context["rows"]] == [w.child]
    response = client.post(
        reverse("interventions:ks_sheet"), {"name": "Borderline maths", "pupil": [w.child.pk]}
    )
    group = w.child.target_groups.get()
    assert response.status_code == 302 and group.name == "Borderline maths" and group.key_stage == 4
    page = client.get(reverse("interventions:target_group_detail", args=[group.pk]))
    assert page.context["rows"][0]["now"] == 1


def test_the_ks_sheet_counts_subjects_below_at_the_flags_verified_point_not_the_open_window(client, graded):
    w = graded  # at w.point: maths 4 against 6 (below), English 5 against 5 (on)
    w.point.is_locked = True
    w.point.save()
    child_flag(w, Scope.KEY_STAGE)
    # The next window is open and half filled: both subjects are far below there, and not yet verified.
    window = later_point(w, academic_year=w.year, name="Y11 Spring 1", is_locked=False)
    grade(w, w.child, w.maths, "2", point=window)
    grade(w, w.child, w.english, "2", point=window)
    client.force_login(w.hoy.user)
    page = client.get(reverse("interventions:ks_sheet"))
    assert [(r["pupil"], r["below"]) for r in page.context["rows"]] == [(w.child, 1)]
    export = client.get(reverse("interventions:ks_sheet") + "?export=csv").content.decode("utf-8-sig")
    assert "Lamb, Ada" in export and ",1,L" in export


def test_before_this_years_first_review_is_verified_the_ks_sheet_shows_last_summers_flags(client, graded):
    w = graded  # this year's point is still open for entry
    last_year = f.AcademicYearFactory(
        school=w.school, name="2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
        is_current=False,
    )  # fmt: skip
    summer = f.AssessmentPointFactory(
        school=w.school, academic_year=last_year, name="Y10 Summer 2", is_locked=True,
        year_group=f.YearGroupFactory(school=w.school, number=10),
    )  # fmt: skip
    flag = child_flag(w, Scope.KEY_STAGE)
    flag.point = summer
    flag.save()
    client.force_login(w.hoy.user)
    page = client.get(reverse("interventions:ks_sheet"))
    assert [r["pupil"] for r in page.context["rows"]] == [w.child]
    assert "latest tracking event (Y10 Summer 2 of 2025/26)" in page.content.decode()
    assert "Y10 Summer 2, 2025/26" in client.get(reverse("interventions:flag_list")).content.decode()
    # Once this year's review is verified, it is the latest tracking event and last summer's is history.
    w.point.is_locked = True
    w.point.save()
    page = client.get(reverse("interventions:ks_sheet"))
    assert page.context["rows"] == [] and f"latest tracking event ({w.point.name})" in page.content.decode()


def test_owners_hear_their_plans_are_due_a_review_when_a_cycle_reaches_actions(
    graded, django_capture_on_commit_callbacks
):
    from interventions import handlers
    from tracking.cycle.services import cycle_create

    w = graded
    child_plan(w)
    cycle = cycle_create(school=w.school, academic_year=w.year, name="Spring 1 uplift", points=[w.point])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handlers.on_cycle_stage_entered(sender=None, cycle=cycle, stage="actions")
    review_mail = [m for m in mail.outbox if "to review" in m.subject]
    assert len(review_mail) == 1 and review_mail[0].to == [w.hod.user.email]
    assert "Ada Lamb: level 2" in review_mail[0].body
