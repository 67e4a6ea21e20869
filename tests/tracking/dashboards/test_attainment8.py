"""Attainment 8 / Progress 8 against worked cases built from the DfE rules in the reference."""

import io
import json

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
