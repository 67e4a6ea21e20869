"""Year leaders' lists, the transition report and the tutor's view of a form (DfES Table 3)."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.dashboards import concerns, queries, tutor, year_lists
from tracking.dashboards.tables.pastoral import (
    FormSubjectsTable,
    RecommendedTable,
    TransitionSubjectTable,
    TutorGridTable,
    YearListTable,
)
from tracking.dashboards.views.cohort import pdf_response
from tracking.lib import exports
from tracking.lib.percentages import percent_value


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _choose_point(request, points, prefer=None):
    """The point asked for (?point=, 404 unless offered), else the first `prefer` accepts, else the newest."""
    wanted = _int(request.GET.get("point"))
    if request.GET.get("point") and wanted is None:
        permissions.require(False)
    if wanted is not None:
        point = next((p for p in points if p.pk == wanted), None)
        permissions.require(point is not None)
        return point
    if prefer is not None:
        preferred = next((p for p in points if prefer(p)), None)
        if preferred is not None:
            return preferred
    return points[0] if points else None


def _year_points(request, *, hand_over=False):
    """(school, points the user may list, the chosen point) for the year lists and transition report."""
    user = request.user
    school = permissions.school_for(user)
    allowed = permissions.is_year_leader if hand_over else permissions.can_see_year_lists
    permissions.require(school is not None and allowed(user))
    listed = {}  # by year group: a school has a few year groups and dozens of points

    def may_list(year_group):
        if year_group.pk not in listed:
            listed[year_group.pk] = permissions.year_entries(user, school, year_group) is not None and (
                not hand_over or permissions.can_hand_over_year(user, year_group)
            )
        return listed[year_group.pk]

    points = [p for p in year_lists.points_with_grades(school) if may_list(p.year_group)]
    point = _choose_point(request, points, prefer=lambda p: permissions.leads_year(user, p.year_group))
    return school, points, point


EXPORT_HEADERS = [
    "List",
    "Pupil",
    "UPN",
    "Form",
    "Subjects graded",
    "Above expected",
    "Below expected",
    "Effort good",
    "Effort concern",
    "Average effort",
    "Attendance %",
    "Attendance under threshold",
]


def _export(fmt, point, lists):
    titles = dict(year_lists.LISTS)
    rows = []
    for name, members in lists.items():
        for row in members:
            rows.append(
                [
                    titles[name],
                    row.pupil.sorted_name,
                    row.pupil.upn,
                    str(row.pupil.form or ""),
                    row.graded,
                    row.above,
                    row.below,
                    row.good_effort,
                    row.effort_concern,
                    None if row.avg_effort is None else round(float(row.avg_effort), 1),
                    percent_value(row.pupil.attendance),
                    "Y" if row.attendance_low else "",
                ]
            )
    name = f"year lists {point.year_group} {point.name} {point.academic_year}"
    return exports.download(fmt, EXPORT_HEADERS, rows, name=name, sheet="Year lists")


def _form(pupil):
    return escape(pupil.form or "")


def names_html(members):
    """A commendation list's names, "Ada Lovelace (7A); Alan Turing (7B)"."""
    return mark_safe(  # noqa: S308 - every name is escaped
        "; ".join(
            f"{escape(row.pupil.sorted_name)} ({_form(row.pupil)})"
            if row.pupil.form
            else escape(row.pupil.sorted_name)
            for row in members
        )
    )


@login_required
def year_lists_view(request):
    school, points, point = _year_points(request)
    context = {"points": points, "point": point, "school": school}
    if point is not None:
        entries = permissions.year_entries(request.user, school, point.year_group).filter(point=point)
        lists = year_lists.draw(year_lists.pupil_counts(entries, standing.Thresholds.of(school)))
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            return _export(fmt, point, lists)
        printing = request.GET.get("print") == "pdf"
        tables = []
        for name, title in year_lists.LISTS:
            # On paper, each list's page on screen, in its sort (a list of a large year runs to
            # hundreds of pupils, every one of them in the downloads).
            table = YearListTable(lists[name], name=name, title=title)
            RequestConfig(request).configure(table)
            tables.append(table)
        context.update(
            lists=tables,
            rules=year_lists.describe(),
            can_hand_over=permissions.can_hand_over_year(request.user, point.year_group),
            whole_year=permissions.can_hand_over_year(request.user, point.year_group),
            forms=list(permissions.forms_visible_to(request.user).filter(year_group=point.year_group)),
        )
        if printing:
            name = f"year lists {point.year_group} {point.name} {point.academic_year}"
            return pdf_response(request, "tracking/dashboards/year_lists_pdf.html", context, name)
    return render(request, "tracking/dashboards/year_lists.html", context)


GAP_SPLITS = ("Disadvantaged", "SEN", "EAL", "Looked after")
# The characteristics whose gaps the report shows, as SPLIT_GROUPINGS' paths.
GAP_PATHS = tuple(path for path, title, _labels, _focus in queries.SPLITS if title in GAP_SPLITS)
COMMENDATIONS = ("good_effort", "good_progress")
# A commendation list longer than this is counted by form in the report rather than named: a large year
# commends hundreds, a page of names nobody reads (every name is on the year lists and in the XLSX).
COMMENDED_NAMED = 60


def commended_html(members):
    """A commendation list's names, or past COMMENDED_NAMED its count in each form."""
    if len(members) <= COMMENDED_NAMED:
        return names_html(members)
    by_form = Counter(row.pupil.form or "no form" for row in members)
    return format_html(
        "Too many to name here; by form: {}. Every name is on the year leaders' lists and in the "
        "report's XLSX download.",
        " · ".join(f"{form} {count}" for form, count in sorted(by_form.items())),
    )


def transition_context(user, school, point):
    """Everything the transition report shows for a year group at a point (a fixed number of queries)."""
    entries = permissions.year_entries(user, school, point.year_group).filter(point=point)
    thresholds = standing.Thresholds.of(school)
    # The report's figures and the pupils its lists are drawn from: every standing worked out once. The
    # gaps' characteristics are summed from the pupils' rows, not grouped in the database as well.
    sets = year_lists.counted_figures(
        entries,
        thresholds,
        {"subject": ("subject_id", "int")},
        previous=standing.previous_points([point]),
        points=[point],
        sums=queries.DIFF_SUM,
    )
    counts, traits = year_lists.pupil_counts_with(
        sets, entries, [path.removeprefix("pupil__") for path in GAP_PATHS]
    )
    sets.update(queries.splits_from_pupils(sets["pupil"], traits, GAP_PATHS))
    labels = {s: standing.label(s, school) for s in standing.STATUSES}
    names = dict(
        point.school.subjects.filter(pk__in=[r.key for r in sets["subject"]]).values_list("pk", "name")
    )
    for row in sets["subject"]:
        row.label = names.get(row.key, "?")
    subjects = sorted(sets["subject"], key=lambda r: r.label)
    gaps = [gap for _title, _rows, gap in queries.splits(sets, only=GAP_PATHS) if gap]
    lists = year_lists.draw(counts)
    # DfES: "including recommendations for inclusion in the following year's mentoring programme".
    recommended = {row.pupil.pk: row for row in lists["slower_progress"] + lists["effort_concern"]}
    reasons = concerns.reasons_for(recommended, school)
    for row in recommended.values():
        row.reasons = reasons.get(row.pupil.pk, [])
    titles = dict(year_lists.LISTS)
    recommended = sorted(recommended.values(), key=lambda r: r.pupil.sorted_name)
    attendance_below = year_lists.RULES.attendance_below
    under = format_html(" (under {}%)", floatformat(attendance_below, 0))
    return {
        "school": school,
        "point": point,
        "total": sets["total"],
        "subjects": subjects,
        "gaps": gaps,
        "labels": labels,
        "count_labels": standing.count_labels(school),
        "lists": [(name, titles[name], lists[name]) for name, _title in year_lists.LISTS],
        "rules": year_lists.describe(),
        "recommended": recommended,
        "under": under,
        "commended_html": {
            name: commended_html(lists[name]) for name, _title in year_lists.LISTS if name in COMMENDATIONS
        },
        "attendance_below": attendance_below,
        "generated": timezone.now(),
    }


@login_required
def transition_report(request):
    school, points, point = _year_points(request, hand_over=True)
    if point is None:
        return render(request, "tracking/dashboards/transition.html", {"points": points, "point": None})
    context = transition_context(request.user, school, point)
    context["points"] = points
    printing = request.GET.get("print") == "pdf"
    context["subjects_table"] = TransitionSubjectTable(
        context["subjects"],
        labels=context["labels"],
        on_target=context["count_labels"]["on_target"],
    )
    context["recommended_table"] = RecommendedTable(context["recommended"], under=context["under"])
    RequestConfig(request, paginate=False).configure(context["subjects_table"])
    # The recommended pupils a page at a time, on paper as on screen, in the page's sort.
    RequestConfig(request).configure(context["recommended_table"])
    if fmt := exports.requested(request):
        name = f"transition {point.year_group} {point.academic_year}"
        return exports.download_sheets(fmt, _transition_sheets(context), name=name)
    if printing:
        name = f"transition {point.year_group} {point.academic_year}"
        return pdf_response(request, "tracking/dashboards/transition_pdf.html", context, name)
    return render(request, "tracking/dashboards/transition.html", context)


def _blank(value, digits=None):
    if value is None:
        return ""
    return round(value, digits) if digits is not None else value


def _transition_sheets(c):
    """The transition report's tables in the page's order, by subject first (the CSV holds that one)."""
    on, labels, total = c["count_labels"]["on_target"], c["labels"], c["total"]
    recommended = [
        [
            r.pupil.sorted_name, r.pupil.upn, str(r.pupil.form or ""), r.below, r.effort_concern,
            _blank(percent_value(r.pupil.attendance)), "; ".join(r.reasons),
        ]
        for r in c["recommended"]
    ]  # fmt: skip
    subjects = [
        [r.label, r.graded, _blank(r.on_or_above_pct), r.below, r.well_below, _blank(r.avg_diff, 2)]
        for r in c["subjects"]
    ]
    headline = [
        [f"{on} %", _blank(total.on_or_above_pct)],
        [f"{labels['well_below']} %", _blank(total.well_below_pct)],
        ["Average difference from the grade expected now", _blank(total.avg_diff, 2)],
        ["Grades up since the previous point", total.up],
        ["Grades down since the previous point", total.down],
    ]
    gaps = [[g["label"], _blank(g["on_or_above"]), _blank(g["avg_diff"], 2)] for g in c["gaps"]]
    commended = [
        [title, row.pupil.sorted_name, row.pupil.upn, str(row.pupil.form or "")]
        for name, title, members in c["lists"]
        if name in ("good_effort", "good_progress")
        for row in members
    ]
    return [
        (
            "By subject",
            ["Subject", "Grades", f"{on} %", labels["below"], labels["well_below"], "Average difference"],
            subjects,
        ),
        ("Headline figures", ["Figure", "Value"], headline),
        ("Gaps", ["Group", f"Points in % {on.lower()}", "Grades in average difference"], gaps),
        (
            "Recommended for mentoring",
            ["Pupil", "UPN", "Form", "Below expected", "Effort concerns", "Attendance %", "Also on record"],
            recommended,
        ),
        ("Commendations", ["List", "Pupil", "UPN", "Form"], commended),
    ]


def _tutor_grid(school, subjects, rows):
    """(headers, rows) of the tutor's grid: each pupil's grade, standing (the school's words) and effort
    in each subject, and why they need a conversation."""
    headers = ["Pupil", "UPN", "Attendance (%)"]
    for subject in subjects:
        headers += [f"{subject.name} grade", f"{subject.name} standing", f"{subject.name} effort"]
    headers.append("Needs a conversation because")
    table = []
    for row in rows:
        line = [row.pupil.sorted_name, row.pupil.upn, percent_value(row.pupil.attendance)]
        for _subject, result, effort in row.cells:
            if result:
                line += [str(result.grade or ""), standing.label(result.status, school), effort or ""]
            else:
                line += ["", "", ""]
        line.append("; ".join(str(r) for r in row.reasons))
        table.append(line)
    return headers, table


@login_required
def tutor_view(request, pk):
    """A form's standing in every subject, its attendance and who needs a conversation."""
    user = request.user
    form = (
        permissions.forms_visible_to(user)
        .select_related("year_group", "school", "academic_year")
        .filter(pk=pk)
        .first()
    )
    permissions.require(form is not None)
    points = year_lists.points_with_grades(form.school, form.year_group, form.academic_year)
    point = _choose_point(request, points)
    context = {"form": form, "points": points, "point": point, "school": form.school}
    if point is not None:
        subjects, rows, per_subject = tutor.form_grid(form, point, standing.Thresholds.of(form.school))
        known = [r.pupil.attendance for r in rows if r.pupil.attendance is not None]
        if fmt := exports.requested(request):
            headers, table = _tutor_grid(form.school, subjects, rows)
            name = f"form {form.name} {point.name}"
            return exports.download(fmt, headers, table, name=name, sheet=form.name)
        printing = request.GET.get("print") == "pdf"
        labels = {s: standing.label(s, form.school) for s in standing.STATUSES}
        grid = TutorGridTable(rows, subjects=subjects, school=form.school)
        by_subject = FormSubjectsTable(per_subject, on_label=labels[standing.ON])
        for table in (grid, by_subject):
            RequestConfig(request, paginate=False).configure(table)
        context.update(
            grid=grid,
            by_subject=by_subject,
            subjects=subjects,
            rows=rows,
            per_subject=per_subject,
            conversations=[r for r in rows if r.reasons],
            attendance=round(sum(known) / len(known), 1) if known else None,
            conversation_rules=tutor.describe(form.school),
            labels=labels,
        )
        if printing:
            name = f"form {form.name} {point.name}"
            return pdf_response(request, "tracking/dashboards/tutor_pdf.html", context, name)
    return render(request, "tracking/dashboards/tutor.html", context)
