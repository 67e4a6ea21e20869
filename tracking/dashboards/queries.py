"""Figures for the leaders' dashboard, counted in the database with tracking.standing's expressions.

Every figure at every level (school, year, subject, group) comes from `figures()`, so a percentage on
the school row and the same pupils counted from a group's row always agree; the query count is fixed
whatever the size of the school.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast

from tracking import standing
from tracking.dashboards.attainment8 import A8Error, attainment8, entries_for
from tracking.models import AcademicYear, AssessmentPoint, GradeEntry, HalfTerm, Pupil, Subject, TeachingGroup

GCSE_PASS, GCSE_STRONG = 4, 5  # DfE "standard" and "strong" passes
COMBINED = "combined_science"

SPLITS = (
    ("pupil__disadvantaged", "Disadvantaged", {True: "Disadvantaged", False: "Others"}, True),
    ("pupil__sen_status", "SEN", {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}, "N"),
    ("pupil__eal", "EAL", {True: "EAL", False: "English first language"}, True),
    ("pupil__gender", "Gender", {"F": "Female", "M": "Male", "X": "Other / not stated"}, None),
    (
        "pupil__prior_band",
        "Prior attainment",
        {"low": "Low", "middle": "Middle", "high": "High", "": "No KS2 data"},
        None,
    ),
    ("pupil__looked_after", "Looked after", {True: "Looked after", False: "Others"}, True),
)


def terms_with_data(school):
    """Half terms (newest first) that have grades, for the term picker. EXISTS stops at a term's first
    grade (a join would read every grade in the school and then make them distinct)."""
    has_grades = GradeEntry.objects.filter(point__half_term=OuterRef("pk"))
    return list(
        HalfTerm.objects.filter(Exists(has_grades), academic_year__school=school)
        .select_related("academic_year")
        .order_by("-academic_year__starts_on", "-number")
    )


def latest_uplift(school):
    """The newest half term with grades and its assessment points: (None, []) when there is none."""
    terms = terms_with_data(school)
    if not terms:
        return None, []
    points = AssessmentPoint.objects.filter(half_term=terms[0]).select_related("year_group", "academic_year")
    return terms[0], list(points)


YEAR_GROUPING = ("point__year_group__number", "int")
DISADVANTAGED = "pupil__disadvantaged"


@dataclass
class Headline:
    """A school's headline figures at its latest uplift: whole school, each year, the disadvantaged gap."""

    school: object
    term: object
    total: "Figures"
    years: list
    gap: dict | None


def headline(school, entries):
    """The dashboard's own figures for the school's latest uplift (trust view, Data Board): 4 queries."""
    term, points = latest_uplift(school)
    if term is None:
        return Headline(school, None, _empty(), [], None)
    groupings = {"year": YEAR_GROUPING, DISADVANTAGED: SPLIT_GROUPINGS[DISADVANTAGED]}
    sets = figure_sets(
        entries.filter(point__in=points),
        standing.Thresholds.of(school),
        _previous_points(points),
        groupings,
        points=points,
    )
    for row in sets["year"]:
        row.label = f"Year {row.key}"
    disadvantaged = next(split for split in splits(sets, only=(DISADVANTAGED,)))
    return Headline(school, term, sets["total"], sets["year"], disadvantaged[2])


# In-school variation: a subject or group is an outlier when its average difference from the grade
# expected now is at least this far from the rest of the school's (or of its subject's), on enough grades.
OUTLIER_GRADES = 0.5
OUTLIER_MIN_GRADES = 5


def _rest(total, row):
    """The figures for everything in `total` except `row` (standing counts and weighted average)."""
    rest = _empty()
    for name in (*COUNTED, "up", "down"):
        setattr(rest, name, getattr(total, name) - getattr(row, name))
    if rest.with_standing and total.avg_diff is not None:
        mine = (row.avg_diff or 0) * row.with_standing
        rest.avg_diff = (total.avg_diff * total.with_standing - mine) / rest.with_standing
    return rest


def mark_outliers(rows, whole_of):
    """Set `gap_to_rest` (average difference minus the rest's) and `outlier` ("above", "below" or None)."""
    for row in rows:
        rest = _rest(whole_of(row), row)
        row.gap_to_rest = (
            None if row.avg_diff is None or rest.avg_diff is None else round(row.avg_diff - rest.avg_diff, 2)
        )
        row.outlier = None
        if row.gap_to_rest is not None and row.with_standing >= OUTLIER_MIN_GRADES:
            if row.gap_to_rest >= OUTLIER_GRADES:
                row.outlier = "above"
            elif row.gap_to_rest <= -OUTLIER_GRADES:
                row.outlier = "below"
    return rows


def variation(entries, thresholds, previous, points=None):
    """Subjects and teaching groups side by side, each against its own pupils' targets (ONE figures query,
    two for names). A subject is compared with the rest of the school; a group with its subject's others."""
    groupings = {"subject": ("subject_id", "int"), "group": TEACHING_GROUP}
    sets = figure_sets(entries, thresholds, previous, groupings, points=points)
    subjects = {r.key: r for r in sets["subject"]}
    for subject_id, name in Subject.objects.filter(pk__in=subjects).values_list("pk", "name"):
        subjects[subject_id].label = name
    groups = [r for r in sets["group"] if r.key is not None]
    names = {
        pk: (name, subject_id)
        for pk, name, subject_id in TeachingGroup.objects.filter(pk__in=[r.key for r in groups]).values_list(
            "pk", "name", "subject_id"
        )
    }
    for row in groups:
        row.label, row.subject_id = names.get(row.key, ("?", None))
    groups = [r for r in groups if r.subject_id in subjects]
    mark_outliers(subjects.values(), lambda row: sets["total"])
    mark_outliers(groups, lambda row: subjects[row.subject_id])
    for row in groups:
        row.label = f"{row.label} ({subjects[row.subject_id].label})"
    return (
        sets["total"],
        sorted(subjects.values(), key=lambda r: r.label),
        sorted(groups, key=lambda r: r.label),
    )


def most_improved(school, entries, points, limit=8):
    """Pupils with the most grades up since the previous point: [(pupil, grades up)], best first.

    Names pupils: only for a Data Board whose school has chosen to show them.
    """
    rows = (
        with_movement(
            standing.annotate_standing(entries.filter(point__in=points), standing.Thresholds.of(school)),
            _previous_points(points),
        )
        .filter(prev_step__isnull=False, counting_step__gt=F("prev_step"))
        .values("pupil_id")
        .annotate(up=Count("pk"))
        .order_by("-up", "pupil_id")[:limit]
    )
    ups = {row["pupil_id"]: row["up"] for row in rows}
    pupils = Pupil.objects.filter(pk__in=ups).select_related("form")
    return sorted(((p, ups[p.pk]) for p in pupils), key=lambda item: (-item[1], item[0].sorted_name))


def _previous_points(points):
    """{point id: the point before it for the same year group and academic year}."""
    ids = {p.pk for p in points}
    by_year = {}
    for point in AssessmentPoint.objects.filter(
        academic_year_id__in={p.academic_year_id for p in points},
        year_group_id__in={p.year_group_id for p in points},
    ).order_by("sequence"):
        by_year.setdefault((point.academic_year_id, point.year_group_id), []).append(point.pk)
    previous = {}
    for sequence in by_year.values():
        for before, after in zip(sequence, sequence[1:], strict=False):
            if after in ids:
                previous[after] = before
    return previous


def with_movement(entries, previous):
    """Annotate `prev_step`: the grade that counted for the same pupil and subject at the point before."""
    if not previous:
        return entries.annotate(prev_step=Cast(Value(None), IntegerField()))
    prev_point = Case(
        *(When(point_id=after, then=Value(before)) for after, before in previous.items()),
        default=Value(None),
        output_field=IntegerField(),
    )
    earlier = GradeEntry.objects.filter(
        pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"), point_id=OuterRef("prev_point")
    ).annotate(step=standing.counting_step_expression())
    return entries.annotate(prev_point=prev_point).annotate(
        prev_step=Subquery(earlier.values("step")[:1], output_field=IntegerField())
    )


# A grouping by the pupil's teaching group in the grade's subject that year (grade rows need not name
# it): figure_sets joins each grade to the pupil's lowest-numbered such group, once, by a hash join.
TEACHING_GROUP = ("teaching_group", "int")
MEMBERSHIPS = """SELECT m.pupil_id, g.subject_id, g.academic_year_id, MIN(g.id) AS group_key
FROM tracking_teachinggroup g JOIN tracking_teachinggroup_pupils m ON m.teachinggroup_id = g.id
WHERE g.subject_id IN (SELECT DISTINCT subject_id FROM base)
GROUP BY m.pupil_id, g.subject_id, g.academic_year_id"""


@dataclass
class Figures:
    key: object
    entries: int
    graded: int
    with_standing: int
    above: int
    on: int
    below: int
    well_below: int
    avg_diff: float | None
    gcse: int
    pass4: int
    pass5: int
    up: int
    down: int
    label: str = ""

    def pct(self, part, whole):
        return round(100 * part / whole) if whole else None

    @property
    def above_pct(self):
        return self.pct(self.above, self.with_standing)

    @property
    def on_pct(self):
        return self.pct(self.on, self.with_standing)

    @property
    def below_pct(self):
        return self.pct(self.below, self.with_standing)

    @property
    def well_below_pct(self):
        return self.pct(self.well_below, self.with_standing)

    @property
    def on_or_above_pct(self):
        return self.pct(self.above + self.on, self.with_standing)

    @property
    def pass4_pct(self):
        return self.pct(self.pass4, self.gcse)

    @property
    def pass5_pct(self):
        return self.pct(self.pass5, self.gcse)

    @property
    def standings(self):
        """(status, count, %) in order, for the stacked bar."""
        return [
            (standing.ABOVE, self.above, self.above_pct),
            (standing.ON, self.on, self.on_pct),
            (standing.BELOW, self.below, self.below_pct),
            (standing.WELL_BELOW, self.well_below, self.well_below_pct),
        ]


# Counted once per combination of the groupings' keys; each grouping's figures are sums of these rows.
AGGREGATES = (
    ("entries", "COUNT(*)"),
    ("graded", "COUNT(counting_step)"),
    ("with_standing", "COUNT(standing_diff)"),  # a standing other than none is one with a difference
    ("above", f"SUM(CASE WHEN standing = '{standing.ABOVE}' THEN 1 ELSE 0 END)"),
    ("on", f"SUM(CASE WHEN standing = '{standing.ON}' THEN 1 ELSE 0 END)"),
    ("below", f"SUM(CASE WHEN standing = '{standing.BELOW}' THEN 1 ELSE 0 END)"),
    ("well_below", f"SUM(CASE WHEN standing = '{standing.WELL_BELOW}' THEN 1 ELSE 0 END)"),
    ("diff_sum", "SUM(standing_diff)"),
    ("gcse", "SUM(is_gcse)"),
    ("pass4", f"SUM(CASE WHEN is_gcse = 1 AND counting_step >= {GCSE_PASS} THEN 1 ELSE 0 END)"),
    ("pass5", f"SUM(CASE WHEN is_gcse = 1 AND counting_step >= {GCSE_STRONG} THEN 1 ELSE 0 END)"),
    ("up", "SUM(CASE WHEN prev_step IS NOT NULL AND counting_step > prev_step THEN 1 ELSE 0 END)"),
    ("down", "SUM(CASE WHEN prev_step IS NOT NULL AND counting_step < prev_step THEN 1 ELSE 0 END)"),
)
SUMMED = tuple(name for name, _sql in AGGREGATES)


def _key(value, kind):
    """A grouping key as the field holds it (SQLite returns booleans as 1 and 0)."""
    if value is None:
        return None
    if kind == "bool":
        return str(value).lower() in ("1", "true", "t")
    if kind == "int":
        return int(value)
    return str(value)


def _add(sums, values):
    for index, value in enumerate(values):
        sums[index] += value or 0


def _figures(key, sums):
    counted = dict(zip(SUMMED, sums, strict=True))
    diff_sum = counted.pop("diff_sum")
    average = diff_sum / counted["with_standing"] if counted["with_standing"] else None
    return Figures(key=key, avg_diff=average, **counted)


def figure_sets(entries, thresholds, previous, groupings, points=None):
    """Figures in total and for each grouping, in ONE query.

    `groupings` maps a name to (field path, kind) with kind "int", "bool" or "text". Each grade entry's
    standing is worked out once (tracking.standing's expressions, in a materialised CTE) and then
    counted for every grouping, so the page's query count and cost do not depend on how many
    breakdowns it shows. `points`: the points the entries are at, when the caller has them loaded.
    Returns {"total": Figures, name: [Figures, ...]}.
    """
    aliases = [f"k{index}" for index in range(len(groupings))]
    keys = {
        alias: path
        for alias, (path, _kind) in zip(aliases, groupings.values(), strict=True)
        if path != TEACHING_GROUP[0]
    }
    by_group = [alias for alias in aliases if alias not in keys]
    inner, params = standing.standing_sql(
        entries,
        thresholds,
        points=points,
        year_key=F("point__academic_year_id"),
        **{alias: F(path) for alias, path in keys.items()},
    )
    params = list(params)
    selected, joins, ctes = ["CAST(NULL AS INTEGER) AS prev_step"], [], ""
    if previous:
        # Movement by a join, not a subquery per grade: the grade that counted for the same pupil and
        # subject at the point before (with_movement's answer, in a fraction of the time on a school).
        earlier = (
            GradeEntry.objects.filter(point_id__in=set(previous.values()))
            .annotate(step=standing.counting_step_expression())
            .values("pupil_id", "subject_id", "point_id", "step")
        )
        earlier_sql, earlier_params = earlier.query.sql_with_params()
        pairs = ", ".join("(%s, %s)" for _ in previous)
        # Each earlier grade keyed by the point it is compared at, so the join is on equal columns.
        ctes += (
            f", moves(after_id, before_id) AS (VALUES {pairs}), earlier AS ("
            "SELECT e.pupil_id, e.subject_id, moves.after_id AS point_id, e.step "
            f"FROM ({earlier_sql}) e JOIN moves ON moves.before_id = e.point_id)"
        )
        for after, before in previous.items():
            params += [after, before]
        params += list(earlier_params)
        selected = ["earlier.step AS prev_step"]
        joins += [
            "LEFT JOIN earlier ON earlier.pupil_id = base.pupil_id AND earlier.subject_id = base.subject_id "
            "AND earlier.point_id = base.point_id",
        ]
    if by_group:
        ctes += f", memberships AS MATERIALIZED ({MEMBERSHIPS})"
        selected += [f"memberships.group_key AS {alias}" for alias in by_group]
        joins.append(
            "LEFT JOIN memberships ON memberships.pupil_id = base.pupil_id "
            "AND memberships.subject_id = base.subject_id AND memberships.academic_year_id = base.year_key"
        )
    columns = ", ".join(f"base.{name}" for name in ("standing", "standing_diff", "counting_step", *keys))
    # A GCSE grade: the grade that counts is on the scale of the school's floor grade.
    is_gcse = "CASE WHEN base.on_floor_scale AND base.counting_step IS NOT NULL THEN 1 ELSE 0 END AS is_gcse"
    facts = f"SELECT {columns}, {is_gcse}, {', '.join(selected)} FROM base {' '.join(joins)}"
    aggregates = ", ".join(sql for _name, sql in AGGREGATES)
    grouped = ", ".join(aliases)
    # One pass: counted by every combination of keys (a few hundred rows), then summed here for the
    # total and for each grouping, rather than a pass over the grades for each.
    select = f"SELECT {grouped + ', ' if grouped else ''}{aggregates} FROM facts"
    # base is read twice when teaching groups are counted (memberships reads its subjects): then once.
    materialized = " MATERIALIZED" if by_group else ""
    sql = f"WITH base AS{materialized} ({inner}){ctes}, facts AS ({facts}) {select}"
    if grouped:
        sql += f" GROUP BY {grouped}"
    total, sums = None, {name: {} for name in groupings}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            keys, values = row[: len(aliases)], row[len(aliases) :]
            if total is None:
                total = [0] * len(SUMMED)
            _add(total, values)
            for (name, (_path, kind)), key in zip(groupings.items(), keys, strict=True):
                _add(sums[name].setdefault(_key(key, kind), [0] * len(SUMMED)), values)
    out = {"total": _figures(None, total) if total and total[0] else _empty()}
    for name in groupings:
        out[name] = [_figures(key, values) for key, values in sums[name].items()]
    for name in groupings:
        out[name].sort(key=lambda row: (row.key is None, row.key))
    return out


SPLIT_GROUPINGS = {
    path: (path, kind)
    for path, kind in (
        ("pupil__disadvantaged", "bool"),
        ("pupil__sen_status", "text"),
        ("pupil__eal", "bool"),
        ("pupil__gender", "text"),
        ("pupil__prior_band", "text"),
        ("pupil__looked_after", "bool"),
    )
}


def splits(sets, only=None):
    """[(title, [Figures with labels], gap)] for each pupil characteristic, with the gap to the others."""
    out = []
    for path, title, labels, focus in SPLITS:
        if only is not None and path not in only:
            continue
        rows = sets[path]
        for row in rows:
            row.label = labels.get(row.key, str(row.key))
        gap = None
        if focus is not None:
            mine = next((r for r in rows if r.key == focus), None)
            others = [r for r in rows if r.key != focus]
            if mine and others:
                gap = _gap(mine, _combine(others))
                compared = "the rest" if len(others) > 1 else others[0].label.lower()
                gap["label"] = f"{labels[focus]} compared with {compared}"
        out.append((title, rows, gap))
    return out


COUNTED = (
    "entries",
    "graded",
    "with_standing",
    "above",
    "on",
    "below",
    "well_below",
    "gcse",
    "pass4",
    "pass5",
)


def _empty():
    return Figures(key=None, avg_diff=None, up=0, down=0, **dict.fromkeys(COUNTED, 0))


def _combine(rows):
    """One row of figures for several (the "others" a group is compared with)."""
    total = _empty()
    weighted = 0.0
    for row in rows:
        for name in (*COUNTED, "up", "down"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        if row.avg_diff is not None:
            weighted += row.avg_diff * row.with_standing
    total.avg_diff = weighted / total.with_standing if total.with_standing else None
    return total


def _gap(mine, rest):
    def minus(a, b):
        return None if a is None or b is None else round(a - b, 2)

    return {
        "on_or_above": minus(mine.on_or_above_pct, rest.on_or_above_pct),
        "avg_diff": minus(mine.avg_diff, rest.avg_diff),
        "pass4": minus(mine.pass4_pct, rest.pass4_pct),
    }


def trend(entries, thresholds, year_number, term, narrow=None):
    """The year group's points this year and last year: % on or above and average difference, by point."""
    school = term.academic_year.school_id
    years = list(
        AcademicYear.objects.filter(school_id=school, starts_on__lte=term.academic_year.starts_on).order_by(
            "-starts_on"
        )[:2]
    )
    # Last year's Year N were this year's Year N+1: compare the same year group, not the same pupils.
    base = GradeEntry.objects.filter(
        school_id=school, point__academic_year__in=years, point__year_group__number=year_number
    )
    # Same scope as the page (department or groups) where the page is limited.
    base = base.filter(subject_id__in=entries.values("subject_id"))
    if narrow is not None:  # the same cohort of pupils (disadvantaged, SEN...) as the page
        base = narrow(base)
    rows = figure_sets(base, thresholds, {}, {"point": ("point_id", "int")})["point"]
    points = {
        p.pk: p
        for p in AssessmentPoint.objects.filter(pk__in=[r.key for r in rows]).select_related("academic_year")
    }
    series = {}
    for row in rows:
        point = points[row.key]
        row.label = point.name
        series.setdefault(point.academic_year, []).append((point.sequence, row))
    return [
        (year, [row for _sequence, row in sorted(items, key=lambda item: item[0])])
        for year, items in sorted(series.items(), key=lambda item: item[0].starts_on, reverse=True)
    ]


def attainment8_rows(scoped, points, school, thresholds, estimates):
    """Each Year 10 and 11 pupil's A8 from the grades that count; P8 where KS2 data and estimates allow.

    A subject not yet graded at the chosen point (its window still open) uses the latest grade that
    counts at an earlier point this year, so a half-entered uplift does not read as a collapse.
    """
    chosen = [p for p in points if p.year_group.number in (10, 11)]
    earlier = AssessmentPoint.objects.filter(
        academic_year_id__in={p.academic_year_id for p in chosen},
        year_group_id__in={p.year_group_id for p in chosen},
        sequence__lte=max((p.sequence for p in chosen), default=0),
    )
    rows = (
        standing.annotate_standing(scoped.filter(point__in=earlier), thresholds)
        .filter(counting_step__isnull=False, subject__qualification="gcse")
        .order_by("point__sequence")
        .values_list(
            "pupil_id", "subject_id", "subject__name", "subject__category", "counting_step", "counting_scale"
        )
    )
    book = standing.Book(school)
    latest = {}
    for pupil_id, subject_id, subject, category, step, scale_id in rows:
        # A8 counts whole grades: the grade at the step that counts (a 6+ is a 6).
        code = standing.grade_at_step(book.values(scale_id), step).code
        if category == COMBINED and code.isdigit():
            code = f"{code}-{code}"  # a combined science grade entered on the single GCSE scale
        latest[(pupil_id, subject_id)] = (subject, category, code)  # later points overwrite earlier ones
    by_pupil = {}
    for (pupil_id, _subject_id), result in latest.items():
        by_pupil.setdefault(pupil_id, []).append(result)
    pupils = Pupil.objects.filter(pk__in=by_pupil).select_related("year_group", "form")
    out = []
    for pupil in pupils:
        entries_ = []
        for subject, category, code in by_pupil[pupil.pk]:
            try:
                entries_ += entries_for(subject, category, grade=code)
            except A8Error:
                continue  # a sub-grade scale or non-GCSE grade the A8 rules cannot score
        breakdown = attainment8(entries_)
        estimate = estimates.estimate_for(pupil.ks2_mean)
        out.append((pupil, breakdown, estimate, breakdown.progress8(estimate)))
    out.sort(key=lambda row: (row[0].year_group.number, row[0].sorted_name))
    return out


def cohort_a8(rows):
    """Mean A8 and mean P8 (of those with one), with the disadvantaged gap in each."""

    def mean(values):
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    def of(selected):
        return {
            "pupils": len(selected),
            "a8": mean([b.attainment8 for _p, b, _e, _p8 in selected]),
            "p8": mean([p8 for _p, _b, _e, p8 in selected]),
        }

    everyone = of(rows)
    disadvantaged = of([r for r in rows if r[0].disadvantaged])
    others = of([r for r in rows if not r[0].disadvantaged])
    gap = {
        key: round(disadvantaged[key] - others[key], 2)
        if disadvantaged[key] is not None and others[key] is not None
        else None
        for key in ("a8", "p8")
    }
    return {"all": everyone, "disadvantaged": disadvantaged, "others": others, "gap": gap}
