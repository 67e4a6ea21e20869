"""The impact section of the tracking-cycle report: what happened to the pupils flagged at a point.

`impact_section(point)` gives one point's figures; `cycle_section(cycle, user)` (registered with
tracking.cycle.report) gives a cycle's, limited to the flags the user may see. Both render
with `interventions/_impact_section.html` as `section`.
"""

from django.db.models import Case, Count, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracking.models import Pupil, Staff

from . import access, queries
from .models import Flag, Outcome

TEMPLATE = "interventions/_impact_section.html"
MAX_ROWS = 200
PENDING = "pending"
# Declined first: the pupils the department meeting needs to talk about.
ROW_ORDER = {Outcome.DECLINED: 0, Outcome.SAME: 1, PENDING: 2, Outcome.NO_DATA: 3, Outcome.IMPROVED: 4}


# What a row is made from, read as plain values (a page of 200 flags spares 1,200 model objects): the
# flag's id, the pupil's name fields, four of the flag's own, the owner's name fields, then four more.
_FLAG = ("level", "subject__name", "reason", "owner_id")
_POINT = ("point_id", "point__name", "outcome", "outcome_detail")
_PUPIL = tuple(f"pupil__{name}" for name in Pupil.SORTED_NAME_FIELDS)
_OWNER = tuple(f"owner__{name}" for name in Staff.NAME_FIELDS)
ROW_FIELDS = ("pk", *_PUPIL, *_FLAG, *_OWNER, *_POINT)
_AT_FLAG = 1 + len(_PUPIL)
_AT_OWNER = _AT_FLAG + len(_FLAG)
_AT_POINT = _AT_OWNER + len(_OWNER)


def _rows(flags, next_points):
    """Rows for `flags` (values_list(*ROW_FIELDS)), declined first and then by pupil."""
    labels = {**dict(Outcome.choices), PENDING: "Not evaluated yet"}
    rows = []
    for flag in flags:
        pk, pupil = flag[0], flag[1:_AT_FLAG]
        (level, subject, reason, owner_id), owner = flag[_AT_FLAG:_AT_OWNER], flag[_AT_OWNER:_AT_POINT]
        point_id, point, outcome, detail = flag[_AT_POINT:]
        outcome = outcome or PENDING
        later = next_points.get(point_id)
        rows.append(
            {
                "flag_id": pk,
                "pupil": Pupil.sorted_name_of(*pupil),
                "level": level,
                "subject": subject,
                "reason": reason,
                "owner": Staff.name_of(*owner) if owner_id else None,
                "point": point,
                "next_point": later.name if later else None,
                "before": detail.get("before"),
                "after": detail.get("after"),
                "outcome": outcome,
                "outcome_label": labels[outcome],
            }
        )
    rows.sort(key=lambda r: (ROW_ORDER[r["outcome"]], r["pupil"]))
    return rows


def _rows_html(rows):
    """The table's rows as the template would write them (200 rows through the template engine cost
    more than reading them)."""
    flag_url = reverse("interventions:flag_detail", args=[0]).removesuffix("0/")
    html = []
    for row in rows:
        before, after = localize(row["before"] or "–"), localize(row["after"] or "–")
        html.append(
            format_html(
                '<tr><td><a href="{}{}/">{}</a></td><td>L{} · {}</td><td>{}</td><td>{}</td>'
                '<td class="num">{}</td><td class="num">{}</td>'
                '<td><span class="outcome outcome-{}">{}</span></td></tr>',
                flag_url,
                row["flag_id"],
                row["pupil"],
                localize(row["level"]),
                row["reason"],
                row["owner"] or "–",
                row["point"],
                before,
                after,
                row["outcome"],
                row["outcome_label"],
            )
        )
    return mark_safe("".join(html))


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
    order = ("rank", "last", "first", *Flag._meta.ordering)
    # The rows shown are picked by id in a subquery, then read with their names: planned together, a
    # head of department's access scope and the six tables a row reads from cost more to plan than to
    # read. The order ends with the primary key, so both orders agree.
    picked = flags.annotate(rank=rank, last=last, first=first).order_by(*order).values("pk")[:MAX_ROWS]
    shown = (
        Flag.objects.filter(pk__in=picked)
        .annotate(rank=rank, last=last, first=first)
        .order_by(*order)
        .values_list(*ROW_FIELDS)
    )
    rows = _rows(shown, next_points)

    def sheets():
        """Every flag's row (the page shows the first MAX_ROWS) for the cycle report's download."""
        every = flags.values_list(*ROW_FIELDS)
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
        "rows_html": _rows_html(rows),
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
