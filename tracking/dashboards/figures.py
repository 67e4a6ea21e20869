"""Counting grades for the dashboards: `figure_sets` works each grade's standing out once, with
tracking.standing's SQL form, and counts it in total and for every grouping a page asks for, in ONE
query; `Figures` holds one row of the counts. Every figure at every level (school, year, subject,
group) comes from here, so a percentage on the school row and the same pupils counted from a group's
row always agree, and the query count is fixed whatever the size of the school.
"""

from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection
from django.db.models import Case, F, Value, When

from tracking import standing
from tracking.models import AssessmentPoint, GradeEntry, GradeValue

GCSE_PASS, GCSE_STRONG = 4, 5  # DfE "standard" and "strong" passes


def earlier_steps(previous, grades=None, points=None, held=False):
    """(sql, params) of each grade that counted at a point before: columns pupil_id, subject_id, step and
    point_id, the point it is compared AT (`previous`: {point id: the point before it}), so a join to the
    grades at the later points is on equal columns (a hash join, not a subquery per grade). `held`: the
    step is the grade's held one (standing.refresh_held first). Else, with `grades` (a
    `standing.GradeTable`) the step is looked up by the grade's id, not joined; `points`, the points
    before when loaded, choose the grade that counts by id rather than through the point."""
    earlier = GradeEntry.objects.filter(point_id__in=set(previous.values()))
    step = "e.step"
    if held:
        earlier = earlier.annotate(step=F("held_step"))
    elif grades is None:
        earlier = earlier.annotate(step=standing.counting_step_expression())
    else:
        earlier = earlier.annotate(step=standing.counting_grade_expression(points))
        step = grades.step("e.step")
    sql, params = (
        earlier.values("pupil_id", "subject_id", "point_id", "step").order_by().query.sql_with_params()
    )
    pairs = ", ".join("(%s, %s)" for _ in previous)
    return (
        # VALUES names its columns column1, column2 on PostgreSQL and SQLite alike: (after, before).
        f"SELECT e.pupil_id, e.subject_id, moves.column1 AS point_id, {step} AS step FROM ({sql}) e "
        f"JOIN (VALUES {pairs}) moves ON moves.column2 = e.point_id",
        [*params, *(value for pair in previous.items() for value in pair)],
    )


# A grouping by the pupil's teaching group in the grade's subject that year (grade rows need not name
# it): figure_sets joins each grade to the pupil's lowest-numbered such group, once, by a hash join.
TEACHING_GROUP = ("teaching_group", "int")


def _memberships_sql(years=None):
    """Each pupil's teaching group (the lowest id) per subject and academic year, for the subjects of
    `base`; with `years` (academic year ids), those years' groups only."""
    in_years = f"g.academic_year_id IN ({', '.join(str(int(y)) for y in years)}) AND " if years else ""
    return (
        "SELECT m.pupil_id, g.subject_id, g.academic_year_id, MIN(g.id) AS group_key\n"
        "FROM tracking_teachinggroup g JOIN tracking_teachinggroup_pupils m ON m.teachinggroup_id = g.id\n"
        f"WHERE {in_years}g.subject_id IN (SELECT DISTINCT subject_id FROM base)\n"
        "GROUP BY m.pupil_id, g.subject_id, g.academic_year_id"
    )


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
    extra: dict = field(default_factory=dict)  # the caller's own sums (figure_sets' `sums`), by name
    gcse_steps: int = 0  # the GCSE grades' whole grades added up, for their average

    def __getitem__(self, name):
        # django-tables2 looks a cell up as record[name] before getattr; answering it here spares an
        # exception per cell (a few hundred on a page of groups).
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

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
    def on_or_above(self):
        return self.above + self.on

    @property
    def below_or_well_below(self):
        return self.below + self.well_below

    @property
    def on_or_above_pct(self):
        return self.pct(self.on_or_above, self.with_standing)

    @property
    def avg_gcse_grade(self):
        """The average GCSE grade (9 to 1, whole grades) of the grades that count on the GCSE scale."""
        return round(self.gcse_steps / self.gcse, 2) if self.gcse else None

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
    ("gcse_steps", "SUM(CASE WHEN is_gcse = 1 THEN counting_step ELSE 0 END)"),
    ("up", "SUM(CASE WHEN prev_step IS NOT NULL AND counting_step > prev_step THEN 1 ELSE 0 END)"),
    ("down", "SUM(CASE WHEN prev_step IS NOT NULL AND counting_step < prev_step THEN 1 ELSE 0 END)"),
)
SUMMED = tuple(name for name, _sql in AGGREGATES)
# The same sums over standing_sql's grouped rows, each row standing for `n` grades alike (figure_sets'
# `alike`; held to AGGREGATES' answers by tests/tracking/dashboards/test_trend.py). No movement: that
# is followed pupil by pupil.
WEIGHTED = (
    ("entries", "SUM(n)"),
    ("graded", "SUM(CASE WHEN counting_step IS NOT NULL THEN n ELSE 0 END)"),
    ("with_standing", "SUM(CASE WHEN standing_diff IS NOT NULL THEN n ELSE 0 END)"),
    ("above", f"SUM(CASE WHEN standing = '{standing.ABOVE}' THEN n ELSE 0 END)"),
    ("on", f"SUM(CASE WHEN standing = '{standing.ON}' THEN n ELSE 0 END)"),
    ("below", f"SUM(CASE WHEN standing = '{standing.BELOW}' THEN n ELSE 0 END)"),
    ("well_below", f"SUM(CASE WHEN standing = '{standing.WELL_BELOW}' THEN n ELSE 0 END)"),
    ("diff_sum", "SUM(standing_diff * n)"),
    ("gcse", "SUM(is_gcse * n)"),
    ("pass4", f"SUM(CASE WHEN is_gcse = 1 AND counting_step >= {GCSE_PASS} THEN n ELSE 0 END)"),
    ("pass5", f"SUM(CASE WHEN is_gcse = 1 AND counting_step >= {GCSE_STRONG} THEN n ELSE 0 END)"),
    ("gcse_steps", "SUM(CASE WHEN is_gcse = 1 THEN counting_step * n ELSE 0 END)"),
    ("up", "SUM(0)"),
    ("down", "SUM(0)"),
)
if tuple(name for name, _sql in WEIGHTED) != SUMMED:
    raise AssertionError("WEIGHTED sums the same figures as AGGREGATES, in the same order")
GROUPING_WORK_MEM = "32MB"


def key_of(value, kind):
    """A grouping key as the field holds it (SQLite returns booleans as 1 and 0)."""
    if value is None:
        return None
    if kind == "bool":
        return str(value).lower() in ("1", "true", "t")
    if kind == "int":
        return int(value)
    return str(value)


# Figures' counts in the order of its fields, before and after its average (a page of in-school variation
# makes a Figures for each of a thousand groups: built positionally, not through a dict of names).
_BEFORE = ("entries", "graded", "with_standing", "above", "on", "below", "well_below")
_COUNTS_BEFORE = itemgetter(*(SUMMED.index(name) for name in _BEFORE))
_COUNTS_AFTER = itemgetter(*(SUMMED.index(name) for name in ("gcse", "pass4", "pass5", "up", "down")))
_WITH_STANDING, _DIFF_SUM = SUMMED.index("with_standing"), SUMMED.index("diff_sum")
_GCSE_STEPS = SUMMED.index("gcse_steps")


def figures_of(key, sums, extra=()):
    if len(sums) != len(SUMMED) + len(extra):
        raise ValueError(f"{len(sums)} sums for {len(SUMMED)} figures and {len(extra)} of the caller's")
    with_standing = sums[_WITH_STANDING]
    average = sums[_DIFF_SUM] / with_standing if with_standing else None
    own = dict(zip(extra, sums[len(SUMMED) :], strict=True))
    return Figures(key, *_COUNTS_BEFORE(sums), average, *_COUNTS_AFTER(sums), "", own, sums[_GCSE_STEPS])


def _point_key(path, points):
    """The ORM expression of a grouping key. A key on the point ("point__year_group__number"), when the
    points are loaded with what it names, is a CASE on the point's id: the grades need not join the
    point (and its year group) for it."""
    if not points or not path.startswith("point__"):
        return F(path)
    names = path.split("__")[1:]
    values = {}
    for point in points:
        value, model = point, AssessmentPoint
        for name in names:
            found = model._meta.get_field(name)
            if found.is_relation and name == found.name:
                if not found.is_cached(value):
                    return F(path)
                value, model = getattr(value, name), found.related_model
            else:
                value = getattr(value, found.attname)
        values.setdefault(value, []).append(point.pk)
    return Case(
        *(When(point_id__in=sorted(ids), then=Value(value)) for value, ids in values.items()),
        default=Value(None),
        output_field=found.target_field if found.is_relation else found,
    )


def _movement(previous, grades, vendor, held):
    """(SQL of the column prev_step, joins, ctes, params): the step of the grade that counted for the same
    pupil and subject at the point before each grade's (`previous`: {point id: the point before it}).
    `held`: read from the held standings; else worked out (`grades`, a `standing.GradeTable`)."""
    if vendor == "sqlite":
        # SQLite has no hash joins: it would probe a table of every grade at the points before once per
        # grade, scanning it whole when the grades counted are few (a teacher's). Looked up by the
        # grades' unique (pupil, subject, point) index instead: one probe per grade counted.
        moves = " ".join(f"WHEN {int(after)} THEN {int(before)}" for after, before in previous.items())
        joins = [
            f"LEFT JOIN {GradeEntry._meta.db_table} prev ON prev.pupil_id = base.pupil_id "
            f"AND prev.subject_id = base.subject_id AND prev.point_id = (CASE base.point_id {moves} END)"
        ]
        if held:
            return "prev.held_step AS prev_step", joins, "", []
        # Its step is joined by the grade's id, not looked up in a CASE: SQLite would write the grade
        # that counts out again in every branch of the lookup.
        counting = standing.counting_grade_sql("prev", "prev_point")
        joins.append(
            f"LEFT JOIN {AssessmentPoint._meta.db_table} prev_point ON prev_point.id = prev.point_id "
            f"LEFT JOIN {GradeValue._meta.db_table} prev_grade ON prev_grade.id = ({counting})"
        )
        return "prev_grade.step AS prev_step", joins, "", []
    # Elsewhere by a hash join, not a subquery per grade: the grade that counted for the same pupil and
    # subject at the point before (held to the per-grade answer in tests/tracking/dashboards/movement.py).
    earlier_sql, earlier_params = earlier_steps(previous, grades, held=held)
    joins = [
        "LEFT JOIN earlier ON earlier.pupil_id = base.pupil_id AND earlier.subject_id = base.subject_id "
        "AND earlier.point_id = base.point_id",
    ]
    return "earlier.step AS prev_step", joins, f", earlier AS ({earlier_sql})", earlier_params


def figure_sets(
    entries,
    thresholds,
    previous,
    groupings,
    points=None,
    fields=(),
    sums=(),
    vendor=None,
    grades=None,
    alike=False,
):
    """Figures in total and for each grouping, in ONE query.

    `groupings` maps a name to (field path, kind) with kind "int", "bool" or "text". Each grade entry's
    standing is worked out once (tracking.standing's expressions, in a materialised CTE) and then
    counted for every grouping, so the page's query count and cost do not depend on how many
    breakdowns it shows. `points`: the points the entries are at, when the caller has them loaded.
    `fields` (GradeEntry fields) and `sums` ((name, SQL summing over those fields and the standing's
    columns), ...) add a caller's own totals, given back in each row's `extra`, so a page that counts
    something more about the same grades (effort, say) needs no second query working out standings.
    `vendor` picks the SQL's form, PostgreSQL's or SQLite's (by default the database's: tests hold both
    forms to the same answers). `grades`: a `standing.GradeTable` already read (a query fewer).
    `alike`: the grades alike in what their standing and the groupings' keys are worked out from
    are counted together (standing_sql's `grouped`), a standing worked out per combination rather than
    per grade: for many grades and few keys (the trend's points). Not with movement, teaching groups or
    the caller's `sums`, which follow grades one by one.
    Returns {"total": Figures, name: [Figures, ...]}.
    """
    fields, sums = tuple(fields), tuple(sums)
    if alike and (previous or sums or TEACHING_GROUP in groupings.values()):
        raise ValueError("grouped grades count no movement, teaching groups or sums of the caller's")
    aggregates_all = (WEIGHTED if alike else AGGREGATES) + sums
    extra = tuple(name for name, _sql in sums)
    aliases = [f"k{index}" for index in range(len(groupings))]
    keys = {
        alias: path
        for alias, (path, _kind) in zip(aliases, groupings.values(), strict=True)
        if path != TEACHING_GROUP[0]
    }
    by_group = [alias for alias in aliases if alias not in keys]
    columns = {alias: _point_key(path, points) for alias, path in keys.items()}
    if by_group:
        columns["year_key"] = _point_key("point__academic_year_id", points)
    # Each grade's standing from its held pieces; worked out here only when they could not be
    # refreshed in time (another transaction writing grades for long).
    held = standing.refresh_held(entries.db)
    if held:
        inner, params = standing.held_sql(entries, thresholds, fields=fields, weighted=alike, **columns)
    else:
        grades = grades or standing.GradeTable(connection.vendor)
        inner, params = standing.standing_sql(
            entries, thresholds, fields=fields, points=points, grades=grades, grouped=alike, **columns
        )
    params = list(params)
    selected, joins, ctes = ["CAST(NULL AS INTEGER) AS prev_step"], [], ""
    if previous:
        moved, joins, ctes, moved_params = _movement(previous, grades, vendor or connection.vendor, held)
        selected = [moved]
        params += moved_params
    if by_group:
        # Not MATERIALIZED: read once, inlined, it is hash-joined (materialised, PostgreSQL sorted both sides
        # to merge them: a sixth of in-school variation's time at 6,000 pupils).
        # Only the points' academic years' groups can match a grade (a school keeps its past years').
        years = sorted({point.academic_year_id for point in points}) if points else None
        ctes += f", memberships AS ({_memberships_sql(years)})"
        selected += [f"memberships.group_key AS {alias}" for alias in by_group]
        joins.append(
            "LEFT JOIN memberships ON memberships.pupil_id = base.pupil_id "
            "AND memberships.subject_id = base.subject_id AND memberships.academic_year_id = base.year_key"
        )
    weight = ("n",) if alike else ()
    columns = ", ".join(
        f"base.{name}" for name in ("standing", "standing_diff", "counting_step", *weight, *fields, *keys)
    )
    # A GCSE grade: the grade that counts is on the scale of the school's floor grade.
    is_gcse = "CASE WHEN base.on_floor_scale AND base.counting_step IS NOT NULL THEN 1 ELSE 0 END AS is_gcse"
    facts = f"SELECT {columns}, {is_gcse}, {', '.join(selected)} FROM base {' '.join(joins)}"
    aggregates = ", ".join(sql for _name, sql in aggregates_all)
    grouped = ", ".join(aliases)
    # One pass: counted by every combination of keys (a few hundred rows, thousands with a grouping per
    # pupil), then summed for the total and for each grouping, rather than a pass over the grades for each.
    postgresql = (vendor or connection.vendor) == "postgresql"
    in_database = bool(grouped) and postgresql
    # base is read twice when teaching groups are counted (memberships reads its subjects): then once.
    # Else it is read as it is worked out, and so are the facts: said outright for SQLite, which would
    # otherwise write both out to temporary tables when the combinations are read more than once.
    materialized = " MATERIALIZED" if by_group else "" if postgresql else " NOT MATERIALIZED"
    streamed = "" if postgresql else " NOT MATERIALIZED"
    with_facts = f"WITH base AS{materialized} ({inner}){ctes}, facts AS{streamed} ({facts})"
    if not grouped:
        sql = f"{with_facts} SELECT {aggregates} FROM facts"
    elif in_database:
        # The combinations summed again in the database (GROUPING SETS over those few rows, not over the
        # grades): one row back for the total and for each key of each grouping, nothing left to add up.
        counted = ", ".join(f"{sql_} AS c{index}" for index, (_name, sql_) in enumerate(aggregates_all))
        flags = ", ".join(f"GROUPING({alias})" for alias in aliases)
        summed = ", ".join(f"CAST(SUM(c{index}) AS BIGINT)" for index in range(len(aggregates_all)))
        sets = ", ".join(f"({alias})" for alias in aliases)
        sql = (
            f"{with_facts}, combos AS (SELECT {grouped}, {counted} FROM facts GROUP BY {grouped}) "
            f"SELECT {grouped}, {flags}, {summed} FROM combos GROUP BY GROUPING SETS ({sets}, ())"
        )
    else:
        # SQLite has no GROUPING SETS: the combinations are summed again for the total and for each
        # grouping by a SELECT each over them, joined by UNION ALL, the first column saying which (a loop
        # in Python adding up every combination for every grouping took as long as the query, with a
        # grouping per pupil).
        counted = ", ".join(f"{sql_} AS c{index}" for index, (_name, sql_) in enumerate(aggregates_all))
        summed = ", ".join(f"CAST(SUM(c{index}) AS BIGINT)" for index in range(len(aggregates_all)))
        # The keys as text: one column holds every grouping's (key_of reads them back).
        each = [
            f"SELECT {index}, CAST({alias} AS TEXT), {summed} FROM combos GROUP BY {alias}"
            for index, alias in enumerate(aliases)
        ]
        combos = f"combos AS MATERIALIZED (SELECT {grouped}, {counted} FROM facts GROUP BY {grouped})"
        each.append(f"SELECT -1, NULL, {summed} FROM combos")
        sql = f"{with_facts}, {combos} {' UNION ALL '.join(each)}"
    if in_database:
        # The planner cannot see how few combinations of keys there are (they come out of fenced
        # subqueries), guesses one per grade and sorts every grade to group them; given room to
        # hash them it groups in one pass (a fifth of the query's time at 6,000 pupils). LOCAL: for
        # this statement's own transaction (or the request's) only; one round trip still.
        sql = f"SET LOCAL work_mem = '{GROUPING_WORK_MEM}'; {sql}"
    total, by_name = None, {name: {} for name in groupings}
    tables = [(by_name[name], kind) for name, (_path, kind) in groupings.items()]
    width = len(aliases)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if in_database:
        for row in rows:  # the keys, whether each key was grouped on (0) or not (1), the values
            values = [value or 0 for value in row[2 * width :]]
            grouped_on = row[width : 2 * width].index(0) if 0 in row[width : 2 * width] else None
            if grouped_on is None:
                total = values
            else:
                table, kind = tables[grouped_on]
                table[key_of(row[grouped_on], kind)] = values
    elif not grouped:
        total = [value or 0 for value in rows[0]]
    else:
        for which, key, *sums in rows:  # which grouping (-1: the total), its key, the values
            values = [value or 0 for value in sums]
            if which < 0:
                total = values
            else:
                table, kind = tables[which]
                table[key_of(key, kind)] = values
    out = {"total": figures_of(None, total, extra) if total and total[0] else empty_figures()}
    for name in groupings:
        out[name] = [figures_of(key, values, extra) for key, values in by_name[name].items()]
    for name in groupings:
        out[name].sort(key=lambda row: (row.key is None, row.key))
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
    "gcse_steps",
)


def empty_figures():
    return Figures(key=None, avg_diff=None, up=0, down=0, **dict.fromkeys(COUNTED, 0))


def combined(rows):
    """One row of figures for several (the "others" a group is compared with)."""
    total = empty_figures()
    weighted = 0.0
    for row in rows:
        for name in (*COUNTED, "up", "down"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        if row.avg_diff is not None:
            weighted += row.avg_diff * row.with_standing
    total.avg_diff = weighted / total.with_standing if total.with_standing else None
    return total
