"""Year leaders' lists after an assessment point (DfES, Tracking for success, Table 3).

After each review the year leader identifies:
- pupils with good effort grades across a range of subjects;
- pupils making particularly good progress in a range of subjects;
- pupils whose effort or behaviour is a cause for concern ("behaviour issues are signalled through
  the effort grades");
- pupils showing slower progress to their targets than expected across a range of subjects, with
  "a particular check ... against attendance patterns".

Each pupil's subjects are counted in the database in one query (the standing from tracking.standing),
then the lists are drawn by `draw`, a plain function of those counts and the school's `ListRules`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef

from tracking import standing
from tracking.dashboards import figures
from tracking.dashboards.collector import collector_paused
from tracking.models import AssessmentPoint, GradeEntry, Pupil

# Effort is recorded 1 (excellent) to 4 (poor) (GradeEntry.effort).
EFFORT_SCALE = (1, 2, 3, 4)
# The DfE counts a pupil missing 10% or more of sessions as persistently absent.
PERSISTENT_ABSENCE_BELOW = Decimal("90")


@dataclass(frozen=True)
class ListRules:
    """The numbers the DfES guide leaves to the school ("a range of subjects", "good effort").

    These are Uplift's defaults, THE SCHOOL'S CHOICE rather than the policy's: a school that reads "a
    range" as four subjects, or counts effort 3 as a concern, changes them here.
    """

    range_of_subjects: int = 3  # "a range of subjects": this many or more
    good_effort_at_most: int = 2  # effort 1 or 2 is good
    concern_effort_at_least: int = 3  # effort 3 or 4 is a concern
    attendance_below: Decimal = PERSISTENT_ABSENCE_BELOW  # the attendance check on slower progress


RULES = ListRules()


@dataclass(frozen=True)
class ListedPupil:
    """What the lists, the transition report and the downloads show of a pupil, read as plain values: a
    year of a thousand pupils is built here, and model objects (with their forms) cost several times
    more to build than the rows they come from."""

    pk: int
    sorted_name: str
    upn: str
    form: str | None  # the form's name
    attendance: Decimal | None


@dataclass
class PupilCounts:
    """One pupil's subjects at a point, counted in the database."""

    pupil: ListedPupil
    graded: int = 0
    with_standing: int = 0
    above: int = 0
    below: int = 0
    with_effort: int = 0
    good_effort: int = 0
    effort_concern: int = 0
    avg_effort: float | None = None
    avg_diff: float | None = None
    reasons: list = field(default_factory=list)

    @property
    def attendance_low(self):
        return self.pupil.attendance is not None and self.pupil.attendance < RULES.attendance_below


LISTS = (
    ("good_effort", "Good effort across a range of subjects"),
    ("good_progress", "Particularly good progress in a range of subjects"),
    ("effort_concern", "Effort or behaviour a cause for concern"),
    ("slower_progress", "Slower progress than expected across a range of subjects"),
)


def describe(rules=RULES):
    """What puts a pupil on each list, in words, for the page and the export."""
    n = rules.range_of_subjects
    return {
        "good_effort": f"Effort {rules.good_effort_at_most} or better in {n}+ subjects and no effort grade "
        f"of {rules.concern_effort_at_least} or worse.",
        "good_progress": f"Above the grade expected now in {n}+ subjects.",
        "effort_concern": f"Effort {rules.concern_effort_at_least} or worse in {n}+ subjects "
        "(behaviour shows in the effort grade).",
        "slower_progress": f"Below the grade expected now in {n}+ subjects; attendance under "
        f"{rules.attendance_below:.0f}% is marked beside the name.",
    }


def draw(counts, rules=RULES):
    """{list name: [PupilCounts]} from each pupil's counts: a plain function, tested without a database."""
    n = rules.range_of_subjects
    lists = {name: [] for name, _title in LISTS}
    for row in counts:
        if row.good_effort >= n and row.effort_concern == 0:
            lists["good_effort"].append(row)
        if row.above >= n:
            lists["good_progress"].append(row)
        if row.effort_concern >= n:
            lists["effort_concern"].append(row)
        if row.below >= n:
            lists["slower_progress"].append(row)
    lists["good_progress"].sort(key=lambda r: (-r.above, r.pupil.sorted_name))
    lists["slower_progress"].sort(key=lambda r: (-r.below, r.pupil.sorted_name))
    lists["effort_concern"].sort(key=lambda r: (-r.effort_concern, r.pupil.sorted_name))
    lists["good_effort"].sort(key=lambda r: (-r.good_effort, r.pupil.sorted_name))
    return lists


def points_with_grades(school, year_group=None, academic_year=None):
    """Assessment points (newest first) that have grades, with their year group: one query."""
    points = AssessmentPoint.objects.filter(school=school, year_group__school=school).filter(
        Exists(GradeEntry.objects.filter(point_id=OuterRef("pk")))
    )
    if year_group is not None:
        points = points.filter(year_group=year_group)
    if academic_year is not None:
        points = points.filter(academic_year=academic_year)
    return list(
        points.select_related("year_group", "academic_year").order_by(
            "-academic_year__starts_on", "year_group__number", "-sequence"
        )
    )


PUPIL = ("pupil_id", "int")


def effort_sums(rules=RULES):
    """figure_sets' `sums` for each pupil's effort grades: how many, how many good, how many a concern."""
    good, concern = int(rules.good_effort_at_most), int(rules.concern_effort_at_least)
    return (
        ("with_effort", "COUNT(effort)"),
        ("good_effort", f"SUM(CASE WHEN effort <= {good} THEN 1 ELSE 0 END)"),
        ("effort_concern", f"SUM(CASE WHEN effort >= {concern} THEN 1 ELSE 0 END)"),
        ("effort_sum", "SUM(effort)"),
    )


def counted_figures(entries, thresholds, groupings=None, previous=None, points=None, rules=RULES, sums=()):
    """figure_sets of `entries` (one point's) by `groupings` and by pupil, with each pupil's effort (and
    the caller's own `sums`): the figures a page shows and the counts its lists are drawn from, in one
    query."""
    return figures.figure_sets(
        entries,
        thresholds,
        previous or {},
        {**(groupings or {}), "pupil": PUPIL},
        points=points,
        fields=("effort",),
        sums=effort_sums(rules) + tuple(sums),
    )


def pupil_counts(entries, thresholds, rules=RULES):
    """[PupilCounts] for the pupils with grades among `entries` (one point's): two queries in all."""
    return pupil_counts_from(counted_figures(entries, thresholds, rules=rules), entries)


def pupil_counts_from(sets, entries):
    """[PupilCounts] from `counted_figures` of `entries`, by name: one query for the pupils."""
    return pupil_counts_with(sets, entries)[0]


def pupil_counts_with(sets, entries, traits=()):
    """(`pupil_counts_from`'s [PupilCounts], {pupil id: {trait: value}}): each pupil's `traits` (Pupil
    fields) read in the same query as their names."""
    with collector_paused():  # a row for each of a year's pupils (a thousand at 6,000)
        return _pupil_counts_from(sets, entries, tuple(traits))


def _pupil_counts_from(sets, entries, traits):
    by_pupil = {}
    for row in sets["pupil"]:
        extra = row.extra
        with_effort = extra["with_effort"]
        by_pupil[row.key] = {
            "graded": row.graded,
            "with_standing": row.with_standing,
            "above": row.above,
            "below": sum(getattr(row, status) for status in standing.BELOW_STATUSES),
            "with_effort": with_effort,
            "good_effort": extra["good_effort"],
            "effort_concern": extra["effort_concern"],
            "avg_effort": extra["effort_sum"] / with_effort if with_effort else None,
            "avg_diff": row.avg_diff,
        }
    # The pupils with grades among `entries` (one row each above), by a subquery: a list of a thousand ids
    # costs Django more to bind than the database to find them.
    pupils = Pupil.objects.filter(pk__in=entries.values("pupil_id")).values_list(
        "pk",
        *Pupil.SORTED_NAME_FIELDS,
        "upn",
        "form__name",
        "attendance",
        *traits,
    )
    out, traits_of = [], {}
    for pk, first, last, preferred_first, preferred_last, upn, form, attendance, *values in pupils:
        if pk not in by_pupil:
            continue
        listed = ListedPupil(
            pk, Pupil.sorted_name_of(first, last, preferred_first, preferred_last), upn, form, attendance
        )
        out.append(PupilCounts(pupil=listed, **by_pupil[pk]))
        if traits:
            traits_of[pk] = dict(zip(traits, values, strict=True))
    out.sort(key=lambda r: r.pupil.sorted_name)
    return out, traits_of
