"""tracking.standing: one truth for a grade, and its SQL form giving the same answers as its Python."""

import itertools
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import connection

from tests import factories as f
from tracking import standing
from tracking.models import (
    AssessmentPoint,
    FlightPath,
    GradeEntry,
    GradeScale,
    GradeValue,
    Subject,
    Target,
    TargetStatus,
)
from tracking.standing import ABOVE, BELOW, NONE, ON, WELL_BELOW, Book, Thresholds, sql


def _point(collects_predicted=True):
    return SimpleNamespace(collects_predicted=collects_predicted)


# -- pure rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "diff,expected",
    [(None, NONE), (3, ABOVE), (1, ABOVE), (0, ON), (-1, BELOW), (-2, WELL_BELOW), (-5, WELL_BELOW)],
)
def test_default_thresholds_are_one_grade_either_side_and_two_for_well_below(diff, expected):
    assert Thresholds().status(diff) == expected


def test_a_school_may_widen_on_target_and_well_below():
    wide = Thresholds(above_by=2, below_by=2, well_below_by=3)
    assert [wide.status(d) for d in (2, 1, -1, -2, -3)] == [ABOVE, ON, ON, BELOW, WELL_BELOW]


def test_the_prediction_counts_where_the_point_collects_it_and_it_was_entered_else_the_current_grade():
    assert standing.judged_field(_point(), "6", "7") == "predicted"
    assert standing.judged_field(_point(), "6", None) == "current"
    assert standing.judged_field(_point(collects_predicted=False), "6", "7") == "current"
    assert standing.judged_field(_point(), None, None) is None
    assert standing.counting_grade(_point(), "4", "6") == "6"
    assert standing.counting_grade(_point(), "6", "") == "6"


def test_expected_gap_shrinks_evenly_over_the_year_and_is_zero_from_the_end_of_year_11():
    gaps = standing.DEFAULT_GAPS  # 3, 2, 1, 1 grades below target at the end of Years 7-10
    assert [standing.expected_gap(gaps, 7, i, 2) for i in (1, 2)] == [4, 3]  # 3.5 rounds half up
    assert [standing.expected_gap(gaps, 8, i, 3) for i in (1, 2, 3)] == [3, 2, 2]
    assert [standing.expected_gap(gaps, 11, i, 3) for i in (1, 2, 3)] == [1, 0, 0]
    assert standing.expected_gap(gaps, 12, 1, 2) == 0
    assert standing.expected_gap(gaps, 13, 2, 2) == 0


def test_data_standing_values_use_hyphens():
    assert [standing.attr(s) for s in standing.STATUSES] == ["above", "on", "below", "well-below", "none"]


# -- a small school to judge --------------------------------------------------------------------


class World:
    """One school with points for Years 7 to 13, two subjects (one with a flight path), pupils."""

    def __init__(self):
        self.school = f.SchoolFactory()
        f.AcademicYearFactory(school=self.school)
        self.maths = f.SubjectFactory(school=self.school, name="Mathematics", code="MA")
        self.art = f.SubjectFactory(school=self.school, name="Art", code="AR")
        FlightPath.objects.create(
            school=self.school, subject=self.maths, gap_y7=4, gap_y8=3, gap_y9=2, gap_y10=1
        )
        self.ks3_scale = GradeScale.objects.get(school=self.school, code="ks3")
        self.history = f.SubjectFactory(school=self.school, name="History", code="HI")
        Subject.objects.filter(pk=self.history.pk).update(ks3_scale=self.ks3_scale)
        self.history.refresh_from_db()
        self.points = {}
        for number in (7, 8, 9, 10, 11, 12, 13):
            year_group = f.YearGroupFactory(school=self.school, number=number)
            for sequence in (1, 2, 3):
                self.points[(number, sequence)] = f.AssessmentPointFactory(
                    school=self.school,
                    year_group=year_group,
                    sequence=sequence,
                    name=f"Y{number} P{sequence}",
                    collects_predicted=number >= 10,
                    collects_security=number >= 10,
                )

    def grade(self, code, scale="gcse"):
        return f.grade(self.school, code, scale) if code else None

    def pupil(self, number):
        return f.PupilFactory(
            school=self.school, year_group=f.YearGroupFactory(school=self.school, number=number)
        )

    def target(self, pupil, subject, published, working=None, status=TargetStatus.PUBLISHED, scale="gcse"):
        grade = self.grade(working or published, scale)
        return Target.objects.create(
            school=self.school,
            pupil=pupil,
            subject=subject,
            grade=grade,
            source="flightpath",
            status=status,
            published_grade=self.grade(published, scale) if published else None,
        )

    def entry(self, pupil, subject, point, current=None, predicted=None, scale="gcse", **extra):
        return GradeEntry.objects.create(
            school=self.school,
            pupil=pupil,
            subject=subject,
            point=point,
            current=self.grade(current, scale),
            predicted=self.grade(predicted, scale),
            **extra,
        )

    def python(self, entry, book=None):
        book = book or Book(self.school)
        target = (
            Target.objects.filter(pupil_id=entry.pupil_id, subject_id=entry.subject_id)
            .select_related("grade", "published_grade", "requested_grade")
            .first()
        )
        entry = GradeEntry.objects.select_related("point", "current", "predicted").get(pk=entry.pk)
        return book.judge_entry(entry, target)

    def sql(self, entry, thresholds=None):
        rows = standing.annotate_standing(
            GradeEntry.objects.filter(pk=entry.pk), thresholds or Thresholds.of(self.school)
        )
        return rows.values(
            "standing",
            "standing_diff",
            "expected_step",
            "target_step",
            "counting_step",
            "below_floor",
            "is_complete",
        ).get()


@pytest.fixture
def world(db):
    return World()


def _agree(world, entry, book=None, thresholds=None):
    """Judge one entry both ways and assert they agree; returns the Python answer."""
    py = world.python(entry, book)
    row = world.sql(entry, thresholds)
    assert row["standing"] == py.status, (py, row)
    assert row["standing_diff"] == py.diff, (py, row)
    assert row["below_floor"] == py.below_floor, (py, row)
    expected_step = None
    if py.target is not None:
        expected_step = Book(world.school).expected(
            GradeEntry.objects.get(pk=entry.pk).point, entry.subject_id, py.target
        )[0]
    assert row["expected_step"] == expected_step
    raw = _standing_sql_rows(
        GradeEntry.objects.filter(pk=entry.pk), thresholds or Thresholds.of(world.school)
    )[entry.pk]
    assert (raw["standing"], raw["standing_diff"], raw["expected_step"], bool(raw["below_floor"])) == (
        py.status,
        py.diff,
        expected_step,
        py.below_floor,
    )
    return py


# -- the cases the issue names -------------------------------------------------------------------


def test_current_6_with_predicted_blank_is_on_a_target_of_6_judged_on_the_current_grade(world):
    pupil = world.pupil(11)
    world.target(pupil, world.art, "6")
    entry = world.entry(pupil, world.art, world.points[(11, 3)], current="6")
    result = _agree(world, entry)
    assert (result.status, result.judged, result.diff) == (ON, "current", 0)


def test_current_4_predicted_6_is_on_a_target_of_6_judged_on_the_prediction(world):
    pupil = world.pupil(11)
    world.target(pupil, world.art, "6")
    entry = world.entry(pupil, world.art, world.points[(11, 3)], current="4", predicted="6")
    result = _agree(world, entry)
    assert (result.status, result.judged, result.grade.code) == (ON, "predicted", "6")
    assert result.below_floor is False  # the floor reads the grade that counts too


def test_an_accepted_raise_counts_only_once_published_and_is_shown_as_pending(world):
    pupil = world.pupil(11)
    world.target(pupil, world.art, "6", working="7", status=TargetStatus.PROPOSED)
    entry = world.entry(pupil, world.art, world.points[(11, 3)], current="6", predicted="6")
    result = _agree(world, entry)
    assert (result.status, result.target.code, result.pending.code) == (ON, "6", "7")
    assert (
        Book(world.school, family=True)
        .judge_entry(
            GradeEntry.objects.select_related("point", "current", "predicted").get(pk=entry.pk),
            Target.objects.select_related("published_grade", "grade").get(pupil=pupil),
        )
        .pending
        is None
    )


def test_a_change_request_is_pending_and_the_published_grade_counts(world):
    pupil = world.pupil(11)
    target = world.target(pupil, world.art, "6", status=TargetStatus.CHANGE_REQUESTED)
    Target.objects.filter(pk=target.pk).update(requested_grade=world.grade("5"))
    entry = world.entry(pupil, world.art, world.points[(11, 3)], current="5")
    result = _agree(world, entry)
    assert (result.status, result.target.code, result.pending.code) == (BELOW, "6", "5")


def test_a_target_never_published_gives_no_standing_but_names_the_pending_grade(world):
    pupil = world.pupil(7)
    world.target(pupil, world.maths, None, working="6", status=TargetStatus.PROPOSED)
    entry = world.entry(pupil, world.maths, world.points[(7, 1)], current="2")
    result = _agree(world, entry)
    assert (result.status, result.no_target, result.pending.code) == (NONE, True, "6")


def test_key_stage_3_is_judged_against_the_grade_expected_now_on_the_flight_path(world):
    pupil = world.pupil(7)
    world.target(pupil, world.maths, "6")  # maths: 4 grades below at the end of Year 7
    entry = world.entry(pupil, world.maths, world.points[(7, 1)], current="2")
    result = _agree(world, entry)
    # Year 7 starts 5 below and ends 4 below: the first of three points expects 6 - 5 = grade 1.
    assert (result.expected.code, result.diff, result.status) == ("1", 1, ABOVE)
    end_of_year = _agree(world, world.entry(pupil, world.maths, world.points[(7, 3)], current="2"))
    assert (end_of_year.expected.code, end_of_year.status) == ("2", ON)


def test_a_subject_without_a_flight_path_follows_the_default_steps(world):
    pupil = world.pupil(9)
    world.target(pupil, world.art, "7")
    result = _agree(world, world.entry(pupil, world.art, world.points[(9, 3)], current="6"))
    assert (result.expected.code, result.status) == ("6", ON)  # one grade below at the end of Year 9


def test_no_target_and_no_grade_have_no_standing(world):
    pupil = world.pupil(10)
    no_target = _agree(world, world.entry(pupil, world.art, world.points[(10, 1)], current="5"))
    assert (no_target.status, no_target.no_target) == (NONE, True)
    world.target(pupil, world.maths, "6")
    no_grade = _agree(world, world.entry(pupil, world.maths, world.points[(10, 1)], security="H"))
    assert (no_grade.status, no_grade.no_target, no_grade.judged) == (NONE, False, None)


def test_a_grade_on_a_key_stage_3_scale_is_not_compared_with_a_gcse_target(world):
    pupil = world.pupil(8)
    world.target(pupil, world.history, "6")
    entry = world.entry(pupil, world.history, world.points[(8, 2)], current="Secure", scale="ks3")
    result = _agree(world, entry)
    assert (result.status, result.diff) == (NONE, None)


def test_the_expected_grade_never_falls_below_the_bottom_of_the_scale(world):
    pupil = world.pupil(7)
    world.target(pupil, world.maths, "2")
    result = _agree(world, world.entry(pupil, world.maths, world.points[(7, 1)], current="U"))
    assert (result.expected.code, result.status) == ("U", ON)


def test_the_school_thresholds_and_floor_are_data_both_forms_read(world):
    school = world.school
    school.above_by, school.below_by, school.well_below_by = 2, 2, 4
    school.floor_step = 5
    school.save()
    pupil = world.pupil(11)
    world.target(pupil, world.art, "7")
    entry = world.entry(pupil, world.art, world.points[(11, 3)], current="4")
    result = _agree(world, entry, book=Book(school), thresholds=Thresholds.of(school))
    assert (result.status, result.below_floor) == (BELOW, True)


# -- both forms agree across a grid of cases ------------------------------------------------------


def _standing_sql_rows(entries, thresholds, **options):
    """{entry id: row} from `standing.standing_sql`."""
    query, params = standing.standing_sql(entries, thresholds, **options)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        names = [column[0] for column in cursor.description]
        return {row["id"]: row for row in (dict(zip(names, values, strict=True)) for values in cursor)}


def test_python_and_sql_agree_on_every_case_of_a_grid(world, monkeypatch):
    targets = [
        ("6", None, TargetStatus.PUBLISHED),
        ("3", None, TargetStatus.PUBLISHED),
        ("5", "7", TargetStatus.PROPOSED),  # an accepted raise waiting to be published
        (None, "6", TargetStatus.PROPOSED),  # never published
        ("6", None, TargetStatus.CHANGE_REQUESTED),
        None,
    ]
    grades = [("5", None), ("4", "6"), (None, "7"), ("9", None), ("U", "2-"), (None, None), ("8+", "3")]
    made = []
    for i, (number, sequence, subject, target, grade) in enumerate(
        itertools.product((7, 8, 9, 10, 11, 12), (1, 2, 3), (world.maths, world.art), targets, grades)
    ):
        if i % 5:
            continue
        pupil = f.PupilFactory(school=world.school, year_group=world.points[(number, 1)].year_group)
        if target is not None:
            published, working, status = target
            world.target(pupil, subject, published, working=working, status=status)
        made.append(
            world.entry(
                pupil, subject, world.points[(number, sequence)], current=grade[0], predicted=grade[1]
            )
        )
    book = Book(world.school)
    targets = {
        (t.pupil_id, t.subject_id): t
        for t in Target.objects.select_related("grade", "published_grade", "requested_grade")
    }
    entries = GradeEntry.objects.filter(pk__in=[e.pk for e in made])
    rows = standing.annotate_standing(entries, Thresholds.of(world.school)).values(
        "pk", "standing", "standing_diff", "expected_step", "below_floor"
    )
    annotated = {row["pk"]: row for row in rows}
    raw = _standing_sql_rows(entries, Thresholds.of(world.school))
    judged = {
        (r.pupil_id, r.subject_id, r.point_id): r
        for r, _fields in standing.standings_of(entries, Thresholds.of(world.school))
    }
    seen = set()
    for entry in entries.select_related("point", "current", "predicted"):
        py = book.judge_entry(entry, targets.get((entry.pupil_id, entry.subject_id)))
        step = book.expected(entry.point, entry.subject_id, py.target)[0]
        mine = judged[(entry.pupil_id, entry.subject_id, entry.point_id)]
        assert (mine.status, mine.diff, mine.below_floor) == (py.status, py.diff, py.below_floor)
        assert (str(mine.grade or ""), str(mine.target or "")) == (str(py.grade or ""), str(py.target or ""))
        row = annotated[entry.pk]
        assert (row["standing"], row["standing_diff"], row["expected_step"], row["below_floor"]) == (
            py.status,
            py.diff,
            step,
            py.below_floor,
        ), (entry.point.name, entry.subject_id, py)
        # The SQL form for counting many rows gives the same answers, the grade that counts included.
        row = raw[entry.pk]
        assert (row["standing"], row["standing_diff"], row["expected_step"], bool(row["below_floor"])) == (
            py.status,
            py.diff,
            step,
            py.below_floor,
        ), (entry.point.name, entry.subject_id, py)
        assert row["counting_step"] == (py.grade.step if py.grade else None)
        seen.add(py.status)
    assert len(made) > 100 and seen == set(standing.STATUSES)
    # The same rows with the points given (the grade that counts chosen by the point's id), and with the
    # grades looked up by a CASE on their id (SQLite's form, and PostgreSQL's for far-apart ids).
    points = list(AssessmentPoint.objects.filter(pk__in=entries.values("point_id")))
    assert _standing_sql_rows(entries, Thresholds.of(world.school), points=points) == raw
    monkeypatch.setattr(sql, "LOOKUP_SPAN", 0)
    assert _standing_sql_rows(entries, Thresholds.of(world.school)) == raw
    # Grouped, each combination of what a standing is worked out from is one row standing for `n`
    # grades: the same standings, as many times over.
    judged = ("point_id", "subject_id", "counting_step", "expected_step", "standing_diff", "standing")
    one_by_one = Counter(tuple(row[name] for name in judged) for row in raw.values())
    query, params = standing.standing_sql(entries, Thresholds.of(world.school), grouped=True)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        names = [column[0] for column in cursor.description]
        grouped = [dict(zip(names, values, strict=True)) for values in cursor]
    together = Counter()
    for row in grouped:
        together[tuple(row[name] for name in judged)] += row["n"]
    assert together == one_by_one and len(grouped) < len(raw)


def test_sql_counts_match_python_counts_over_many_rows(world):
    book = Book(world.school)
    for i, (current, target) in enumerate(itertools.product(["3", "4", "5", "6", "7", "8"], ["4", "6", "8"])):
        pupil = world.pupil(9 + i % 3)
        world.target(pupil, world.maths, target)
        world.entry(pupil, world.maths, world.points[(pupil.year_group.number, 1 + i % 3)], current=current)
    entries = GradeEntry.objects.filter(school=world.school)
    counts = standing.standing_counts(entries, Thresholds.of(world.school))
    python = {s: 0 for s in standing.STATUSES}
    for entry in entries.select_related("point", "current", "predicted"):
        target = Target.objects.select_related("published_grade").get(
            pupil_id=entry.pupil_id, subject_id=entry.subject_id
        )
        python[book.judge_entry(entry, target).status] += 1
    assert {s: counts[s] for s in standing.STATUSES} == python
    assert counts["graded"] == counts["with_target"] == entries.count()


# -- complete -------------------------------------------------------------------------------------


def test_a_row_is_complete_with_every_collected_field_but_the_comment_in_both_forms(world):
    pupil = world.pupil(11)
    point = world.points[(11, 1)]
    rows = [
        world.entry(pupil, world.art, point, current="5", predicted="6", security="H", effort=2),
        world.entry(pupil, world.maths, point, current="5", predicted="6", security="H"),
        world.entry(pupil, world.history, point, current="5", predicted=None, security="M", effort=1),
    ]
    ks3 = world.entry(world.pupil(8), world.art, world.points[(8, 1)], current="3", effort=1)
    assert standing.required_fields(point) == ["current", "predicted", "security", "effort"]
    assert standing.required_fields(world.points[(8, 1)]) == ["current", "effort"]
    for entry in [*rows, ks3]:
        entry = GradeEntry.objects.select_related("point").get(pk=entry.pk)
        in_sql = GradeEntry.objects.filter(standing.complete_q(), pk=entry.pk).exists()
        assert in_sql == standing.row_complete(entry.point, entry)
    assert [standing.row_complete(r.point, r) for r in rows] == [True, False, False]
    assert standing.row_complete(ks3.point, ks3) is True


def test_grade_at_step_picks_the_plain_grade_and_clamps_to_the_scale():
    school_values = [
        SimpleNamespace(code=c, rank=r, step=s)
        for c, r, s in (("5+", 3, 5), ("5", 2, 5), ("5-", 1, 5), ("U", 0, 0))
    ]
    assert standing.grade_at_step(school_values, 5).code == "5"
    assert standing.grade_at_step(school_values, 9).code == "5"
    assert standing.grade_at_step(school_values, -3).code == "U"
    assert standing.grade_at_step([], 4) is None


@pytest.mark.django_db
def test_a_book_loads_a_school_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    world = World()
    pupils = [world.pupil(10) for _ in range(5)]
    entries = []
    for pupil in pupils:
        world.target(pupil, world.maths, "6")
        entries.append(world.entry(pupil, world.maths, world.points[(10, 2)], current="5"))
    entries = list(
        GradeEntry.objects.filter(pk__in=[e.pk for e in entries]).select_related(
            "point", "current", "predicted"
        )
    )
    targets = {t.pupil_id: t for t in Target.objects.select_related("published_grade", "grade")}
    book = Book(world.school)
    with django_assert_max_num_queries(3):
        results = [book.judge_entry(e, targets[e.pupil_id]) for e in entries]
    assert {r.status for r in results} == {ON}
    assert GradeValue.objects.exists()


def test_sub_grades_share_a_whole_grade_and_other_scales_compare_by_step(world):
    pupil = world.pupil(11)
    world.target(pupil, world.art, "5")
    point = world.points[(11, 3)]
    book = Book(world.school)
    target = Target.objects.select_related("published_grade").get(pupil=pupil)
    judged = {
        code: book.judge(point, current=world.grade(code), target=target) for code in ("5-", "6+", "4+", "4-")
    }
    assert (judged["5-"].status, judged["6+"].status) == (ON, ABOVE)
    assert judged["4+"].diff == judged["4-"].diff == -1
    sixth = world.pupil(12)
    world.target(sixth, world.maths, "A", scale="alevel")
    a_level = Target.objects.select_related("published_grade").get(pupil=sixth)
    result = book.judge(world.points[(12, 2)], current=world.grade("C", "alevel"), target=a_level)
    assert (result.diff, result.status) == (-2, WELL_BELOW)
