"""The dashboard's gaps between groups of pupils: each worked out from the rows its split's table shows, in
% on target or above, average difference from the grade expected now and average GCSE grade."""

from datetime import date

import pytest

from tests import factories as f
from tracking.models import HalfTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_school(world):
    """Four Year 11s in maths, every target 5 at the year's only point (expected now: 5).

    pupil      gender  KS2 (band)     disadvantaged  grade  difference  standing
    Ada        F       90 (low)       yes            3      -2          well below
    Ben        M       112 (high)     no             7      +2          above
    Cy         M       104 (middle)   no             5       0          on
    Dee        F       115 (high)     no             6      +1          above
    """
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
    dee = f.PupilFactory(school=w.school, year_group=w.y11, legal_first_name="Dee", legal_last_name="Eve")
    plan = [
        (w.child, "F", 90, True, "3"),
        (w.classmate, "M", 112, False, "7"),
        (w.other_child, "M", 104, False, "5"),
        (dee, "F", 115, False, "6"),
    ]
    for pupil, gender, ks2, disadvantaged, code in plan:
        pupil.gender, pupil.ks2_reading, pupil.ks2_maths, pupil.disadvantaged = (
            gender,
            ks2,
            ks2,
            disadvantaged,
        )
        pupil.save()
        f.TargetFactory(pupil=pupil, subject=w.maths, grade=f.grade(w.school, "5"))
        f.GradeEntryFactory(
            pupil=pupil,
            subject=w.maths,
            point=w.point,
            current=f.grade(w.school, code),
            predicted=f.grade(w.school, code),
        )
    return w


def _splits(client, w):
    response = client.get(f"/dashboard/?term={w.term.pk}")
    assert response.status_code == 200
    return response, {title: (list(table.data), gap) for title, table, gap in response.context["splits"]}


def test_gender_and_prior_attainment_gaps_are_stated_by_hand(split_school, login):
    response, splits = _splits(login(split_school.slt.user), split_school)
    gender, prior, disadvantaged = (
        splits["Gender"][1],
        splits["Prior attainment"][1],
        splits["Disadvantaged"][1],
    )
    # Boys (Ben, Cy: 100%, +1.00, 6.00) less girls (Ada, Dee: 50%, -0.50, 4.50).
    assert (gender["on_or_above"], gender["avg_diff"], gender["avg_gcse_grade"]) == (50, 1.5, 1.5)
    # Low (Ada: 0%, -2.00, 3.00) less high (Ben, Dee: 100%, +1.50, 6.50); Cy (middle) in neither.
    assert (prior["on_or_above"], prior["avg_diff"], prior["avg_gcse_grade"]) == (-100, -3.5, -3.5)
    # Disadvantaged (Ada) less the others (Ben, Cy, Dee: 100%, +1.00, 6.00).
    assert (disadvantaged["on_or_above"], disadvantaged["avg_diff"], disadvantaged["avg_gcse_grade"]) == (
        -100,
        -3.0,
        -3.0,
    )
    page = response.content.decode()
    assert "Gap: Male compared with female</strong>: +50 points" in page
    assert "Gap: Low prior attainment compared with high</strong>: -100 points" in page
    assert "-3.50 in average GCSE grade" in page
    assert "Middle and no KS2 data are in neither group." in page


def test_every_gap_is_the_difference_of_the_figures_its_table_shows(split_school, login):
    w = split_school
    extra = f.PupilFactory(school=w.school, year_group=w.y11, gender="X", sen_status="K", eal=True)
    f.TargetFactory(pupil=extra, subject=w.maths, grade=f.grade(w.school, "6"))
    f.GradeEntryFactory(pupil=extra, subject=w.maths, point=w.point, current=f.grade(w.school, "4"))
    _response, splits = _splits(login(w.slt.user), w)
    compared = {  # (the group, the group it is compared with; None: every other group together)
        "Disadvantaged": (True, False),
        "EAL": (True, False),
        "Gender": ("M", "F"),
        "Prior attainment": ("low", "high"),
        "Looked after": (True, False),
    }
    for title, (mine_key, their_key) in compared.items():
        rows, gap = splits[title]
        by_key = {row.key: row for row in rows}
        if mine_key not in by_key or their_key not in by_key:
            assert gap is None, title
            continue
        mine, theirs = by_key[mine_key], by_key[their_key]
        assert gap["on_or_above"] == mine.on_or_above_pct - theirs.on_or_above_pct, title
        assert gap["avg_diff"] == round(round(mine.avg_diff, 2) - round(theirs.avg_diff, 2), 2), title
        assert gap["avg_gcse_grade"] == round(mine.avg_gcse_grade - theirs.avg_gcse_grade, 2), title
    # A table shows each group's average GCSE grade.
    gender_rows = {row.key: row.avg_gcse_grade for row in splits["Gender"][0]}
    assert gender_rows == {"F": 4.5, "M": 6.0, "X": 4.0}
