from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tracking import permissions, standing
from tracking.lib import exports
from tracking.models import Pupil, Subject
from tracking.templatetags.uplift import standing_html

from . import access, queries

TEMPLATE = "interventions/impact/_cycle_section.html"
MAX_DETAIL = 200


def _names(detail):
    pupils = {
        pk: Pupil.sorted_name_of(*names)
        for pk, *names in Pupil.objects.filter(pk__in={d["pupil_id"] for d in detail}).values_list(
            "pk", *Pupil.SORTED_NAME_FIELDS
        )
    }
    subjects = dict(
        Subject.objects.filter(pk__in={d["subject_id"] for d in detail}).values_list("pk", "name")
    )
    for d in detail:
        d["pupil"], d["subject"] = pupils.get(d["pupil_id"], "—"), subjects.get(d["subject_id"], "—")
    return detail


@login_required
def impact(request):
    user = request.user
    permissions.require(access.can_see_impact(user))
    school = permissions.school_for(user)
    kinds, detail = queries.evaluate(school)
    detail.sort(key=lambda d: (d["kind"], d["change"]))
    if fmt := exports.requested(request):
        cases = _names(queries.with_standings(school, detail))  # every case, not only those shown
        return exports.download_sheets(fmt, _sheets(kinds, cases, school), name="impact")
    shown = _names(queries.with_standings(school, detail[:MAX_DETAIL]))
    return render(
        request,
        "interventions/impact/impact.html",
        {
            "kinds": kinds,
            "detail": shown,
            "case_rows": _case_rows_html(shown, school),
            "more": max(0, len(detail) - MAX_DETAIL),
            "school": school,
        },
    )


def _case_rows_html(detail, school):
    """The "Each case" table's rows, as the template would write them: up to 200 cases, each with a
    standing badge per point, cost the template engine more than working the cases out. Written with
    f-strings and escape() (format_html's escaping, without its per-call formatting machinery)."""
    pupil_url = reverse("pupil_detail", args=[0]).removesuffix("0/")
    rows = []
    for d in detail:
        start, end = d["start"], d["end"]
        similar = (
            f'{d["similar"]:+.2f} <span class="muted">({escape(d["similar_n"])})</span>'
            if d["similar"] is not None
            else "—"
        )
        path = "".join(
            f'<li><span class="muted small">{escape(point.name)}'
            f"{_year_if_other(point, start)}</span> {standing_html(result, school) if result else '–'}</li>"
            for point, result in d["path"]
        )
        rows.append(
            f'<tr><td><a href="{escape(pupil_url)}{escape(d["pupil_id"])}/">{escape(d["pupil"])}</a></td>'
            f"<td>{escape(d['subject'])}</td><td>{escape(d['kind'])}</td>"
            f'<td>{escape(start.name)} <span class="muted">{escape(start.academic_year.name)}</span></td>'
            f'<td>{escape(end.name)} <span class="muted">{escape(end.academic_year.name)}</span></td>'
            f'<td class="num">{d["change"]:+.2f}</td><td class="num">{similar}</td>'
            f'<td><ul class="impact-path">{path}</ul></td></tr>'
        )
    return mark_safe("".join(rows))


def _year_if_other(point, start):
    """The point's school year, when not the one the case started in."""
    return escape(f" {point.academic_year.name}") if point.academic_year_id != start.academic_year_id else ""


def _sheets(kinds, detail, school):
    """The page's two tables, every case first (the page lists the first MAX_DETAIL; the export all)."""
    cases = [
        [
            d["pupil"], d["subject"], d["kind"], f"{d['start'].name} {d['start'].academic_year.name}",
            f"{d['end'].name} {d['end'].academic_year.name}", round(d["change"], 2),
            "" if d["similar"] is None else round(d["similar"], 2), d["similar_n"],
            "; ".join(
                f"{point.name} {point.academic_year.name}: "
                + (standing.label(result.status, school) if result else "–")
                for point, result in d["path"]
            ),
        ]
        for d in detail
    ]  # fmt: skip
    by_kind = [
        [
            k.label, k.n, round(k.mean, 2), "" if k.comparison_mean is None else round(k.comparison_mean, 2),
            "" if k.difference is None else round(k.difference, 2),
        ]
        for k in kinds
    ]  # fmt: skip
    return [
        (
            "Each case",
            [
                "Pupil",
                "Subject",
                "Intervention",
                "From",
                "To",
                "Change",
                "Similar pupils' change",
                "Similar pupils",
                "Standing at each point",
            ],
            cases,
        ),  # fmt: skip
        (
            "By kind",
            ["Intervention", "Cases", "Average change", "Similar pupils without", "Difference"],
            by_kind,
        ),
    ]


def cycle_section(cycle, user):
    """In the cycle report from the impact-evaluation stage (week 6): SLT see it."""
    if cycle.stage not in ("evaluation", "closed") or not access.can_see_impact(user):
        return None
    kinds, _ = queries.evaluate(cycle.school)
    return {"impact_kinds": kinds, "sheets": lambda: _sheets(kinds, [], cycle.school)[1:]}
