"""The impact section of the tracking-cycle report: what happened to the pupils flagged at a point.

The cycle report renders `interventions/_impact_section.html` with `section=impact_section(point)`.
"""

from . import queries
from .models import Flag, Outcome

TEMPLATE = "interventions/_impact_section.html"


def impact_section(point):
    """{"point", "next_point", "counts": {outcome: n}, "rows": [...]} from the stored evaluation.

    Flags not yet evaluated show as "no data".
    """
    flags = (
        Flag.objects.filter(point=point)
        .select_related("pupil", "subject", "owner__user")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")
    )
    labels = dict(Outcome.choices)
    counts = {outcome: 0 for outcome in Outcome.values}
    rows = []
    for flag in flags:
        outcome = flag.outcome or Outcome.NO_DATA
        counts[outcome] += 1
        rows.append(
            {
                "pupil": flag.pupil.sorted_name,
                "level": flag.level,
                "subject": flag.subject.name if flag.subject else None,
                "reason": flag.reason,
                "owner": str(flag.owner) if flag.owner else None,
                "before": flag.outcome_detail.get("before"),
                "after": flag.outcome_detail.get("after"),
                "outcome": outcome,
                "outcome_label": labels[outcome],
            }
        )
    return {
        "template": TEMPLATE,
        "point": point,
        "next_point": queries.next_point(point),
        "counts": counts,
        "rows": rows,
    }
