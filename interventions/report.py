"""The impact section of the tracking-cycle report: what happened to the pupils flagged at a point.

`impact_section(point)` gives one point's figures; `cycle_section(cycle, user)` (registered with
tracking.cycle.report) gives a cycle's, limited to the flags the user may see. Both render
with `interventions/_impact_section.html` as `section`.
"""

from django.db.models import Case, Count, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse

from . import access, queries
from .models import Flag, Outcome

TEMPLATE = "interventions/_impact_section.html"
MAX_ROWS = 200
PENDING = "pending"
# Declined first: the pupils the department meeting needs to talk about.
ROW_ORDER = {Outcome.DECLINED: 0, Outcome.SAME: 1, PENDING: 2, Outcome.NO_DATA: 3, Outcome.IMPROVED: 4}


def _rows(flags, next_points):
    labels = {**dict(Outcome.choices), PENDING: "Not evaluated yet"}
    rows = []
    for flag in flags:
        outcome = flag.outcome or PENDING
        later = next_points.get(flag.point_id)
        rows.append(
            {
                "flag_id": flag.pk,
                "pupil": flag.pupil.sorted_name,
                "level": flag.level,
                "subject": flag.subject.name if flag.subject else None,
                "reason": flag.reason,
                "owner": str(flag.owner) if flag.owner else None,
                "point": flag.point.name,
                "next_point": later.name if later else None,
                "before": flag.outcome_detail.get("before"),
                "after": flag.outcome_detail.get("after"),
                "outcome": outcome,
                "outcome_label": labels[outcome],
            }
        )
    rows.sort(key=lambda r: (ROW_ORDER[r["outcome"]], r["pupil"]))
    return rows


def _section(flags, points):
    """Counts in the database, and only the rows shown (a school's cycle raises thousands of flags)."""
    next_points = queries.next_locked_points(points)
    counts = {outcome: 0 for outcome in [*Outcome.values, PENDING]}
    for outcome, n in flags.order_by().values_list("outcome").annotate(n=Count("pk")):
        counts[outcome or PENDING] += n
    total = sum(counts.values())
    rank = Case(
        *[When(outcome="" if key == PENDING else key, then=Value(order)) for key, order in ROW_ORDER.items()],
        default=Value(len(ROW_ORDER)),
    )
    last = Coalesce(NullIf("pupil__preferred_last_name", Value("")), "pupil__legal_last_name")
    first = Coalesce(NullIf("pupil__preferred_first_name", Value("")), "pupil__legal_first_name")
    shown = (
        flags.select_related("pupil", "subject", "owner__user", "point")
        .annotate(rank=rank, last=last, first=first)
        .order_by("rank", "last", "first", *Flag._meta.ordering)[:MAX_ROWS]
    )
    rows = _rows(shown, next_points)

    def sheets():
        """Every flag's row (the page shows the first MAX_ROWS) for the cycle report's download."""
        every = flags.select_related("pupil", "subject", "owner__user", "point")
        headers = [
            "Pupil",
            "Level",
            "Subject",
            "Reason",
            "Owner",
            "Raised at",
            "Then",
            "Next point",
            "Outcome",
        ]
        out = [
            [
                r["pupil"], r["level"], r["subject"] or "", r["reason"], r["owner"] or "", r["point"],
                r["before"] or "", r["after"] or "", r["outcome_label"],
            ]
            for r in _rows(every, next_points)
        ]  # fmt: skip
        return [("Impact of intervention", headers, out)]

    return {
        "template": TEMPLATE,
        "points": [{"point": p, "next_point": next_points[p.pk]} for p in points],
        "counts": counts,
        "total": total,
        "rows": rows,
        "more": max(0, total - MAX_ROWS),
        "list_url": reverse("interventions:flag_list"),
        "sheets": sheets,
    }


def impact_section(point, flags=None):
    """Flags raised at `point` and their stored outcome (improved / no change / declined / no data).

    Outcomes are stored by services.impact_evaluate at the cycle's evaluation stage; flags not yet
    evaluated show as "not evaluated yet".
    """
    flags = Flag.objects.filter(point=point) if flags is None else flags.filter(point=point)
    return _section(flags, [point])


def cycle_section(cycle, user):
    """The report section for a tracking cycle, or None before the actions stage raised any flags."""
    if cycle.stage in ("planned", "input", "verification", "health_check"):
        return None
    points = list(cycle.points.select_related("year_group", "academic_year").order_by("year_group__number"))
    return _section(access.flags_visible_to(user).filter(point__in=points), points)
