"""The SENCo's view (issue 13): the dashboard's figures split by need, with plans and sessions.

Scope is the dashboard's (tracking.dashboards.views.cohort.Scope): the whole school for the SENCo and SLT, a
head of department's department, a teacher's own groups; term, year, subject and group as there.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tracking import permissions, standing
from tracking.dashboards.views.cohort import Scope, pdf_response
from tracking.lib import exports
from tracking.lib.links import url_for_pk

from ..plans.access import plans_visible_to
from . import queries

SEN_PUPILS_PER_PAGE = 50
NEED_FILTERS = {"K": "SEN support", "E": "EHC plan"} | dict(queries.NEED_TYPES)


@login_required
def sen_view(request):
    permissions.require(permissions.can_see_sen_view(request.user))
    scope = Scope(request)
    context = {"scope": scope, "school": scope.school}
    if scope.term is None:
        return render(request, "interventions/sen/sen.html", context)
    need = request.GET.get("need") if request.GET.get("need") in NEED_FILTERS else None
    download = exports.requested(request)
    printing = request.GET.get("print") == "pdf"
    # A school of thousands has hundreds of SEN pupils: the table shows them a page at a time, and reads
    # plans and sessions for that page's pupils only. No movers on this page: no join to the grade at the
    # point before.
    if permissions.access_for(request.user).whole_school_reader and not (download or printing):
        # Counted in each of their subjects as well as one by one, a whole school's SEN pupils made the
        # figures' one query add up ten thousand rows (60 of its 210 ms at 6,000 pupils): here the SEN
        # pupils with grades are found first and only the page's counted. A narrower scope has few, and
        # finding them first costs more than it saves.
        sen = queries.sen_pupils(scope.entries.values("pupil_id"), need=need)
        pupils, rows = _page(sen, request)
        figures = queries.figures(
            scope.entries, scope.thresholds, {}, points=scope.points, pupils=[row.pupil.pk for row in rows]
        )
    else:
        figures = queries.figures(scope.entries, scope.thresholds, {}, points=scope.points)
        sen = queries.sen_pupils(figures["pupil"].keys(), need=need)
        if download or printing:
            pupils = rows = sen[:]  # a download or PDF holds every SEN pupil in scope, not the page on screen
        else:
            pupils, rows = _page(sen, request)
    queries.add_figures(rows, figures)
    queries.add_plans_and_sessions(rows, plans_visible_to(request.user))
    if not download:
        for row in rows:
            row.html = pupil_row_html(row)
    subjects = list(
        scope.school.subjects.filter(pk__in={key[0] for key in figures["subject_need"]}).order_by("name")
    )
    context.update(
        total=figures["total"],
        needs=queries.need_rows(figures),
        primary_needs=queries.primary_need_rows(figures),
        subjects=queries.subject_rows(figures, subjects),
        need_labels=[label for _need, label in queries.NEEDS],
        pupils=pupils,
        pupil_count=len(sen),
        need=need,
        need_filters=NEED_FILTERS,
        labels={s: standing.label(s, scope.school) for s in standing.STATUSES},
        count_labels=standing.count_labels(scope.school),
    )
    if download:
        return exports.download_sheets(download, _sheets(context), name=f"SEN pupils {scope.term}")
    if printing:
        return pdf_response(request, "interventions/sen/sen_pdf.html", context, f"SEN pupils {scope.term}")
    return render(request, "interventions/sen/sen.html", context)


def _page(sen, request):
    """The page of SEN pupils asked for, and its rows."""
    page = Paginator(sen, SEN_PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    return page, page.object_list


def _plans_html(plans):
    if not plans:
        return '<span class="muted">None</span>'
    return "<br>".join(
        f'<a href="{url_for_pk("interventions:plan_detail", plan.pk)}">Level {escape(plan.level)} · '
        f"{escape(plan.get_tier_display())}{f' ({escape(plan.department)})' if plan.department else ''}</a>"
        for plan in plans
    )


def _sessions_html(row):
    if row.marked:
        booked = ""
        if row.places > row.marked:
            booked = f' <span class="muted">· {row.places} places booked</span>'
        return f"{row.attended} of {row.marked} ({row.attendance_pct}%){booked}"
    if row.places:
        return f"{row.places} place{'' if row.places == 1 else 's'}, none marked yet"
    return '<span class="muted">None</span>'


def pupil_row_html(row):
    """One SEN pupil's row of the table, as the template wrote it (every text escaped; numbers as they
    are), in one pass: fifty rows of a dozen lookups and two links each were a fifth of the page."""
    pupil, figures = row.pupil, row.figures
    form = f" · {escape(pupil.form)}" if pupil.form else ""
    need = (
        f' · <abbr title="{escape(pupil.get_sen_need_display())}">{escape(pupil.sen_need)}</abbr>'
        if pupil.sen_need
        else ""
    )
    link = f'<a href="{url_for_pk("pupil_detail", pupil.pk)}">{escape(pupil.sorted_name)}</a>'
    on = f"{figures.above + figures.on} of {figures.with_standing}" if figures is not None else "–"
    below = f"{figures.below + figures.well_below}" if figures is not None else "–"
    return mark_safe(  # noqa: S308 - every text above is escaped; the rest are numbers
        f'\n      <tr data-pupil="{int(pupil.pk)}">\n'
        f'        <th scope="row">{link}</th>\n'
        f"        <td>Year {escape(pupil.year_group.number)}{form}</td>\n"
        f"        <td>{escape(pupil.get_sen_status_display())}{need}</td>\n"
        f'        <td class="num">{on}</td>\n'
        f'        <td class="num">{below}</td>\n'
        f"        <td>{_plans_html(row.plans)}</td>\n"
        f"        <td>{_sessions_html(row)}</td>\n"
        "      </tr>\n    "
    )


def _pct(value):
    return "" if value is None else value


def _figure_cells(row):
    gap = row.gap or {}
    return [
        row.graded, _pct(row.on_or_above_pct), _pct(row.well_below_pct),
        "" if row.avg_diff is None else round(row.avg_diff, 2), _pct(row.pass4_pct),
        _pct(gap.get("on_or_above")), "" if gap.get("avg_diff") is None else round(gap["avg_diff"], 2),
    ]  # fmt: skip


def _sheets(context):
    """The page's four tables, the SEN pupils first (the CSV holds that one)."""
    on, well_below = context["count_labels"]["on_target"], context["labels"]["well_below"]
    figures = [
        "Grades", f"{on} %", f"{well_below} %", "Average difference", "Grade 4+ %",
        "Gap to no SEN: points on target", "Gap to no SEN: grades",
    ]  # fmt: skip
    pupils = []
    for row in context["pupils"]:
        pupil, f = row.pupil, row.figures
        pupils.append([
            pupil.sorted_name, pupil.upn, pupil.year_group.number, str(pupil.form or ""),
            pupil.get_sen_status_display(), pupil.get_sen_need_display() if pupil.sen_need else "",
            f.above + f.on if f else "", f.with_standing if f else "", f.below + f.well_below if f else "",
            "; ".join(
                f"Level {p.level} {p.get_tier_display()}" + (f" ({p.department})" if p.department else "")
                for p in row.plans
            ),
            row.attended, row.marked, row.places,
        ])  # fmt: skip
    return [
        (
            "SEN pupils",
            [
                "Pupil",
                "UPN",
                "Year",
                "Form",
                "SEN status",
                "Primary need",
                on,
                "With a standing",
                "Below",
                "Active plans",
                "Sessions attended",
                "Sessions marked",
                "Places booked",
            ],
            pupils,
        ),  # fmt: skip
        ("By SEN status", ["SEN status", *figures], [[r.label, *_figure_cells(r)] for r in context["needs"]]),
        (
            "By primary need",
            ["Primary need", *figures],
            [[r.label, *_figure_cells(r)] for r in context["primary_needs"]],
        ),
        (
            "By subject",
            ["Subject", *(f"{label}: {on} %" for label in context["need_labels"]), "SEN gap (points)"],
            [
                [
                    r.subject.name,
                    *(_pct(c.on_or_above_pct) if c else "" for _label, c in r.cells),
                    _pct(r.gap),
                ]
                for r in context["subjects"]
            ],
        ),
    ]
