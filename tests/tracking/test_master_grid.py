import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories as f
from tracking import permissions
from tracking.lib.exports import safe_cell
from tracking.models import AcademicYear
from tracking.oversight import master_grid, master_grid_table


@pytest.fixture
def history(world):
    """Ada (11Ma1) with a Y10 point last year and this year's point; a target of 6 in maths."""
    last_year = AcademicYear.objects.create(
        school=world.school, name="2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31)
    )
    y10 = f.YearGroupFactory(school=world.school, number=10)
    world.y10_point = f.AssessmentPointFactory(
        school=world.school,
        academic_year=last_year,
        year_group=y10,
        name="Y10 Summer 2",
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 20),
        is_locked=True,
    )
    g = lambda code: f.grade(world.school, code)  # noqa: E731
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.y10_point, current=g("4"))
    f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        current=g("4+"),
        predicted=g("5"),
        security="L",
    )
    f.GradeEntryFactory(pupil=world.classmate, subject=world.maths, point=world.point, current=g("7"))
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=g("6"))
    f.TargetFactory(pupil=world.classmate, subject=world.maths, grade=g("6"))
    world.child.disadvantaged = True
    world.child.save()
    return world


def _rows(world, data=None):
    grid, _, rows = master_grid.build(subject=world.maths, year_number=11, filter_data=data)
    return grid, {r["pupil"].pk: r for r in rows}


def test_the_grid_has_every_point_across_years_with_target_latest_and_progress(history):
    grid, rows = _rows(history)
    assert [p.name for p in grid.points] == ["Y10 Summer 2", "Y11 Autumn 2"]
    ada = rows[history.child.pk]
    assert ada["group_name"] == "11Ma1"
    assert ada[f"p{history.y10_point.pk}"].code == "4"
    # The working grade is the prediction where one was made.
    assert ada[f"p{history.point.pk}"].code == "5"
    assert ada["target"] == "6" and ada["latest"] == "5"
    assert ada["progress"].status == "below" and ada["progress"].diff == -1
    assert rows[history.classmate.pk]["progress"].status == "above"
    assert rows[history.other_child.pk]["latest"] == ""


def test_points_that_have_not_opened_yet_are_not_columns(history):
    f.AssessmentPointFactory(
        school=history.school,
        year_group=history.y11,
        name="Y11 Spring 1",
        opens_on=date.today() + timedelta(days=30),
        closes_on=date.today() + timedelta(days=40),
    )
    grid, _ = _rows(history)
    assert "Y11 Spring 1" not in [p.name for p in grid.points]


def test_filters_narrow_by_group_flags_and_below_target(history):
    _, rows = _rows(history, {"group": history.other_group.pk})
    assert set(rows) == {history.other_child.pk}
    _, rows = _rows(history, {"disadvantaged": "true"})
    assert set(rows) == {history.child.pk}
    _, rows = _rows(history, {"below_target": "true"})
    assert set(rows) == {history.child.pk}


def test_the_page_sorts_by_a_point_column(client, history):
    client.force_login(history.hod.user)
    url = reverse("master_detail", args=[history.maths.pk])
    page = client.get(url, {"year": 11, "sort": f"-p{history.point.pk}"}).content.decode()
    assert page.index("Ash, Ben") < page.index("Lamb, Ada")
    page = client.get(url, {"year": 11, "sort": f"p{history.point.pk}"}).content.decode()
    assert page.index("Lamb, Ada") < page.index("Ash, Ben")


def test_master_grid_query_count_is_constant_as_pupils_and_grades_grow(
    client, history, django_assert_num_queries
):
    client.force_login(history.data_manager.user)
    url = reverse("master_detail", args=[history.maths.pk])
    client.get(url, {"year": 11})
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"year": 11}).status_code == 200
    g = f.grade(history.school, "5")
    for _ in range(15):
        pupil = f.PupilFactory(school=history.school, year_group=history.y11)
        history.group.pupils.add(pupil)
        f.GradeEntryFactory(pupil=pupil, subject=history.maths, point=history.point, current=g)
        f.GradeEntryFactory(pupil=pupil, subject=history.maths, point=history.y10_point, current=g)
        f.TargetFactory(pupil=pupil, subject=history.maths)
    with django_assert_num_queries(len(small)):
        page = client.get(url, {"year": 11})
    assert page.content.decode().count('href="/pupils/') >= 18
    assert len(small) <= 21


def _csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.reader(io.StringIO(text)))


def test_an_export_named_for_a_subject_with_quotes_and_accents_keeps_a_valid_header(client, history):
    history.maths.name = 'Français "B"'
    history.maths.save(update_fields=["name"])
    client.force_login(history.hod.user)
    response = client.get(reverse("master_export", args=[history.maths.pk, "csv"]), {"year": 11})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        "attachment; filename*=utf-8''Fran%C3%A7ais-%22B%22-Y11"
    )


def test_csv_export_applies_the_filters_and_is_named_for_subject_year_and_date(client, history):
    client.force_login(history.hod.user)
    url = reverse("master_export", args=[history.maths.pk, "csv"])
    response = client.get(url, {"year": 11, "disadvantaged": "true"})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert f'filename="Mathematics-Y11-master-{today}.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Pupil", "UPN", "Group"]
    assert "Y10 Summer 2" in rows[0] and "Y11 Autumn 2" in rows[0]
    assert [r[0] for r in rows[1:]] == ["Lamb, Ada"]
    assert rows[1][-4:] == ["5", "6", "Below target", "-1"]  # latest, expected now, standing, grades


def test_exports_neutralise_spreadsheet_formulas_in_names(client, history):
    history.child.legal_last_name = '=HYPERLINK("http://evil.example","x")'
    history.child.save()
    client.force_login(history.data_manager.user)
    rows = _csv(client.get(reverse("master_export", args=[history.maths.pk, "csv"]), {"year": 11}))
    names = [r[0] for r in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)
    response = client.get(reverse("master_export", args=[history.maths.pk, "xlsx"]), {"year": 11})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)
    assert sheet.cell(row=1, column=1).value == "Pupil"


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2+3", "@SUM(A1)"])
def test_text_starting_with_a_formula_character_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Lamb, Ada") == "Lamb, Ada"
    assert safe_cell(-1) == -1


def test_unknown_subject_and_unknown_export_format_are_not_found(client, history):
    client.force_login(history.data_manager.user)
    assert client.get(reverse("master_detail", args=[999999])).status_code == 404
    url = reverse("master_export", args=[history.maths.pk, "pdf"])
    assert client.get(url).status_code == 404
    assert client.get(f"/master/{history.maths.pk}/export.csv;rm").status_code == 404
    assert client.get(reverse("master_detail", args=[history.maths.pk]), {"year": "x"}).status_code == 200


def test_another_schools_subject_is_not_found_even_for_the_data_manager(client, history, other_world):
    client.force_login(history.data_manager.user)
    assert client.get(reverse("master_detail", args=[other_world.maths.pk])).status_code == 404


def test_who_may_read_a_subjects_master_grid(world):
    def subjects(persona):
        return set(
            permissions.master_grid_subjects(getattr(world, persona).user).values_list("code", flat=True)
        )

    assert subjects("data_manager") == {"MA", "EN"}
    assert subjects("slt") == {"MA", "EN"}
    assert subjects("hod") == {"MA"}
    assert subjects("teacher") == {"MA"}
    assert subjects("other_teacher") == {"MA", "EN"}
    for persona in ("tutor", "hoy", "mentor", "senco"):
        assert subjects(persona) == set()
    assert not permissions.master_grid_subjects(world.parent.user).exists()


def test_teachers_get_the_master_grids_entry_and_pastoral_staff_do_not(world):
    browse = {
        p
        for p in ("teacher", "other_teacher", "hod", "tutor", "hoy", "mentor", "senco", "slt", "data_manager")
        if permissions.can_browse_master_grids(getattr(world, p).user)
    }
    assert browse == {"teacher", "other_teacher", "hod", "slt", "data_manager"}
    assert not permissions.can_browse_master_grids(world.parent.user)


def test_a_subject_teacher_sees_only_their_own_pupils_in_the_grid_and_its_export(client, world):
    from django.urls import reverse

    client.force_login(world.teacher.user)
    html = client.get(reverse("master_detail", args=[world.maths.pk])).content.decode()
    assert world.child.legal_last_name in html
    assert world.other_child.legal_last_name not in html
    csv = client.get(reverse("master_export", args=[world.maths.pk, "csv"])).content.decode()
    assert world.child.legal_last_name in csv and world.other_child.legal_last_name not in csv
    client.force_login(world.hod.user)
    html = client.get(reverse("master_detail", args=[world.maths.pk])).content.decode()
    assert world.other_child.legal_last_name in html


def test_the_newest_point_comes_first_beside_the_verdict_so_it_is_in_view(history, client):
    grid, _, rows = master_grid.build(subject=history.maths, year_number=11)
    names = [column.name for column in master_grid_table.table_for(grid, rows).columns]
    assert names.index("progress") + 1 == names.index(f"p{history.point.pk}")
    assert names.index(f"p{history.point.pk}") < names.index(f"p{history.y10_point.pk}")


def test_the_grid_as_it_opens_builds_only_the_page_shown_and_its_rows_match_the_whole_grids(
    client, history, monkeypatch
):
    w = history
    g = f.grade(w.school, "5")
    for n in range(4):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11, legal_last_name=f"Zed{n}")
        w.group.pupils.add(pupil)
        w.other_group.pupils.add(pupil)  # in two of the year's groups: still one row
        f.GradeEntryFactory(pupil=pupil, subject=w.maths, point=w.point, current=g)
    _, _, whole = master_grid.build(subject=w.maths, year_number=11)
    grid, _, paged = master_grid.build(subject=w.maths, year_number=11, paged=True)
    assert isinstance(paged, master_grid.PagedRows) and len(paged) == len(whole) == 7
    built = []
    real = master_grid.fill_rows
    monkeypatch.setattr(
        master_grid, "fill_rows", lambda grid, pupils: built.append(len(pupils)) or real(grid, pupils)
    )
    page = paged[2:5]
    assert built == [3]
    keys = ("name", "group_name", "target", "latest", "expected", "progress_sort", "progress_label")
    assert [[r[k] for k in keys] for r in page] == [[r[k] for k in keys] for r in whole[2:5]]
    # Keeping only pupils below target, or sorting, needs every row.
    assert isinstance(
        master_grid.build(subject=w.maths, year_number=11, filter_data={"below_target": "true"}, paged=True)[
            2
        ],
        list,
    )
    monkeypatch.setattr(master_grid, "fill_rows", real)
    monkeypatch.setattr("tracking.oversight.views.RequestConfig", _per_page(2))
    client.force_login(w.hod.user)
    url = reverse("master_detail", args=[w.maths.pk])
    second = client.get(url, {"year": 11, "page": 2}).content.decode()
    names = [r["name"] for r in whole]
    assert names[2] in second and names[3] in second and names[1] not in second and names[4] not in second
    assert "7 pupils, 2 to a page" in " ".join(second.split())


def _per_page(n):
    from django_tables2 import RequestConfig

    class Small(RequestConfig):
        def __init__(self, request, paginate=True):
            super().__init__(request, paginate={"per_page": n})

    return Small
