"""Each Year 10 and 11 pupil's Attainment 8 and Progress 8 from the grades that count, and the
cohort's means by the dashboard's splits with their gaps (the calculation itself is `attainment8`, on
plain values).
"""

from dataclasses import dataclass

from django.db import connection

from tracking import standing
from tracking.dashboards.attainment8 import DFE_2017, ELEMENTS, A8Error, attainment8, entries_for
from tracking.dashboards.collector import collector_paused
from tracking.dashboards.queries import SPLITS, gap_label
from tracking.lib.db import id_table
from tracking.models import AssessmentPoint, Pupil, Subject

COMBINED = "combined_science"


@dataclass(frozen=True)
class PupilRef:
    """What a row of the table shows of a pupil, read as plain values (thousands of pupils at 6,000)."""

    pk: int
    sorted_name: str
    upn: str
    year: int
    disadvantaged: bool
    ks2_mean: float | None
    # The rest of the dashboard's splits (queries.SPLITS: each path is "pupil__" and one of these).
    sen_status: str
    eal: bool
    gender: str
    prior_band: str
    looked_after: bool


def pupil_refs(pks):
    """PupilRef for each pupil, in the pupils' usual order (their legal names)."""
    rows = Pupil.objects.filter(pk__in=id_table(pks)).values_list(
        "pk",
        *Pupil.SORTED_NAME_FIELDS,
        "upn",
        "year_group__number",
        "disadvantaged",
        "ks2_reading",
        "ks2_maths",
        "sen_status",
        "eal",
        "gender",
        "prior_band",
        "looked_after",
    )
    refs = []
    for (
        pk,
        first,
        last,
        preferred_first,
        preferred_last,
        upn,
        year,
        disadvantaged,
        reading,
        maths,
        *rest,
    ) in rows:
        name = Pupil.sorted_name_of(first, last, preferred_first, preferred_last)
        refs.append(PupilRef(pk, name, upn, year, disadvantaged, Pupil.ks2_mean_of(reading, maths), *rest))
    return refs


@dataclass(frozen=True)
class ElementP8:
    """A pupil's Progress 8 in each element (None where the estimates table has no element estimate)."""

    english: float | None
    maths: float | None
    ebacc: float | None
    open: float | None


NO_ELEMENT_P8 = ElementP8(None, None, None, None)
# Where each element's Progress 8 sits on PupilA8 and CohortA8 (and the tables' columns).
ELEMENT_P8_FIELDS = tuple(f"{element}_p8" for element in ELEMENTS)


@dataclass(frozen=True)
class PupilA8:
    """One row of the Attainment 8 table: a pupil, their A8 by element, the estimate and Progress 8 (and
    each element's)."""

    pupil: PupilRef
    name: str
    upn: str
    year: int
    disadvantaged: bool
    english: object
    english_double_weighted: bool
    maths: object
    ebacc: object
    open: object
    attainment8: object
    estimate: object
    progress8: object
    english_p8: object
    maths_p8: object
    ebacc_p8: object
    open_p8: object


def records(rows):
    """`attainment8_rows`' rows as PupilA8 records for the table and its downloads."""
    with collector_paused():
        return _records(rows)


def _records(rows):
    return [
        PupilA8(
            pupil=pupil,
            name=pupil.sorted_name,
            upn=pupil.upn,
            year=pupil.year,
            disadvantaged=pupil.disadvantaged,
            english=b.english,
            english_double_weighted=b.english_double_weighted,
            maths=b.maths,
            ebacc=b.ebacc,
            open=b.open,
            attainment8=b.attainment8,
            estimate=estimate,
            progress8=p8,
            english_p8=elements.english,
            maths_p8=elements.maths,
            ebacc_p8=elements.ebacc,
            open_p8=elements.open,
        )
        for pupil, b, estimate, p8, elements in rows
    ]


def latest_counting_grades(scoped, points):
    """[(pupil id, subject id, grade value id)] of the grade that counts in each Year 10 and 11 GCSE
    subject: at the chosen point, else the latest earlier point this year with one.

    Only the grade that counts is read (no standing: A8 needs none), by its id: its step and scale are
    looked up once per grade value (a value always has a step), not joined for each of 30,000 grades.
    On PostgreSQL the database keeps each pupil's latest grade per subject (DISTINCT ON); elsewhere
    later points overwrite earlier ones.
    """
    chosen = [p for p in points if p.year_group.number in (10, 11)]
    if not chosen:
        return []
    earlier = AssessmentPoint.objects.filter(
        academic_year_id__in={p.academic_year_id for p in chosen},
        year_group_id__in={p.year_group_id for p in chosen},
        sequence__lte=max(p.sequence for p in chosen),
    )
    rows = (
        scoped.filter(point__in=earlier, subject__qualification="gcse")
        .annotate(counting_grade=standing.counting_grade_expression())
        .filter(counting_grade__isnull=False)
        .values_list("pupil_id", "subject_id", "counting_grade")
    )
    if connection.features.can_distinct_on_fields:
        return _fetch(
            rows.order_by("pupil_id", "subject_id", "-point__sequence").distinct("pupil_id", "subject_id")
        )
    latest = {}
    for row in _fetch(rows.order_by("point__sequence")):
        latest[row[:2]] = row  # later points overwrite earlier ones
    return list(latest.values())


def _fetch(rows):
    """The rows as the database gives them: a few integers each, thousands of rows at 6,000 pupils, with
    no per-value conversion to pass through."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def attainment8_rows(scoped, points, school, estimates, graded=None):
    """Each Year 10 and 11 pupil's A8 from the grades that count; P8 where KS2 data and estimates allow.

    Rows are (PupilRef, Breakdown, estimated A8, Progress 8, ElementP8).

    A subject not yet graded at the chosen point (its window still open) uses the latest grade that
    counts at an earlier point this year, so a half-entered uplift does not read as a collapse.
    `graded`, a dict, is filled with each pupil's [(subject, grade)] as scored (for a slot breakdown).
    """
    with collector_paused():
        return _attainment8_rows(scoped, points, school, estimates, graded)


def _attainment8_rows(scoped, points, school, estimates, graded):
    grades = latest_counting_grades(scoped, points)
    book = standing.Book(school)
    subjects = {
        pk: (name, category)
        for pk, name, category in Subject.objects.filter(pk__in={row[1] for row in grades}).values_list(
            "pk", "name", "category"
        )
    }
    scored, by_pupil = {}, {}
    # Thousands of grades, a few hundred kinds: each (subject, grade value) is scored once.
    for pupil_id, subject_id, grade_id in grades:
        kind = (subject_id, grade_id)
        found = scored.get(kind)
        if found is None:
            value = book.value(grade_id)
            found = scored[kind] = _score(book, subjects[subject_id], value.scale_id, value.step)
        code, entries = found
        if graded is not None:
            graded.setdefault(pupil_id, []).append((subjects[subject_id][0], code))
        mine = by_pupil.get(pupil_id)
        if mine is None:
            by_pupil[pupil_id] = list(entries)
        else:
            mine += entries
    out = []
    for pupil in pupil_refs(by_pupil):
        breakdown = attainment8(by_pupil[pupil.pk])
        band = estimates.band_for(pupil.ks2_mean)
        if band is None:
            out.append((pupil, breakdown, None, None, NO_ELEMENT_P8))
            continue
        elements = ElementP8(
            *(breakdown.element_progress8(element, getattr(band, element)) for element in ELEMENTS)
        )
        out.append((pupil, breakdown, band.a8, breakdown.progress8(band.a8), elements))
    out.sort(key=lambda row: (row[0].year, row[0].sorted_name))
    return out


def _score(book, subject, scale_id, step):
    """(grade, the A8 entries it gives): no entries for a sub-grade scale or non-GCSE grade the rules
    cannot score."""
    name, category = subject
    # A8 counts whole grades: the grade at the step that counts (a 6+ is a 6).
    code = standing.grade_at_step(book.values(scale_id), step).code
    if category == COMBINED and code.isdigit():
        code = f"{code}-{code}"  # a combined science grade entered on the single GCSE scale
    try:
        return code, entries_for(name, category, grade=code)
    except A8Error:
        return code, []


SLOT_ELEMENTS = (("maths", "Maths"), ("english", "English"), ("ebacc", "EBacc"), ("open", "Open"))


@dataclass(frozen=True)
class Slot:
    """One of the ten slots as `attainment8` filled it: None for a subject when it is empty (0)."""

    name: str
    subject: str | None
    grade: str | None
    points: float
    position: int = 0  # its place in the template's order (the slot table's order when unsorted)


def slots(breakdown, graded, template=DFE_2017):
    """Every slot of the template in order, as the pupil's A8 calculation filled it (`Breakdown.slots`,
    never a second filling), each named with the grade its subject was scored from (`graded`:
    [(subject, grade)] from `attainment8_rows`)."""
    grade_of = dict(graded)
    out = []
    for element, label in SLOT_ELEMENTS:
        filled = [(subject, points) for kind, subject, points in breakdown.slots if kind == element]
        for index in range(template.element_slots(element)):
            subject, points = filled[index] if index < len(filled) else (None, 0.0)
            out.append(Slot(f"{label} {index + 1}", subject, grade_of.get(subject), points, len(out)))
    return out


ELEMENT_LABELS = {"english": "English", "maths": "Maths", "ebacc": "EBacc", "open": "Open"}


@dataclass(frozen=True)
class ElementScore:
    """One element of a pupil's A8 against its estimate: the slot page's element table."""

    label: str
    slots: int
    score: float
    estimate: float | None
    progress8: float | None


def element_scores(row, band, template=DFE_2017):
    """The four elements of an `attainment8_rows` row, each with its estimate (from `band`, the
    EstimateTable's Estimate for the pupil, or None) and its Progress 8 as the row worked it out."""
    _pupil, breakdown, _estimate, _p8, elements = row
    return [
        ElementScore(
            ELEMENT_LABELS[element],
            template.element_slots(element),
            getattr(breakdown, element),
            None if band is None else getattr(band, element),
            getattr(elements, element),
        )
        for element in ELEMENTS
    ]


@dataclass(frozen=True)
class CohortA8:
    """A group's mean A8, mean P8 (of its pupils with one) and mean P8 in each element (of its pupils with
    that element's estimate); a gap row holds differences instead."""

    key: object
    label: str
    pupils: int | None
    a8: float | None
    p8: float | None
    with_p8: int | None
    english_p8: float | None = None
    maths_p8: float | None = None
    ebacc_p8: float | None = None
    open_p8: float | None = None
    is_gap: bool = False


def _mean(values):
    # + 0.0: a mean that rounds to nothing from below reads 0.0, not -0.0
    return round(sum(values) / len(values), 2) + 0.0 if values else None


def _minus(a, b):
    return None if a is None or b is None else round(a - b, 2) + 0.0


def _cohort(key, label, rows):
    p8s = [row[3] for row in rows if row[3] is not None]
    elements = {
        name: _mean([value for row in rows if (value := getattr(row[4], element)) is not None])
        for element, name in zip(ELEMENTS, ELEMENT_P8_FIELDS, strict=True)
    }
    return CohortA8(
        key, label, len(rows), _mean([row[1].attainment8 for row in rows]), _mean(p8s), len(p8s), **elements
    )


def cohort_a8(rows):
    """[(title, [CohortA8 by group], gap CohortA8 or None)] for each of the leaders' dashboard's splits
    (queries.SPLITS: the same characteristics, labels and focus groups), the first being everyone.

    The gap is the focus group's mean less the mean of every other pupil in the split (the rounded
    means, as the dashboard's gaps), named as the dashboard names it."""
    out = [("All pupils", [_cohort(None, "All pupils", rows)], None)]
    for path, title, labels, focus in SPLITS:
        field = path.removeprefix("pupil__")
        by_value = {}
        for row in rows:
            by_value.setdefault(getattr(row[0], field), []).append(row)
        order = list(labels)
        keys = sorted(by_value, key=lambda k: (order.index(k) if k in labels else len(order), str(k)))
        groups = {k: _cohort(k, labels.get(k, str(k)), by_value[k]) for k in keys}
        gap = None
        if focus in groups and len(groups) > 1:
            mine = groups[focus]
            rest = _cohort(None, "", [row for k in keys if k != focus for row in by_value[k]])
            label = gap_label(labels, focus, [groups[k].label for k in keys if k != focus])
            gap = CohortA8(
                "gap",
                f"Gap: {label}",
                None,
                _minus(mine.a8, rest.a8),
                _minus(mine.p8, rest.p8),
                None,
                **{name: _minus(getattr(mine, name), getattr(rest, name)) for name in ELEMENT_P8_FIELDS},
                is_gap=True,
            )
        out.append((title, list(groups.values()), gap))
    return out
