"""The family's page: their own children only, plain words, verified grades dated, reports to download."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import PupilReport
from tests import factories as f
from tests.reports.helpers import finished_run, give_grades, published_run
from tracking.models import AuditEvent, GradeEntry, Pupil

pytestmark = pytest.mark.django_db


def _verify(entries):
    """Make grades family-visible as the school does: verified (before snapshots existed: point locked)."""
    from django.utils import timezone

    snapshots = "verified_at" in {field.name for field in GradeEntry._meta.get_fields()}
    for entry in entries:
        if snapshots:
            entry.verified_current, entry.verified_predicted = entry.current, entry.predicted
            entry.verified_security, entry.verified_effort = entry.security, entry.effort
            entry.verified_at = timezone.now()
            entry.save()
        else:
            entry.point.is_locked = True
            entry.point.save(update_fields=["is_locked"])


def test_a_parent_sees_only_their_own_children_and_every_other_id_is_a_404(client, world):
    published_run(world)
    client.force_login(world.parent.user)
    assert client.get(reverse("reports:family_child", args=[world.child.pk])).status_code == 200
    for pupil in Pupil.objects.exclude(pk=world.child.pk):
        assert client.get(reverse("reports:family_child", args=[pupil.pk])).status_code == 404
    for report in PupilReport.objects.exclude(pupil=world.child):
        assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 404
    assert client.get("/reports/family/999999/").status_code == 404


def test_the_family_page_shows_verified_grades_dated_in_plain_words_with_reports_to_download(
    client, world, django_assert_max_num_queries
):
    give_grades(world)
    _verify(GradeEntry.objects.filter(pupil=world.child))
    run = published_run(world)
    client.force_login(world.parent.user)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reports:family_child", args=[world.child.pk]))
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "Ada's progress" in page and "Year 11" in page
    assert "The newest grades are from" in page and world.point.name in page or "Year 11</strong>" in page
    assert world.school.label_on in page  # the school's own words, from tracking.standing
    assert "Security" not in page and "(1 best)" not in page and "H/M/L" not in page
    assert "What the words mean" in page and "Expected at this stage" in page
    report = run.reports.get(pupil=world.child)
    assert reverse("reports:report_download", args=[report.pk]) in page
    response = client.get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="reports.report.downloaded", by=world.parent.user).count() == 1


def test_unverified_grades_and_unpublished_reports_are_invisible_to_families(client, world):
    run = finished_run(world)  # made, never published
    if "verified_at" in {field.name for field in GradeEntry._meta.get_fields()}:
        GradeEntry.objects.update(verified_at=None)  # entered, never verified
    client.force_login(world.parent.user)
    page = client.get(reverse("reports:family_child", args=[world.child.pk])).content.decode()
    assert "has not shared any grades yet" in page
    assert "No reports have been published" in page
    report = run.reports.get(pupil=world.child)
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 404
    client.force_login(world.teacher.user)  # staff preview it
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 200


def test_an_older_version_is_hidden_once_a_newer_one_is_published(client, world):
    old = published_run(world)
    newer = services.run_regenerate(run=old, by=world.data_manager.user)
    from tests.reports.helpers import make

    make(newer)
    client.force_login(world.parent.user)
    old_report = old.reports.get(pupil=world.child)
    assert client.get(reverse("reports:report_download", args=[old_report.pk])).status_code == 200
    services.run_publish(run=newer, by=world.data_manager.user)
    assert client.get(reverse("reports:report_download", args=[old_report.pk])).status_code == 404
    new_report = newer.reports.get(pupil=world.child)
    assert client.get(reverse("reports:report_download", args=[new_report.pk])).status_code == 200


def test_dropped_subjects_are_not_shown_and_last_years_grades_say_so(client, world):
    from datetime import timedelta

    give_grades(world)
    # This year's grades are not verified yet: families see only last year's.
    GradeEntry.objects.filter(point=world.point).update(verified_at=None)
    last_year = f.AcademicYearFactory(
        school=world.school,
        name="2025/26",
        starts_on=world.year.starts_on - timedelta(days=365),
        ends_on=world.year.starts_on - timedelta(days=1),
        is_current=False,
    )
    y10 = f.YearGroupFactory(school=world.school, number=10)
    old_point = f.AssessmentPointFactory(
        school=world.school,
        academic_year=last_year,
        year_group=y10,
        name="Y10 Summer 2",
        opens_on=world.point.opens_on - timedelta(days=150),
        closes_on=world.point.opens_on - timedelta(days=140),
    )
    latin = f.SubjectFactory(
        school=world.school, department=world.english.department, name="Latin", code="LA"
    )
    for subject in (world.maths, latin):
        f.GradeEntryFactory(
            school=world.school,
            pupil=world.child,
            subject=subject,
            point=old_point,
            current=f.grade(world.school, "4"),
        )
    _verify(GradeEntry.objects.filter(point=old_point))
    client.force_login(world.parent.user)
    page = client.get(reverse("reports:family_child", args=[world.child.pk])).content.decode()
    assert "Latin" not in page and "No target set" not in page
    assert "last school year" in page and "Year 10" in page
    assert "The school has not shared any Year 11 grades yet" in page


def test_the_parent_home_panel_links_to_each_childs_page(client, world):
    published_run(world)
    client.force_login(world.parent.user)
    page = client.get("/").content.decode()
    assert reverse("reports:family_child", args=[world.child.pk]) in page
    assert "1 report to download" in page
    assert reverse("reports:family_child", args=[world.other_child.pk]) not in page


def test_publishing_emails_each_family_once(world, settings):
    from django.core import mail

    settings.SITE_URL = "https://uplift.longfield.example"

    run = finished_run(world)
    world.parent.user.email = "ada.parent@example.com"
    world.parent.user.save()
    from reports.tasks import email_families

    services.run_publish(run=run, by=world.data_manager.user)
    sent = email_families(run.pk)
    to_ada = [m for m in mail.outbox if m.to == ["ada.parent@example.com"]]
    assert len(to_ada) == 1 and "Ada" in to_ada[0].subject
    # the worker has no request: the link is whole, so it works from a mail client
    link = "https://uplift.longfield.example" + reverse("reports:family_child", args=[world.child.pk])
    assert link in to_ada[0].body.split()
    assert sent == len(mail.outbox) == run.reports.count() - 1  # the classmate has no guardian


def test_support_planned_shows_on_the_report_and_this_weeks_on_the_family_page(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from interventions.models import Flag
    from reports import data

    today = timezone.localdate()
    for text, days in (("Maths catch-up with Mr Khan", 0), ("Revision clinic", 30)):
        Flag.objects.create(
            school=world.school,
            pupil=world.child,
            point=world.point,
            subject=world.maths,
            scope="subject",
            reason="Below target",
            raised_at=timezone.now(),
            action_text=text,
            action_due=today + timedelta(days=days),
        )
    frozen = data.build(world.child, world.point, kind="year11", fields=["interventions"])
    assert [item["what"] for item in frozen["interventions"]] == [
        "Maths catch-up with Mr Khan",
        "Revision clinic",
    ]
    client.force_login(world.parent.user)
    page = client.get(reverse("reports:family_child", args=[world.child.pk])).content.decode()
    this_week = page.split('id="support-h"')[1]
    assert "Maths catch-up with Mr Khan" in this_week


def test_the_same_report_published_twice_is_listed_once_the_newer_one(client, world):
    """A form's Year 11 reports, then the whole year group's from the same point: one to download."""
    first = published_run(world, form=world.form)
    second = published_run(world)
    client.force_login(world.parent.user)
    page = client.get(reverse("reports:family_child", args=[world.child.pk])).content.decode()
    newer = second.reports.get(pupil=world.child)
    older = first.reports.get(pupil=world.child)
    assert reverse("reports:report_download", args=[newer.pk]) in page
    assert reverse("reports:report_download", args=[older.pk]) not in page
