"""Each Year 10 and 11 pupil's Attainment 8 and Progress 8 from the grades that count, and the
cohort's means with the disadvantaged gap (the calculation itself is `attainment8`, on plain values).
"""

from dataclasses import dataclass

from tracking import standing
from tracking.dashboards.attainment8 import A8Error, attainment8, entries_for
from tracking.models import AssessmentPoint, Pupil

COMBINED = "combined_science"


@dataclass(frozen=True)
class PupilA8:
    """One row of the Attainment 8 table: a pupil, their A8 by element, the estimate and Progress 8."""

    pupil: Pupil
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


def records(rows):
    """`attainment8_rows`' rows as PupilA8 records for the table and its downloads."""
    return [
        PupilA8(
            pupil=pupil,
            name=pupil.sorted_name,
            upn=pupil.upn,
            year=pupil.year_group.number,
            disadvantaged=pupil.disadvantaged,
            english=b.english,
            english_double_weighted=b.english_double_weighted,
            maths=b.maths,
            ebacc=b.ebacc,
            open=b.open,
            attainment8=b.attainment8,
            estimate=estimate,
            progress8=p8,
        )
        for pupil, b, estimate, p8 in rows
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
