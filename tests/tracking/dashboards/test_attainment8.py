"""Attainment 8 / Progress 8 against worked cases built from the DfE rules in the reference."""

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from tracking.dashboards.attainment8 import A8Error, attainment8, combined_science_points, entries_for


def score(*results):
    entries = []
    for subject, category, grade in results:
        if isinstance(grade, float):
            entries += entries_for(subject, category, points=grade)
        else:
            entries += entries_for(subject, category, grade=grade)
    return attainment8(entries)


def run(document, tmp_path):
    path = tmp_path / "pupils.json"
    path.write_text(json.dumps(document))
    out = io.StringIO()
    call_command("attainment8", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_full_pupil_fills_every_element_as_the_reference_describes():
    b = score(
        ("English Language", "english_language", "6"),
        ("English Literature", "english_literature", "5"),
        ("Maths", "maths", "6"),
        ("Combined Science", "combined_science", "6-6"),
        ("History", "history", "6"),
        ("Geography", "geography", "5"),
        ("Art", "other", "8"),
        ("Sport Studies", "other", 6.0),
    )
    assert (b.english, b.maths, b.ebacc, b.open) == (12.0, 12.0, 18.0, 19.0)
    assert b.attainment8 == 61.0
    assert b.english_double_weighted is True
    assert b.progress8(48.2) == 1.28
    # Open: art 8, sport 6, then geography and literature tie on 5: one of them takes the last slot.
    assert [s[0] for s in b.slots] == ["maths"] * 2 + ["english"] * 2 + ["ebacc"] * 3 + ["open"] * 3


def test_a_lone_english_counts_once_and_the_second_english_point_is_zero():
    b = score(("English Literature", "english_literature", "7"), ("Maths", "maths", "7"))
    assert b.english == 7.0
    assert b.english_double_weighted is False
    assert b.attainment8 == 21.0


def test_the_lower_english_fills_an_open_slot_but_never_the_ebacc():
    b = score(
        ("English Language", "english_language", "9"), ("English Literature", "english_literature", "8")
    )
    assert (b.english, b.ebacc, b.open, b.attainment8) == (18.0, 0.0, 8.0, 26.0)


def test_a_second_maths_qualification_counts_nowhere():
    b = score(("Maths", "maths", "5"), ("Statistics", "maths", "9"), ("Art", "other", "4"))
    assert b.maths == 18.0
    assert b.open == 4.0
    assert b.attainment8 == 22.0


def test_combined_science_is_two_entries_at_the_mean_of_its_grades():
    assert combined_science_points("6-5") == 5.5
    b = score(("Combined Science", "combined_science", "6-5"), ("Geography", "geography", "4"))
    assert b.ebacc == 15.0  # 5.5 + 5.5 + 4


def test_ebacc_subjects_beyond_three_spill_into_the_open_element():
    b = score(
        ("Biology", "science", "9"),
        ("Chemistry", "science", "8"),
        ("Physics", "science", "7"),
        ("Computer Science", "computer_science", "6"),
        ("French", "language", "5"),
    )
    assert (b.ebacc, b.open) == (24.0, 11.0)


def test_the_maximum_is_ninety():
    b = score(
        ("English Language", "english_language", "9"),
        ("English Literature", "english_literature", "9"),
        ("Maths", "maths", "9"),
        ("Biology", "science", "9"),
        ("Chemistry", "science", "9"),
        ("Physics", "science", "9"),
        ("History", "history", "9"),
        ("Art", "other", "9"),
        ("Music", "other", "9"),
    )
    assert b.attainment8 == 90.0


def test_legacy_letter_grades_use_the_2017_points():
    b = score(("Maths", "maths", "A*"), ("History", "history", "C"))
    assert b.attainment8 == 21.0


def test_no_results_scores_zero_and_progress8_needs_an_estimate():
    b = attainment8([])
    assert b.attainment8 == 0.0
    assert b.progress8(None) is None
    assert b.progress8(45.5) == -4.55


@pytest.mark.parametrize(
    ("category", "grade"),
    [("maths", "10"), ("maths", "4+"), ("combined_science", "7-4"), ("combined_science", "6"), ("art", "5")],
)
def test_grades_off_the_scale_and_unknown_categories_are_refused(category, grade):
    with pytest.raises(A8Error):
        entries_for("X", category, grade=grade)


def test_command_prints_the_reference_format(tmp_path):
    document = {
        "pupils": [
            {
                "id": "A1",
                "estimated_a8": 48.2,
                "results": [
                    {"subject": "English Language", "category": "english_language", "grade": "6"},
                    {"subject": "English Literature", "category": "english_literature", "grade": "5"},
                    {"subject": "Maths", "category": "maths", "grade": "6"},
                    {"subject": "Combined Science", "category": "combined_science", "grade": "6-6"},
                    {"subject": "History", "category": "history", "grade": "6"},
                    {"subject": "Geography", "category": "geography", "grade": "5"},
                    {"subject": "Art", "category": "other", "grade": "8"},
                    {"subject": "Sport Studies", "category": "other", "points": 6},
                ],
            },
            {"id": "B2", "results": [{"subject": "Maths", "category": "maths", "grade": "4"}]},
        ]
    }
    assert run(document, tmp_path) == {
        "pupils": [
            {
                "id": "A1",
                "attainment8": 61.0,
                "english": 12.0,
                "maths": 12.0,
                "ebacc": 18.0,
                "open": 19.0,
                "english_double_weighted": True,
                "progress8": 1.28,
            },
            {
                "id": "B2",
                "attainment8": 8.0,
                "english": 0.0,
                "maths": 8.0,
                "ebacc": 0.0,
                "open": 0.0,
                "english_double_weighted": False,
                "progress8": None,
            },
        ]
    }


def test_command_names_every_bad_result_and_prints_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "pupils": [
                    {"id": "P1", "results": [{"subject": "Art", "category": "painting", "grade": "5"}]},
                    {"id": "P2", "results": [{"subject": "Maths", "category": "maths", "grade": "11"}]},
                ]
            }
        )
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("attainment8", str(path), stdout=out)
    assert "pupil P1, result 1 (Art): unknown category 'painting'" in str(error.value)
    assert "pupil P2, result 1 (Maths): '11' is not a GCSE grade" in str(error.value)
    assert out.getvalue() == ""


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe\x00", b'{"pupils": 3}', b"[]"])
def test_command_refuses_broken_files_with_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("attainment8", str(path), stdout=out)
    assert out.getvalue() == ""


def test_level_english_grades_give_the_slot_to_language_and_literature_goes_to_open():
    b = score(
        ("English Language", "english_language", "6"),
        ("English Literature", "english_literature", "6"),
        ("Maths", "maths", "4"),
    )
    assert b.slots[2:] == (
        ("english", "English Language", 6.0),
        ("english", "English Language", 6.0),
        ("open", "English Literature", 6.0),
    )
    assert (b.english, b.open, b.attainment8) == (12.0, 6.0, 26.0)


def test_a_better_literature_takes_the_english_slot_and_its_second_result_counts_nowhere():
    b = score(
        ("English Language", "english_language", "5"),
        ("English Literature", "english_literature", "7"),
        ("Literature (resit)", "english_literature", "6"),
        ("History", "history", "3"),
    )
    assert [s[1] for s in b.slots] == ["English Literature"] * 2 + ["History", "English Language"]
    assert (b.english, b.ebacc, b.open, b.attainment8) == (14.0, 3.0, 5.0, 22.0)


def test_the_best_maths_fills_both_slots_whatever_order_the_results_come_in():
    first = score(("Statistics", "maths", "3"), ("Maths", "maths", "8"), ("Art", "other", "8"))
    assert first.slots[:2] == (("maths", "Maths", 8.0),) * 2
    assert (first.maths, first.open) == (16.0, 8.0)


@pytest.fixture
def cohort(world):
    """Year 11 at an uplift, by hand: Ada maths 7 + English language 3 = 17 (disadvantaged, no SEN),
    Ben maths 6 + English 6 = 18 (SEN support), Cy maths 5 = 10 (EHC plan); every estimate 30."""
    from datetime import date

    from tests import factories as f
    from tracking.models import HalfTerm, ProgressEstimate

    w = world
    w.term = HalfTerm.objects.create(
        academic_year=w.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    w.point.half_term = w.term
    w.point.save()
    for pupil, subject, grade in [
        (w.child, w.maths, "7"),
        (w.child, w.english, "3"),
        (w.classmate, w.maths, "6"),
        (w.classmate, w.english, "6"),
        (w.other_child, w.maths, "5"),
    ]:
        value = f.grade(w.school, grade)
        f.GradeEntryFactory(pupil=pupil, subject=subject, point=w.point, current=value, predicted=value)
    for pupil, disadvantaged, sen in [
        (w.child, True, "N"),
        (w.classmate, False, "K"),
        (w.other_child, False, "E"),
    ]:
        pupil.disadvantaged, pupil.sen_status = disadvantaged, sen
        pupil.save()
    ProgressEstimate.objects.create(school=w.school, ks2_from=80, estimated_a8=30)
    return w


@pytest.mark.django_db
def test_cohort_a8_has_every_dashboard_split_with_its_gap(cohort):
    from tracking.dashboards import attainment8_pupils
    from tracking.dashboards.queries import SPLITS
    from tracking.models import AssessmentPoint, EstimateTable, GradeEntry

    w = cohort
    points = list(AssessmentPoint.objects.filter(pk=w.point.pk).select_related("year_group"))
    rows = attainment8_pupils.attainment8_rows(
        GradeEntry.objects.filter(school=w.school), points, w.school, EstimateTable(w.school)
    )
    splits = {title: (groups, gap) for title, groups, gap in attainment8_pupils.cohort_a8(rows)}
    assert list(splits) == ["All pupils", *[title for _path, title, _labels, _focus in SPLITS]]
    (everyone,), _gap = splits["All pupils"]
    assert (everyone.pupils, everyone.a8, everyone.p8, everyone.with_p8) == (3, 15.0, -1.5, 3)

    groups, gap = splits["Disadvantaged"]
    assert [(g.label, g.pupils, g.a8, g.p8) for g in groups] == [
        ("Disadvantaged", 1, 17.0, -1.3),
        ("Others", 2, 14.0, -1.6),
    ]
    assert (gap.label, gap.a8, gap.p8) == ("Gap: Disadvantaged compared with others", 3.0, 0.3)

    groups, gap = splits["SEN"]
    assert [(g.label, g.a8) for g in groups] == [("No SEN", 17.0), ("SEN support", 18.0), ("EHC plan", 10.0)]
    assert (gap.label, gap.a8) == ("Gap: No SEN compared with the rest", 3.0)

    groups, gap = splits["Gender"]  # no focus group: no gap, as on the dashboard
    assert gap is None and sum(g.pupils for g in groups) == 3


@pytest.mark.django_db
def test_the_page_shows_the_split_tables_and_gaps_and_exports_them(cohort, login):
    from openpyxl import load_workbook

    w = cohort
    client = login(w.slt.user)
    url = f"/dashboard/attainment8/?term={w.term.pk}"
    page = client.get(url).content.decode()
    assert (
        "Gap: Disadvantaged compared with others</strong>: +3.00 in average Attainment 8; "
        "+0.30 in average Progress 8." in page
    )
    assert "Gap: No SEN compared with the rest</strong>: +3.00 in average Attainment 8" in page
    for label in ("EHC plan", "English first language", "Looked after", "Female"):
        assert f">{label}<" in page
    book = load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content))
    assert book.sheetnames[:3] == ["Attainment 8", "A8 All pupils", "A8 Disadvantaged"]
    sheet = [[c.value for c in row] for row in book["A8 Disadvantaged"].iter_rows()]
    assert sheet[-1][:3] == ["Gap: Disadvantaged compared with others", None, 3.0]
    pdf = client.get(url + "&print=pdf")
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_term_picker_is_a_labelled_form_that_chooses_the_uplift(cohort, login):
    w = cohort
    client = login(w.slt.user)
    page = client.get(f"/dashboard/attainment8/?term={w.term.pk}").content.decode()
    assert '<form method="get" class="dashboard-picker">' in page
    assert '<label for="term">Data uplift</label>' in page
    assert f'<option value="{w.term.pk}" selected>' in page
    assert "<legend>Pupils counted</legend>" in page
    # The picker's cohort filter narrows the page: disadvantaged pupils only.
    narrowed = client.get(f"/dashboard/attainment8/?term={w.term.pk}&disadvantaged=true").content.decode()
    assert "Average Attainment 8 (1 pupils)" in narrowed
    assert client.get("/dashboard/attainment8/?term=999999").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "other_teacher", "hod", "tutor", "mentor"])
def test_staff_who_do_not_see_every_subject_still_get_404(cohort, login, role):
    client = login(getattr(cohort, role).user)
    assert client.get(f"/dashboard/attainment8/?term={cohort.term.pk}").status_code == 404
    assert client.get(f"/dashboard/attainment8/?term={cohort.term.pk}&export=xlsx").status_code == 404


@pytest.mark.django_db
def test_a_pupils_slot_breakdown_matches_the_references_worked_example(cohort, login):
    """The reference's pupil (61.0, P8 1.28 against 48.2), with a GCSE in religious studies at 6 for the
    sport studies award's 6 points (a technical award's points are not a grade on a scale here)."""
    from tests import factories as f
    from tracking.models import Category, ProgressEstimate

    w = cohort
    ProgressEstimate.objects.filter(school=w.school).update(estimated_a8=48.2)
    pupil = f.PupilFactory(school=w.school, year_group=w.y11, legal_first_name="Eve", legal_last_name="Ward")
    for name, code, category, grade in [
        ("English Language", "EN", Category.ENGLISH_LANGUAGE, "6"),
        ("English Literature", "EL", Category.ENGLISH_LITERATURE, "5"),
        ("Mathematics", "MA", Category.MATHS, "6"),
        ("Combined Science", "CS", Category.COMBINED_SCIENCE, "6"),  # single scale: 6-6, twice
        ("History", "HI", Category.HISTORY, "6"),
        ("Geography", "GE", Category.GEOGRAPHY, "5"),
        ("Art", "AR", Category.OTHER, "8"),
        ("Religious Studies", "RS", Category.OTHER, "6"),
    ]:
        subject = f.SubjectFactory(school=w.school, name=name, code=code, category=category)
        value = f.grade(w.school, grade)
        f.GradeEntryFactory(pupil=pupil, subject=subject, point=w.point, current=value, predicted=value)
    client = login(w.slt.user)
    table = client.get(f"/dashboard/attainment8/?term={w.term.pk}").content.decode()
    link = f'<a href="/dashboard/attainment8/pupils/{pupil.pk}/?term={w.term.pk}"><strong>61.0</strong>'
    assert link in table

    response = client.get(f"/dashboard/attainment8/pupils/{pupil.pk}/?term={w.term.pk}")
    page = response.content.decode()
    rows = _slot_rows(response)
    assert rows[:9] == [
        ("Maths 1", "Mathematics", "6", "6.0"),
        ("Maths 2", "Mathematics", "6", "6.0"),
        ("English 1", "English Language", "6", "6.0"),
        ("English 2", "English Language", "6", "6.0"),
        ("EBacc 1", "Combined Science", "6-6", "6.0"),
        ("EBacc 2", "Combined Science", "6-6", "6.0"),
        ("EBacc 3", "History", "6", "6.0"),
        ("Open 1", "Art", "8", "8.0"),
        ("Open 2", "Religious Studies", "6", "6.0"),
    ]
    # Geography and English literature tie on 5 for the last open slot: one fills it, the other no slot.
    last, left_out = rows[9], {"Geography": "Geography: 5", "English Literature": "English Literature: 5"}
    assert last[0] == "Open 3" and last[1] in left_out and last[3] == "5.0"
    assert f"<li>{left_out[({*left_out} - {last[1]}).pop()]}</li>" in page
    assert "<strong>61.0</strong>" in page and "1.28" in page and "(estimate 48.2)" in page


def _slot_rows(response):
    """The slot table's rows as the page shows them: (slot, subject, grade, points)."""
    return [
        (row.get_cell("name"), row.get_cell("subject"), row.get_cell("grade"), str(row.get_cell("points")))
        for row in response.context["slots_table"].rows
    ]


@pytest.mark.django_db
def test_a_lone_english_leaves_the_second_english_slot_empty(cohort, login):
    response = login(cohort.slt.user).get(f"/dashboard/attainment8/pupils/{cohort.child.pk}/")
    rows = {row[0]: row for row in _slot_rows(response)}
    assert rows["English 1"] == ("English 1", "English Language", "3", rows["English 1"][3])
    assert rows["English 2"] == ("English 2", '<span class="muted">Empty</span>', "", "0.0")


@pytest.mark.django_db
def test_a_pupils_slots_sort_download_and_print(cohort, login):
    import csv
    import io

    from openpyxl import load_workbook

    client = login(cohort.slt.user)
    url = f"/dashboard/attainment8/pupils/{cohort.child.pk}/"
    in_order = [row[0] for row in _slot_rows(client.get(url))]
    assert in_order[:4] == ["Maths 1", "Maths 2", "English 1", "English 2"]  # the template's order
    by_points = _slot_rows(client.get(url + "?slot-sort=-points"))
    assert [float(row[3]) for row in by_points] == sorted((float(row[3]) for row in by_points), reverse=True)
    page = client.get(url).content.decode()
    assert "?export=csv" in page and "print=pdf" in page and "aria-sort" not in page
    assert 'aria-sort="descending"' in client.get(url + "?slot-sort=-points").content.decode()
    response = client.get(url + "?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Slot", "Subject", "Grade", "Points"] and [r[0] for r in rows[1:]] == in_order
    assert rows[4][1:3] == ["", ""]  # English 2: empty, downloaded blank
    book = load_workbook(io.BytesIO(client.get(url + "?export=xlsx").content))
    assert book.sheetnames == ["Slots", "Elements"]
    printed = client.get(url + "?print=pdf")
    assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "hod", "tutor", "mentor"])
def test_a_pupils_slots_are_404_for_those_without_the_attainment8_page(cohort, login, role):
    client = login(getattr(cohort, role).user)
    assert client.get(f"/dashboard/attainment8/pupils/{cohort.child.pk}/").status_code == 404


@pytest.mark.django_db
def test_another_schools_pupil_has_no_slot_breakdown(cohort, other_world, login):
    client = login(cohort.slt.user)
    assert client.get(f"/dashboard/attainment8/pupils/{other_world.child.pk}/").status_code == 404


# -- Element Progress 8 -----------------------------------------------------------------------------


def test_element_progress8_is_per_slot_and_weights_up_to_progress8():
    """The reference's pupil (English 12, maths 12, EBacc 18, open 19; P8 1.28 against 48.2) against
    element estimates adding up to 48.2: each element's difference over its slots (2, 2, 3, 3)."""
    b = score(
        ("English Language", "english_language", "6"),
        ("English Literature", "english_literature", "5"),
        ("Maths", "maths", "6"),
        ("Combined Science", "combined_science", "6-6"),
        ("History", "history", "6"),
        ("Geography", "geography", "5"),
        ("Art", "other", "8"),
        ("Sport Studies", "other", 6.0),
    )
    estimates = {"english": 10.0, "maths": 10.4, "ebacc": 13.8, "open": 14.0}
    got = {element: b.element_progress8(element, estimate) for element, estimate in estimates.items()}
    assert got == {"english": 1.0, "maths": 0.8, "ebacc": 1.4, "open": 1.67}
    weighted = (2 * got["english"] + 2 * got["maths"] + 3 * got["ebacc"] + 3 * got["open"]) / 10
    assert round(weighted, 2) == b.progress8(48.2) == 1.28
    assert b.element_progress8("open", None) is None


def test_a_progress_score_that_rounds_to_nothing_reads_zero_not_minus_zero():
    b = score(("Maths", "maths", "5"))
    assert str(b.progress8(10.04)) == "0.0"
    assert str(b.element_progress8("maths", 10.004)) == "0.0"


def test_a_lone_english_still_divides_its_element_by_two_slots():
    b = score(("English Literature", "english_literature", "7"), ("Maths", "maths", "4"))
    assert b.english == 7.0
    assert b.element_progress8("english", 9.0) == -1.0  # (7 - 9) / 2: the empty second slot counts
    assert b.element_progress8("maths", 9.0) == -0.5


@pytest.mark.django_db
def test_cohort_element_progress8_has_the_splits_and_gaps(cohort):
    """Estimates English 6, maths 8, EBacc 8, open 8: Ada English (3 - 6) / 2, maths (14 - 8) / 2; Ben
    English 0, maths 2; Cy (no English) -3, maths 1; nobody has an EBacc or open subject, (0 - 8) / 3."""
    from tracking.dashboards import attainment8_pupils
    from tracking.models import AssessmentPoint, EstimateTable, GradeEntry, ProgressEstimate

    w = cohort
    ProgressEstimate.objects.filter(school=w.school).update(
        estimated_english=6, estimated_maths=8, estimated_ebacc=8, estimated_open=8
    )
    points = list(AssessmentPoint.objects.filter(pk=w.point.pk).select_related("year_group"))
    rows = attainment8_pupils.attainment8_rows(
        GradeEntry.objects.filter(school=w.school), points, w.school, EstimateTable(w.school)
    )
    by_pupil = {row[0].pk: row[4] for row in rows}
    assert by_pupil[w.child.pk] == attainment8_pupils.ElementP8(-1.5, 3.0, -2.67, -2.67)
    assert by_pupil[w.other_child.pk] == attainment8_pupils.ElementP8(-3.0, 1.0, -2.67, -2.67)

    splits = {title: (groups, gap) for title, groups, gap in attainment8_pupils.cohort_a8(rows)}
    (everyone,), _gap = splits["All pupils"]
    assert (everyone.english_p8, everyone.maths_p8, everyone.ebacc_p8, everyone.open_p8) == (
        -1.5,
        2.0,
        -2.67,
        -2.67,
    )
    groups, gap = splits["Disadvantaged"]
    assert [(g.label, g.english_p8, g.maths_p8) for g in groups] == [
        ("Disadvantaged", -1.5, 3.0),
        ("Others", -1.5, 1.5),
    ]
    assert (gap.english_p8, gap.maths_p8, gap.ebacc_p8, gap.open_p8) == (0.0, 1.5, 0.0, 0.0)


@pytest.mark.django_db
def test_without_element_estimates_there_is_no_element_progress8(cohort):
    from tracking.dashboards import attainment8_pupils
    from tracking.models import AssessmentPoint, EstimateTable, GradeEntry

    w = cohort  # its table has an A8 estimate only
    points = list(AssessmentPoint.objects.filter(pk=w.point.pk).select_related("year_group"))
    rows = attainment8_pupils.attainment8_rows(
        GradeEntry.objects.filter(school=w.school), points, w.school, EstimateTable(w.school)
    )
    assert all(row[3] is not None and row[4] == attainment8_pupils.NO_ELEMENT_P8 for row in rows)
    (everyone,), _gap = attainment8_pupils.cohort_a8(rows)[0][1:]
    assert (everyone.p8, everyone.english_p8, everyone.open_p8) == (-1.5, None, None)


@pytest.mark.django_db
def test_the_page_its_downloads_its_print_and_the_slot_page_show_element_progress8(cohort, login):
    from openpyxl import load_workbook

    from tests.pdftext import pdf_text
    from tracking.models import ProgressEstimate

    w = cohort
    ProgressEstimate.objects.filter(school=w.school).update(
        estimated_english=6, estimated_maths=8, estimated_ebacc=8, estimated_open=8
    )
    client = login(w.slt.user)
    url = f"/dashboard/attainment8/?term={w.term.pk}"
    page = client.get(url).content.decode()
    cards = re.findall(
        r'<p class="card-figure">([^<]+)</p><p class="card-caption">Average Progress 8 in (\w+)', page
    )
    assert cards == [("-1.50", "English"), ("2.00", "maths"), ("-2.67", "EBacc"), ("-2.67", "open")]
    assert ">English P8</th>" in page and ">Open P8</th>" in page
    # The disadvantaged split's gap row: A8 +3.00, P8 +0.30, then English +0.00 and maths +1.50.
    gap_row = re.search(r'<tr class="is-gap[^"]*">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', gap_row)[-4:] == ["+0.00", "+1.50", "+0.00", "+0.00"]

    rows = list(csv.reader(io.StringIO(client.get(url + "&export=csv").content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[-4:] == ["English P8", "Maths P8", "EBacc P8", "Open P8"]
    ada = next(r for r in rows[1:] if r[0] == w.child.sorted_name)
    assert ada[-4:] == ["-1.5", "3.0", "-2.67", "-2.67"]

    book = load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content))
    sheet = [[c.value for c in row] for row in book["A8 Disadvantaged"].iter_rows()]
    assert sheet[0][-4:] == ["English P8", "Maths P8", "EBacc P8", "Open P8"]
    assert sheet[-1][-4:] == [0.0, 1.5, 0.0, 0.0]

    text = pdf_text(client.get(url + "&print=pdf").content)
    assert "English P8" in text and "-2.67" in text

    slots = client.get(f"/dashboard/attainment8/pupils/{w.child.pk}/?term={w.term.pk}")
    cells = [
        tuple(str(row.get_cell(name)) for name in ("label", "slots", "score", "estimate", "progress8"))
        for row in slots.context["elements_table"].rows
    ]
    assert cells == [
        ("English", "2", "3.0", "6.0", "-1.5"),
        ("Maths", "2", "14.0", "8.0", "3.0"),
        ("EBacc", "3", "0.0", "8.0", "-2.67"),
        ("Open", "3", "0.0", "8.0", "-2.67"),
    ]


# -- The estimates editor ---------------------------------------------------------------------------


def _estimates(school):
    from tracking.models import ProgressEstimate

    return list(
        ProgressEstimate.objects.filter(school=school).values_list(
            "ks2_from",
            "estimated_a8",
            "estimated_english",
            "estimated_maths",
            "estimated_ebacc",
            "estimated_open",
        )
    )


@pytest.mark.django_db
def test_the_editor_takes_the_old_two_column_lines_and_lines_with_element_estimates(world, login):
    from decimal import Decimal as D

    from tracking.models import AuditEvent

    client = login(world.data_manager.user)
    table = "95,38.5\n105\t50.1\t10.5\t9.9\t15.2\t14.5\n100,44,9.5,,13,"
    response = client.post("/dashboard/progress-estimates/", {"table": table})
    assert response.status_code == 302
    assert _estimates(world.school) == [
        (D("95.0"), D("38.50"), None, None, None, None),
        (D("100.0"), D("44.00"), D("9.50"), None, D("13.00"), None),
        (D("105.0"), D("50.10"), D("10.50"), D("9.90"), D("15.20"), D("14.50")),
    ]
    event = AuditEvent.objects.get(action="tracking.progress_estimates.changed")
    assert event.before == {"rows": []}
    assert event.after["rows"] == [
        "95.0,38.50,,,,",
        "100.0,44.00,9.50,,13.00,",
        "105.0,50.10,10.50,9.90,15.20,14.50",
    ]
    # The editor shows the table back with its element columns, ready to edit and save again.
    page = client.get("/dashboard/progress-estimates/").content.decode()
    assert "100.0,44.00,9.50,,13.00,\n105.0,50.10,10.50,9.90,15.20,14.50</textarea>" in page
    client.post("/dashboard/progress-estimates/", {"table": "95,38.5"})
    assert _estimates(world.school) == [(D("95.0"), D("38.50"), None, None, None, None)]
    second = AuditEvent.objects.filter(action="tracking.progress_estimates.changed").latest("pk")
    assert second.before == event.after and second.after == {"rows": ["95.0,38.50"]}


@pytest.mark.django_db
def test_the_editor_names_every_bad_line_and_saves_nothing(world, login):
    from tracking.models import AuditEvent

    client = login(world.data_manager.user)
    client.post("/dashboard/progress-estimates/", {"table": "90,30\n100,44"})
    before = _estimates(world.school)
    table = "\n".join(
        [
            "95,38.5,8,8,11,11",  # 1: good
            "96,39,8,8,11",  # 2: five values
            "97,40,8,19,11,11",  # 3: maths beyond 18
            "98,41,x,8,11,11",  # 4: English not a number
            "99,NaN",  # 5: not a number
            "",  # 6: blank lines are skipped
            "101,Infinity,1,1,1,1",  # 7
            "102,45,8,8,28,11",  # 8: EBacc beyond 27
            "95,38,8,8,11,11",  # 9: band listed twice
        ]
    )
    response = client.post("/dashboard/progress-estimates/", {"table": table})
    assert response.status_code == 200
    page = response.content.decode()
    problems = re.findall(r"line (\d+):", page)
    assert sorted(set(problems), key=int) == ["2", "3", "4", "5", "7", "8", "9"]
    assert "line 2: &#x27;96,39,8,8,11&#x27; has 5 values" in page
    assert "the maths estimate &#x27;19&#x27;, which is not a number from 0 to 18" in page
    assert "the English estimate &#x27;x&#x27;" in page
    assert "the EBacc estimate &#x27;28&#x27;, which is not a number from 0 to 27" in page
    assert "line 9: the band from 95.0 is listed twice" in page
    assert _estimates(world.school) == before
    assert AuditEvent.objects.filter(action="tracking.progress_estimates.changed").count() == 1


@pytest.mark.django_db
def test_a_failed_audit_leaves_the_old_table_in_place(world, login, monkeypatch):
    """The replacement and its audit row are one transaction: no table without its audit."""
    from tracking.dashboards import services

    client = login(world.data_manager.user)
    client.post("/dashboard/progress-estimates/", {"table": "90,30"})
    before = _estimates(world.school)

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.progress_estimates_replace(
            school=world.school, rows=[(100, 44, None, None, None, None)], by=world.data_manager.user
        )
    assert _estimates(world.school) == before


# -- Heads of year ----------------------------------------------------------------------------------


@pytest.fixture
def two_years(cohort):
    """The cohort (Year 11, led by `hoy`) and Dot in Year 10 with maths 9 at the same uplift; a head of
    Year 10, and the Key Stage 4 coordinator."""
    from tests import factories as f
    from tracking.models import Role

    w = cohort
    w.y10 = f.YearGroupFactory(school=w.school, number=10)
    point = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y10, name="Y10 Autumn 2", half_term=w.term
    )
    w.dot = f.PupilFactory(school=w.school, year_group=w.y10, legal_first_name="Dot", legal_last_name="Vale")
    nine = f.grade(w.school, "9")
    f.GradeEntryFactory(pupil=w.dot, subject=w.maths, point=point, current=nine, predicted=nine)

    def staff(username, **scope):
        return f.StaffFactory(
            school=w.school,
            user__username=username,
            user__school=w.school,
            roles=[(Role.HEAD_OF_YEAR, scope)],
        )

    w.hoy10 = staff("hoy10", year_group=w.y10)
    w.ks4 = staff("ks4", key_stage=4)
    return w


def _pupils_on(page):
    return sorted(re.findall(r'<a href="/pupils/\d+/">([^<]+)</a>', page))


@pytest.mark.django_db
def test_a_head_of_year_sees_attainment8_for_their_own_year_group_only(two_years, login):
    """Year leaders count every subject of their year (the year leaders' lists do), so they may add a
    pupil's subjects up: the head of Year 11 sees Year 11's A8, the head of Year 10 Year 10's."""
    w = two_years
    url = f"/dashboard/attainment8/?term={w.term.pk}"
    slt_page = login(w.slt.user).get(url).content.decode()
    everyone = _pupils_on(slt_page)
    assert f"at {w.term} for Years 10 and 11, by the DfE" in slt_page
    assert f'<li><a href="/dashboard/?term={w.term.pk}">Dashboard</a></li>' in slt_page
    assert everyone == sorted(p.sorted_name for p in (w.child, w.classmate, w.other_child, w.dot))

    page = login(w.hoy.user).get(url).content.decode()
    assert _pupils_on(page) == sorted(p.sorted_name for p in (w.child, w.classmate, w.other_child))
    assert "Average Attainment 8 (3 pupils)" in page
    # They have no dashboard: the page says whose it is and leads back to their year lists.
    assert f"at {w.term} for Year 11, by the DfE" in page
    assert '<li><a href="/dashboard/year-lists/">Year leaders\' lists</a></li>' in page
    assert 'href="/dashboard/?' not in page
    csv_rows = login(w.hoy.user).get(url + "&export=csv").content.decode("utf-8-sig")
    assert w.child.sorted_name in csv_rows and w.dot.sorted_name not in csv_rows

    assert _pupils_on(login(w.hoy10.user).get(url).content.decode()) == [w.dot.sorted_name]
    assert _pupils_on(login(w.ks4.user).get(url).content.decode()) == everyone


@pytest.mark.django_db
def test_a_head_of_year_sees_the_slots_of_their_years_pupils_and_no_others(two_years, login):
    w = two_years
    client = login(w.hoy.user)
    response = client.get(f"/dashboard/attainment8/pupils/{w.child.pk}/?term={w.term.pk}")
    assert _slot_rows(response)[0][:3] == ("Maths 1", "Mathematics", "7")
    assert client.get(f"/dashboard/attainment8/pupils/{w.dot.pk}/?term={w.term.pk}").status_code == 404


@pytest.mark.django_db
def test_a_head_of_a_year_without_gcses_has_no_attainment8_page(two_years, login):
    from tests import factories as f
    from tracking.models import Role

    w = two_years
    y8 = f.YearGroupFactory(school=w.school, number=8)
    hoy8 = f.StaffFactory(
        school=w.school,
        user__username="hoy8",
        user__school=w.school,
        roles=[(Role.HEAD_OF_YEAR, {"year_group": y8}), Role.TEACHER],
    )
    client = login(hoy8.user)
    assert client.get(f"/dashboard/attainment8/?term={w.term.pk}").status_code == 404
    assert client.get(f"/dashboard/attainment8/pupils/{w.child.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_year_lists_of_year_11_lead_to_attainment8_and_year_8s_do_not(two_years, login):
    from tests import factories as f

    w = two_years
    link = 'href="/dashboard/attainment8/">Attainment 8 / Progress 8</a>'
    page = login(w.hoy.user).get(f"/dashboard/year-lists/?point={w.point.pk}").content.decode()
    assert link in page
    y8 = f.YearGroupFactory(school=w.school, number=8)
    y8_point = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=y8, name="Y8 Autumn 2"
    )
    pupil = f.PupilFactory(school=w.school, year_group=y8)
    five = f.grade(w.school, "5")
    f.GradeEntryFactory(pupil=pupil, subject=w.maths, point=y8_point, current=five, predicted=five)
    page = login(w.slt.user).get(f"/dashboard/year-lists/?point={y8_point.pk}").content.decode()
    assert "<h1>Year leaders' lists: Year 8, Y8 Autumn 2</h1>" in page
    assert link not in page
