"""Health-check numbers on hand-worked pupils, the pages, the chart, the PDF, and query counts."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f
from tests.pdftext import pdf_pages, pdf_text
from tracking.cycle import services
from tracking.cycle.health import health_checks_generate, totals
from tracking.models import HealthCheck

pytestmark = pytest.mark.django_db

DATES = services.default_dates(date(2026, 11, 2))


@pytest.fixture
def worked(world):
    """child: maths 5 against a target of 7 (2 below), up from 4; disadvantaged.
    classmate: maths 3 against 3 (on target, below grade 4), level with last time; male.
    other_child: in a maths group, no grade entered."""
    school = world.school
    world.child.disadvantaged = True
    world.child.save()
    world.classmate.gender = "M"
    world.classmate.save()
    before = f.AssessmentPointFactory(
        school=school, academic_year=world.year, year_group=world.y11, sequence=0
    )
    for pupil, now, then, target in ((world.child, "5", "4", "7"), (world.classmate, "3", "3", "3")):
        grade = f.grade(school, now)
        f.GradeEntryFactory(  # a complete row: every field the point collects but the comment
            pupil=pupil,
            subject=world.maths,
            point=world.point,
            current=grade,
            predicted=grade,
            security="M",
            effort=2,
        )
        f.GradeEntryFactory(pupil=pupil, subject=world.maths, point=before, current=f.grade(school, then))
        f.TargetFactory(pupil=pupil, subject=world.maths, grade=f.grade(school, target))
    cycle = services.cycle_create(
        school=school, academic_year=world.year, name="Autumn 2", points=[world.point], dates=DATES
    )
    health_checks_generate(cycle=cycle)
    return cycle


def group(check, key):
    return next(row for row in check.data["groups"] if row["key"] == key)


def test_department_totals_match_the_hand_worked_pupils(worked, world):
    check = HealthCheck.objects.get(cycle=worked, department=world.maths.department)
    row = totals(check)
    assert (row["expected"], row["entered"], row["completion_pct"]) == (3, 2, 66.7)
    assert (row["with_target"], row["on_target"], row["on_target_pct"]) == (2, 1, 50.0)
    assert (row["below_2"], row["below_4"]) == (1, 1)
    assert (row["compared"], row["up"], row["down"]) == (2, 1, 0)


def test_groups_break_the_numbers_down(worked, world):
    check = HealthCheck.objects.get(cycle=worked, department=world.maths.department)
    pp = group(check, "pp")
    assert (pp["expected"], pp["entered"], pp["on_target"], pp["below_2"], pp["up"]) == (1, 1, 0, 1, 1)
    male = group(check, "male")
    assert (male["entered"], male["on_target"], male["below_4"]) == (1, 1, 1)
    assert group(check, "non_pp")["expected"] == 2


def test_a_department_with_pupils_but_no_grades_shows_zero_completion(worked, world):
    check = HealthCheck.objects.get(cycle=worked, department=world.english.department)
    assert (totals(check)["expected"], totals(check)["entered"], totals(check)["completion_pct"]) == (
        3,
        0,
        0.0,
    )


def test_regenerating_changes_nothing(worked, world):
    first = HealthCheck.objects.get(cycle=worked, department=world.maths.department).data
    health_checks_generate(cycle=worked)
    assert HealthCheck.objects.filter(cycle=worked).count() == 2
    assert HealthCheck.objects.get(cycle=worked, department=world.maths.department).data == first


def test_head_of_department_reads_their_health_check_with_the_filtered_pupil_list(worked, world, client):
    client.force_login(world.hod.user)
    url = reverse("health_check_detail", args=[worked.pk, world.maths.department_id])
    page = client.get(url, {"standing": "below_2"}).content.decode()
    assert world.child.sorted_name in page and world.classmate.sorted_name not in page
    page = client.get(url, {"standing": "below_4"}).content.decode()
    assert world.classmate.sorted_name in page and world.child.sorted_name not in page
    page = client.get(url, {"disadvantaged": "true"}).content.decode()
    assert world.child.sorted_name in page and world.classmate.sorted_name not in page


def test_head_of_department_cannot_open_another_departments_health_check(worked, world, client):
    client.force_login(world.hod.user)
    url = reverse("health_check_detail", args=[worked.pk, world.english.department_id])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["health_check_detail", "health_check_chart", "health_check_pdf"])
def test_a_department_id_too_big_for_the_database_is_not_found(worked, world, client, name):
    client.force_login(world.slt.user)
    url = reverse(name, args=[worked.pk, 2**63])
    assert client.get(url).status_code == 404


def test_the_chart_is_an_svg_without_script(worked, world, client):
    client.force_login(world.slt.user)
    response = client.get(reverse("health_check_chart", args=[worked.pk, world.maths.department_id]))
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body


def test_the_pdf_says_whose_check_it_is_with_its_figures_and_the_pupils_below_target(worked, world, client):
    client.force_login(world.hod.user)
    response = client.get(reverse("health_check_pdf", args=[worked.pk, world.maths.department_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('filename="health-check-mathematics-autumn-2.pdf"')
    lines = [" ".join(line.split()) for line in pdf_text(response.content).splitlines() if line.strip()]
    assert lines[0] == "Health check: Mathematics"
    assert lines[1].startswith(f"{world.school.name} · Autumn 2 ({world.year}) · Y11 Autumn 2 · data of ")
    # Completion: child and classmate entered, other_child not; on target: the classmate only.
    figures = next(i for i, line in enumerate(lines) if line.startswith("66.7% 50.0%"))
    assert any(line.startswith("2 of 3") and "1 of 2" in line for line in lines[figures : figures + 5]), lines
    # Expected, entered, complete, % on target, % complete.
    assert any(line.startswith("All pupils 3 2 2 66.7 50.0") for line in lines), lines
    assert any(line.startswith("Mathematics 3 2 2 66.7 50.0") for line in lines), lines
    # The one pupil below the grade expected now, with grade, target, expected now and standing in words.
    assert "Pupils below the grade expected now (1)" in lines
    assert any(
        line.startswith("Lamb, Ada 11A Mathematics") and line.endswith("5 7 7 Well below target (-2) PP")
        for line in lines
    )
    assert not any("Ash, Ben" in line for line in lines)
    assert lines[-1] == "Page 2 of 2"
    assert pdf_pages(response.content) == 2


def _grow(world, n):
    for _ in range(n):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11)
        world.group.pupils.add(pupil)
        f.GradeEntryFactory(
            pupil=pupil, subject=world.maths, point=world.point, current=f.grade(world.school, "4")
        )
        f.TargetFactory(pupil=pupil, subject=world.maths, grade=f.grade(world.school, "6"))


def test_the_pdf_lists_the_pupils_furthest_below_and_says_where_the_rest_are(
    worked, world, client, monkeypatch
):
    """A large department has hundreds below: the PDF lists so many, furthest below first."""
    from tracking.cycle import views

    monkeypatch.setattr(views, "HEALTH_PDF_BELOW", 2)
    _grow(world, 2)  # two more 2 grades below, as Ada is: three below, two listed
    health_checks_generate(cycle=worked)
    client.force_login(world.hod.user)
    response = client.get(reverse("health_check_pdf", args=[worked.pk, world.maths.department_id]))
    text = " ".join(pdf_text(response.content).split())
    assert "Pupils below the grade expected now (3, the 2 furthest below)" in text
    assert "Every one of them is on the health check's page, and in its CSV and XLSX downloads." in text
    table = text.split("furthest below)")[1]
    assert table.count("Well below target") == 2


def test_health_check_page_query_count_is_fixed_as_pupils_grow(
    worked, world, client, django_assert_num_queries
):
    url = reverse("health_check_detail", args=[worked.pk, world.maths.department_id])
    client.force_login(world.hod.user)
    client.get(url)
    # The pupil list reads its page's ids, then those rows with their standing: one read more, each
    # far cheaper for the database to plan than the sorted, filtered page with its standing.
    with django_assert_num_queries(15) as small:
        client.get(url)
    _grow(world, 6)
    health_checks_generate(cycle=worked)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_calendar_query_count_is_fixed_as_cycles_grow(worked, world, client, django_assert_num_queries):
    client.force_login(world.data_manager.user)
    client.get(reverse("cycle_calendar"))
    with django_assert_num_queries(8) as few:
        client.get(reverse("cycle_calendar"))
    for n in range(3):
        point = f.AssessmentPointFactory(
            school=world.school, academic_year=world.year, year_group=world.y11, sequence=20 + n
        )
        services.cycle_create(school=world.school, academic_year=world.year, name=f"More {n}", points=[point])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("cycle_calendar"))


def test_the_pupil_list_labels_its_flag_column_flags_and_its_yes_no_filters_any(worked, world, client):
    client.force_login(world.slt.user)
    page = client.get(reverse("health_check_detail", args=[worked.pk, world.maths.department_id]))
    html = page.content.decode()
    assert re.search(r'scope="col">\s*Flags\s*<', html)
    assert not re.search(r'scope="col">\s*Groups\s*<', html)
    assert ">Unknown<" not in html
