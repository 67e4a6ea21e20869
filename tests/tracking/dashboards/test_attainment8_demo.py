"""The demo school shows Progress 8: it seeds an estimates table (illustrative, and labelled so) that
gives its Year 10 and 11 pupils with KS2 data a Progress 8 near 0. One seeded build for the module."""

from datetime import date

import pytest

from tests.built_once import built_once
from tracking.dashboards import attainment8_pupils, queries
from tracking.demo.estimates import illustrative_bands
from tracking.demo.school import build
from tracking.models import AssessmentPoint, EstimateTable, GradeEntry, ProgressEstimate, User

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        yield build(pupils=300, seed=3, today=TODAY, hillside_pupils=60)


@pytest.fixture
def built(_built, db):
    return _built


def _rows(school):
    term = queries.terms_with_data(school)[0]
    points = list(
        AssessmentPoint.objects.filter(half_term=term).select_related("year_group", "academic_year")
    )
    scoped = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    return term, attainment8_pupils.attainment8_rows(scoped, points, school, EstimateTable(school))


def test_the_illustrative_table_rises_from_about_20_at_95_to_about_70_at_118():
    bands = illustrative_bands()
    estimates = [row[1] for row in bands]
    assert estimates == sorted(estimates) and len(set(estimates)) == len(estimates)
    table = {row[0]: row[1] for row in bands}
    assert 17 <= table[95] <= 23 and 65 <= table[118] <= 72
    assert bands[0][0] == 80 and bands[-1][0] == 120


def test_each_demo_school_seeds_its_estimates(built):
    for school in (built.school, built.hillside.school):
        assert ProgressEstimate.objects.filter(school=school).count() == len(illustrative_bands())


def test_every_demo_pupil_with_ks2_data_has_a_progress8_and_element_progress8_and_no_one_else_does(built):
    for school in (built.school, built.hillside.school):
        _term, rows = _rows(school)
        assert rows
        for pupil, _breakdown, estimate, p8, elements in rows:
            assert (p8 is not None) == (pupil.ks2_mean is not None), pupil
            assert (estimate is not None) == (pupil.ks2_mean is not None), pupil
            # The demo's table has element estimates: every element has a Progress 8 too.
            assert all(
                (value is not None) == (pupil.ks2_mean is not None) for value in vars(elements).values()
            )


def test_the_demo_cohort_progress8_centres_near_zero_with_a_spread(built):
    _term, rows = _rows(built.school)
    for year in (10, 11):
        mine = [row for row in rows if row[0].year == year]
        (everyone,), _gap = attainment8_pupils.cohort_a8(mine)[0][1:]
        assert -0.5 <= everyone.p8 <= 0.5, everyone
        p8s = [row[3] for row in mine if row[3] is not None]
        assert min(p8s) < -1 and max(p8s) > 1  # a spread, not a block of zeros


def test_the_demo_disadvantaged_pupils_are_behind_as_in_english_schools(built):
    # England's disadvantaged pupils start lower at KS2 and make about half a grade a subject less
    # progress: the demo's leaders see a gap they would recognise, in A8 and in P8, in both years.
    _term, rows = _rows(built.school)
    for year in (10, 11):
        splits = attainment8_pupils.cohort_a8([row for row in rows if row[0].year == year])
        _title, _groups, gap = next(split for split in splits if split[0] == "Disadvantaged")
        assert -0.7 <= gap.p8 <= -0.3, (year, gap)
        assert gap.a8 <= -3, (year, gap)  # lower KS2 starts too (a small demo: a few pupils a year)


def test_slt_sees_the_demo_progress8_labelled_as_illustrative(built, client):
    client.force_login(User.objects.get(username="slt"))
    page = client.get("/dashboard/attainment8/").content.decode()
    _term, rows = _rows(built.school)
    everyone = attainment8_pupils.cohort_a8(rows)[0][1][0]
    assert f'<p class="card-figure">{everyone.p8:.2f}</p><p class="card-caption">Average Progress 8' in page
    assert "made-up demo figures, not the DfE's published table" in page


def test_a_real_school_sees_no_illustrative_label(built, client):
    built.school.is_demo = False
    built.school.save(update_fields=["is_demo"])
    client.force_login(User.objects.get(username="slt"))
    page = client.get("/dashboard/attainment8/").content.decode()
    assert "Illustrative estimates" not in page
