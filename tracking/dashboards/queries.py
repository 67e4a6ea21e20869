"""Reads the leaders' dashboards share: the uplifts with grades, a school's headline, the splits by
pupil characteristics and their gaps, in-school variation, the trend through the year. Counted with
`figures.figure_sets` (one query for every figure on a page).
"""

from dataclasses import dataclass, field
from operator import attrgetter

from django.db import connection
from django.db.models import Exists, OuterRef

from tracking import standing
from tracking.dashboards.figures import (
    SUMMED,
    TEACHING_GROUP,
    Figures,
    combined,
    earlier_steps,
    empty_figures,
    figure_sets,
    figures_of,
    key_of,
)
from tracking.models import AssessmentPoint, GradeEntry, HalfTerm, Pupil, Subject, TeachingGroup

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


def newest_term_id(grades):
    """The id of the newest half term among `grades` (None without any): one query, which reads only
    those grades when they are found from a few hundred memberships (permissions.dashboard_own_grades)."""
    newest = grades.order_by("-point__half_term__academic_year__starts_on", "-point__half_term__number")
    return newest.values_list("point__half_term_id", flat=True).first()


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
    """A school's headline figures at its latest uplift: whole school, each year, the disadvantaged gap;
    for the trust view, every split with its gap and the trend through the year too."""

    school: object
    term: object
    total: Figures
    years: list
    gap: dict | None
    splits: list = field(default_factory=list)
    trend: object = None


def headline(school, entries, full=False, with_trend=True):
    """The dashboard's own figures for the school's latest uplift (the Data Board: 6 queries). `full`
    (the trust view): every split and (`with_trend`) the whole school's trend, as its own dashboard
    counts them (8)."""
    terms = terms_with_data(school)
    if not terms:
        return Headline(school, None, empty_figures(), [], None)
    term = terms[0]
    points, trend_points = uplift_points(term, terms)
    groupings = {"year": YEAR_GROUPING}
    groupings.update(SPLIT_GROUPINGS if full else {DISADVANTAGED: SPLIT_GROUPINGS[DISADVANTAGED]})
    thresholds = standing.Thresholds.of(school)
    grades = standing.GradeTable(connection.vendor)
    sets = figure_sets(
        entries.filter(point__in=points),
        thresholds,
        standing.previous_points(points),
        groupings,
        points=points,
        grades=grades,
    )
    for row in sets["year"]:
        row.label = f"Year {row.key}"
    found = splits(sets, only=None if full else (DISADVANTAGED,))
    gap = next(gap for title, _rows, gap in found if title == "Disadvantaged")
    out = Headline(school, term, sets["total"], sets["year"], gap)
    if full:
        out.splits = found
        if with_trend:
            out.trend = whole_school_trend(entries, thresholds, (term, points, trend_points), sets, grades)
    return out


def whole_school_trend(entries, thresholds, uplift, sets, grades):
    """The school's trend to `uplift` ((its half term, its points, the trend's points)); its own half
    term is `sets`' total and year rows (figure_sets with YEAR_GROUPING, one by one or alike)."""
    term, points, trend_points = uplift
    years = [row.key for row in sets["year"] if row.graded]
    return trend(
        entries.filter(pupil__year_group__number__in=sorted({p.year_group.number for p in points})),
        thresholds,
        trend_points,
        grades=grades,
        uplift=(term, sets["total"], years),
    )


# In-school variation: a subject or group is an outlier when its average difference from the grade
# expected now is at least this far from the rest of the school's (or of its subject's), on enough grades.
OUTLIER_GRADES = 0.5
OUTLIER_MIN_GRADES = 5


def _rest_avg_diff(total, row):
    """The average difference of everything in `total` except `row` (weighted by standings), or None:
    the only figure of "the rest" an outlier is judged on (a school of hundreds of groups has one per
    group, so no other figure of the rest is worked out)."""
    rest_with_standing = total.with_standing - row.with_standing
    if not rest_with_standing or total.avg_diff is None:
        return None
    mine = (row.avg_diff or 0) * row.with_standing
    return (total.avg_diff * total.with_standing - mine) / rest_with_standing


def mark_outliers(rows, whole_of):
    """Set `gap_to_rest` (average difference minus the rest's) and `outlier` ("above", "below" or None)."""
    for row in rows:
        rest_avg_diff = _rest_avg_diff(whole_of(row), row)
        row.gap_to_rest = (
            None if row.avg_diff is None or rest_avg_diff is None else round(row.avg_diff - rest_avg_diff, 2)
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
    if points is not None:
        # Every group counted is one of these subjects' groups in the points' academic years (figure_sets
        # joins no other): named by those two keys, not by a list of a thousand group ids.
        named = TeachingGroup.objects.filter(
            subject_id__in=list(subjects), academic_year_id__in={p.academic_year_id for p in points}
        )
    else:
        named = TeachingGroup.objects.filter(pk__in=[r.key for r in groups])
    names = {pk: (name, subject_id) for pk, name, subject_id in named.values_list("pk", "name", "subject_id")}
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

    Names pupils: only for a Data Board whose school has chosen to show them. One query: each grade that
    counts at a point joined to the same pupil and subject's grade that counted at the point before (a
    hash join, not a subquery per grade; no standing is needed to see a grade go up).
    """
    previous = standing.previous_points(points)
    if not previous:
        return []
    now_sql, now_params = (
        entries.filter(point_id__in=list(previous))
        .annotate(step=standing.counting_step_expression())
        .values("pupil_id", "subject_id", "point_id", "step")
        .order_by()
        .query.sql_with_params()
    )
    before_sql, before_params = earlier_steps(previous)
    sql = (
        f"SELECT now.pupil_id, COUNT(*) AS up FROM ({now_sql}) now "
        f"JOIN ({before_sql}) earlier ON earlier.pupil_id = now.pupil_id "
        "AND earlier.subject_id = now.subject_id AND earlier.point_id = now.point_id "
        "WHERE now.step > earlier.step GROUP BY now.pupil_id ORDER BY up DESC, now.pupil_id LIMIT %s"
    )
    params = [*now_params, *before_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ups = dict(cursor.fetchall())
    pupils = Pupil.objects.filter(pk__in=ups).select_related("form")
    return sorted(((p, ups[p.pk]) for p in pupils), key=lambda item: (-item[1], item[0].sorted_name))


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


# figure_sets' `sums` for the whole-grade total an average difference is divided out of, kept on each
# row (`extra`) so rows can be added up exactly (`splits_from_pupils`).
DIFF_SUM = (("diff_sum", "SUM(standing_diff)"),)


def splits_from_pupils(pupil_rows, traits, paths):
    """{path: [Figures]} for each pupil characteristic in `paths` (SPLIT_GROUPINGS' paths), as figure_sets
    would count them, from its rows by pupil counted with DIFF_SUM; `traits`: {pupil id: {field: value}}.

    A characteristic is the pupil's own, so each split's figures are the sums of its pupils' counts
    (whole numbers, the average divided out of the same total): the database need not also group every
    grade by each characteristic (a fifth of the transition report's query)."""
    at = SUMMED.index("diff_sum")
    before, after = attrgetter(*SUMMED[:at]), attrgetter(*SUMMED[at + 1 :])
    vectors = {row.key: (*before(row), row.extra["diff_sum"], *after(row)) for row in pupil_rows}
    out = {}
    for path in paths:
        field, kind = path.removeprefix("pupil__"), SPLIT_GROUPINGS[path][1]
        by_value, by_key = {}, {}
        for pupil_id, vector in vectors.items():
            by_value.setdefault(traits[pupil_id][field], []).append(vector)
        for value, counts in by_value.items():
            by_key.setdefault(key_of(value, kind), []).extend(counts)
        rows = [
            figures_of(key, [sum(column) for column in zip(*counts, strict=True)])
            for key, counts in by_key.items()
        ]
        out[path] = sorted(rows, key=lambda row: (row.key is None, row.key))
    return out


# The two groups of a characteristic whose gap the dashboards state where SPLITS names no focus group
# against the rest: (the group, the group it is compared with, the gap's name, who is in neither). The
# school's choice of comparison, said beside the gap: boys with girls; low prior attainment with high.
COMPARED = {
    "pupil__gender": (
        "M",
        "F",
        "Male compared with female",
        "Pupils of another or no stated gender are in neither group.",
    ),
    "pupil__prior_band": (
        "low",
        "high",
        "Low prior attainment compared with high",
        "Middle and no KS2 data are in neither group.",
    ),
}


def splits(sets, only=None):
    """[(title, [Figures with labels], gap)] for each pupil characteristic, with its gap: a focus group
    against the rest (SPLITS), or one group against another (COMPARED). Every gap is worked out from the
    rows the split's table shows."""
    out = []
    for path, title, labels, focus in SPLITS:
        if only is not None and path not in only:
            continue
        # In the order the labels are written (No SEN, SEN support, EHC plan), not by key.
        order = list(labels)
        rows = sorted(sets[path], key=lambda r: order.index(r.key) if r.key in order else len(order))
        for row in rows:
            row.label = labels.get(row.key, str(row.key))
        gap = None
        if path in COMPARED:
            first, other, label, note = COMPARED[path]
            mine = next((r for r in rows if r.key == first), None)
            theirs = next((r for r in rows if r.key == other), None)
            if mine and theirs:
                gap = gap_between(mine, theirs)
                gap["label"], gap["note"] = label, note
        elif focus is not None:
            mine = next((r for r in rows if r.key == focus), None)
            others = [r for r in rows if r.key != focus]
            if mine and others:
                gap = gap_between(mine, others[0] if len(others) == 1 else combined(others))
                gap["label"] = gap_label(labels, focus, [r.label for r in others])
        out.append((title, rows, gap))
    return out


def gap_label(labels, focus, other_labels):
    """How a split's gap is named: "Disadvantaged compared with others", "SEN support ... the rest"."""
    compared = "the rest" if len(other_labels) > 1 else other_labels[0]
    if not compared[:2].isupper() and not compared.startswith("English"):  # "SEN support", "English" kept
        compared = compared[0].lower() + compared[1:]
    return f"{labels[focus]} compared with {compared}"


def gap_between(mine, rest):
    """The gap between two rows of figures as they are shown (whole percentages, averages to two
    places): each the difference of the two shown figures."""

    def minus(a, b, places=None):
        if a is None or b is None:
            return None
        return a - b if places is None else round(round(a, places) - round(b, places), places)

    return {
        "on_or_above": minus(mine.on_or_above_pct, rest.on_or_above_pct),
        "avg_diff": minus(mine.avg_diff, rest.avg_diff, 2),
        "avg_gcse_grade": minus(mine.avg_gcse_grade, rest.avg_gcse_grade, 2),
        "pass4": minus(mine.pass4_pct, rest.pass4_pct),
    }


def uplift_points(term, terms):
    """(the uplift's points, the trend's points), in ONE query. The trend's: this academic year's points
    up to the uplift's half term, and last academic year's at the same half terms (`terms`: the school's
    half terms with grades, which name last year when it has any)."""
    this = term.academic_year
    last = next(
        (t.academic_year for t in terms if t.academic_year.starts_on.year == this.starts_on.year - 1), None
    )
    every = list(
        AssessmentPoint.objects.filter(
            academic_year_id__in=[year.pk for year in (this, last) if year is not None],
            half_term__number__lte=term.number,
        ).select_related("year_group", "academic_year", "half_term")
    )
    return [p for p in every if p.half_term_id == term.pk], every


def years_text(numbers):
    """ "Years 7–11", "Years 10, 11", "Year 9": the year groups a figure counts."""
    numbers = sorted(set(numbers))
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"Year {numbers[0]}"
    if len(numbers) > 2 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"Years {numbers[0]}–{numbers[-1]}"
    return f"Years {', '.join(str(n) for n in numbers)}"


@dataclass
class TrendRow:
    """One half term: this year's figures and last year's at the same half term (None: no grades)."""

    number: int
    label: str
    this: Figures | None
    last: Figures | None
    this_years: str = ""
    last_years: str = ""

    def __getitem__(self, name):  # django-tables2 asks record[name] first
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def _of(self, figures, name):
        return None if figures is None else getattr(figures, name)

    @property
    def this_graded(self):
        return self._of(self.this, "graded")

    @property
    def this_pct(self):
        return self._of(self.this, "on_or_above_pct")

    @property
    def this_avg_diff(self):
        return self._of(self.this, "avg_diff")

    @property
    def last_graded(self):
        return self._of(self.last, "graded")

    @property
    def last_pct(self):
        return self._of(self.last, "on_or_above_pct")

    @property
    def last_avg_diff(self):
        return self._of(self.last, "avg_diff")

    @property
    def change_pct(self):
        """The change in % on or above since last year, in points: the difference of the shown %s."""
        if self.this_pct is None or self.last_pct is None:
            return None
        return self.this_pct - self.last_pct

    @property
    def change_avg_diff(self):
        if self.this_avg_diff is None or self.last_avg_diff is None:
            return None
        return round(round(self.this_avg_diff, 2) - round(self.last_avg_diff, 2), 2)


@dataclass
class Trend:
    this_year: object
    last_year: object | None
    rows: list


def trend(entries, thresholds, points, grades=None, uplift=None):
    """The trend through the year: for each half term of `points` (uplift_points' trend points), the
    grades of `entries` at this year's points and at last year's, counted in ONE query.

    `entries` are the page's own pupils and subjects at any point (each page's pupils are followed back
    into last year, when they were a year group younger), so a group's trend is its own pupils'. A
    half term counts every grade given at it, whatever the year group, each judged by tracking.standing
    against its own grade expected now: year groups on other scales and at other points of the year
    count alike, and the row names the year groups it counts. Movement is not counted here (the page
    shows it for its own point). `uplift`: (its half term, the page's own figures of it, the year
    numbers they count): that half term's row is the page's figures, not counted again."""
    if not points:
        return Trend(None, None, [])
    this_year = max((point.academic_year for point in points), key=attrgetter("starts_on"))
    last_year = next((p.academic_year for p in points if p.academic_year_id != this_year.pk), None)
    term, total, total_years = uplift or (None, None, ())
    counted = [point for point in points if term is None or point.half_term_id != term.pk]
    by_id = {point.pk: point for point in counted}
    rows = []
    if counted:
        rows = figure_sets(
            entries.filter(point__in=list(by_id)),
            thresholds,
            {},
            {"point": ("point_id", "int")},
            points=counted,
            grades=grades,
            alike=True,
        )["point"]
    found = {}  # (this year?, half term number): ([Figures], {year numbers})
    names = {}
    for row in rows:
        point = by_id[row.key]
        if not row.graded:
            continue
        current = point.academic_year_id == this_year.pk
        figures, years = found.setdefault((current, point.half_term.number), ([], set()))
        figures.append(row)
        years.add(point.year_group.number)
        if current or point.half_term.number not in names:
            names[point.half_term.number] = point.half_term.name
    if term is not None and total.graded:
        found[(True, term.number)] = ([total], set(total_years))
        names[term.number] = term.name
    out = []
    for number in sorted(names):
        this, last = found.get((True, number), ([], ())), found.get((False, number), ([], ()))
        out.append(
            TrendRow(
                number,
                names[number],
                combined(this[0]) if this[0] else None,
                combined(last[0]) if last[0] else None,
                years_text(this[1]),
                years_text(last[1]),
            )
        )
    return Trend(this_year, last_year, out)
