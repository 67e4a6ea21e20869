"""Writes for the leaders' dashboards: the Progress 8 estimates table the data manager edits."""

from django.db import transaction

from tracking import audit
from tracking.models import ProgressEstimate
from tracking.models.progress import ELEMENT_FIELDS


def estimate_lines(rows):
    """The table as the editor shows it, a band a line: 'KS2 from,A8' and, when any band has element
    estimates, ',English,maths,EBacc,open' (an element a band lacks left empty)."""
    with_elements = any(value is not None for row in rows for value in row[2:])
    lines = []
    for row in rows:
        values = row if with_elements else row[:2]
        lines.append(",".join("" if value is None else str(value) for value in values))
    return lines


def progress_estimates_current(school):
    """[(KS2 from, A8, English, maths, EBacc, open)] of a school's table, as Decimals (None: no estimate)."""
    return list(
        ProgressEstimate.objects.filter(school=school).values_list(
            "ks2_from", "estimated_a8", *ELEMENT_FIELDS.values()
        )
    )


def progress_estimates_replace(*, school, rows, by):
    """Replace a school's estimates table with `rows` (EstimatesForm's, already checked), audited as one
    change with the table before and after. All or nothing."""
    with transaction.atomic():
        before = estimate_lines(progress_estimates_current(school))
        ProgressEstimate.objects.filter(school=school).delete()
        ProgressEstimate.objects.bulk_create(
            ProgressEstimate(
                school=school,
                ks2_from=start,
                estimated_a8=estimate,
                **dict(zip(ELEMENT_FIELDS.values(), elements, strict=True)),
            )
            for start, estimate, *elements in rows
        )
        audit.record(
            action="tracking.progress_estimates.changed",
            obj=school,
            by=by,
            before={"rows": before},
            after={"rows": estimate_lines(rows)},
            via="progress estimates",
            school=school,
        )
