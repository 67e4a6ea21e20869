"""The leaders' dashboard: drill from the school to a year, a subject, a group and its pupils."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_tables2 import RequestConfig, Table

from tracking import permissions, standing
from tracking.dashboards import figures, queries
from tracking.dashboards.filters import CohortFilter
from tracking.dashboards.group_pupils import group_pupils
from tracking.dashboards.tables.cohort import (
    FiguresTable,
    GapsTable,
    GroupPupilsTable,
    TrendTable,
    VariationTable,
)
from tracking.dashboards.tables.download import download
from tracking.lib import printed
from tracking.lib.pdf import render_pdf
from tracking.models import (
    School,
    Subject,
    TeachingGroup,
)
from tracking.school import theme


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


class Scope:
    """What the page is looking at, parsed from the query string and checked against what may be seen."""

    def __init__(self, request, entries_for=permissions.dashboard_entries, own_groups_first=True):
        """`entries_for(user, school)`: the grades the page may count (None: a 404); the dashboard's by
        default, the Attainment 8 pages' (every subject, so heads of year too) for those pages, which
        open on the school's newest uplift rather than a teacher's own groups' (`own_groups_first`)."""
        user = request.user
        self.school = permissions.school_for(user)
        entries = entries_for(user, self.school)
        permissions.require(entries is not None)
        # A teacher's own groups open on their own newest uplift. A department or the whole school has
        # grades at the school's newest (asking each term of every grade would cost more than the page).
        self.terms = queries.terms_with_data(self.school)
        own = permissions.dashboard_own_grades(user) if own_groups_first else None
        own_newest = queries.newest_term_id(own) if own is not None else None
        wanted = _int(request.GET.get("term"))
        newest = next((t for t in self.terms if t.pk == own_newest), self.terms[0] if self.terms else None)
        self.term = next((t for t in self.terms if t.pk == wanted), newest)
        permissions.require(wanted is None or (self.term is not None and self.term.pk == wanted))
        # The uplift's points, and the trend's (this year's to the uplift and last year's): one query.
        self.points, self.trend_points = (
            ([], []) if self.term is None else queries.uplift_points(self.term, self.terms)
        )
        self.years = sorted({p.year_group.number for p in self.points})
        self.year = _int(request.GET.get("year"))
        permissions.require(self.year is None or self.year in self.years)
        self.subject = self.group = None
        # `followed`: the grades of the page's subjects and pupils at any point, for the trend, which
        # follows the page's pupils back into last year (a year group is not a filter on the point there).
        followed = entries
        if self.year is not None:
            entries = entries.filter(point__year_group__number=self.year)
            subject_id = _int(request.GET.get("subject"))
            if subject_id is not None:
                # A head of department drills into their department's subjects, a teacher into theirs.
                self.subject = (
                    permissions.subjects_visible_to(user).filter(pk=subject_id, school=self.school).first()
                )
                permissions.require(self.subject is not None)
                entries = entries.filter(subject=self.subject)
                followed = followed.filter(subject=self.subject)
                group_id = _int(request.GET.get("group"))
                if group_id is not None:
                    self.group = (
                        permissions.groups_visible_to(user)
                        .filter(pk=group_id, subject=self.subject, year_group__number=self.year)
                        .first()
                    )
                    permissions.require(self.group is not None)
                    entries = entries.filter(pupil__in=self.group.pupils.all())
                    followed = followed.filter(pupil__in=self.group.pupils.all())
        # The cohort chosen by pupil characteristics narrows whatever the user may count.
        self.cohort = CohortFilter(request.GET, queryset=entries)
        entries = self.cohort.qs
        # `scoped`: every point's grades the page may count; `entries`: the chosen uplift's.
        self.scoped = entries
        self.entries = entries.filter(point__in=self.points)
        # The pupils of the year groups this page counts (the cohort's), in its subjects, at every point.
        self.followed = self.cohort.filter_queryset(followed).filter(
            pupil__year_group__number__in=[self.year] if self.year is not None else self.years
        )
        self.thresholds = standing.Thresholds.of(self.school)
        self.previous = standing.previous_points(self.points)

    def query(self, **extra):
        values = {
            "term": self.term.pk if self.term else None,
            "year": self.year,
            "subject": self.subject.pk if self.subject else None,
            "group": self.group.pk if self.group else None,
        }
        values.update(extra)
        values.update(self.cohort.params())
        return "&".join(f"{k}={v}" for k, v in values.items() if v is not None)

    @property
    def crumbs(self):
        crumbs = [("Whole school", f"?{self.query(year=None, subject=None, group=None)}")]
        if self.year is not None:
            crumbs.append((f"Year {self.year}", f"?{self.query(subject=None, group=None)}"))
        if self.subject:
            crumbs.append((self.subject.name, f"?{self.query(group=None)}"))
        if self.group:
            crumbs.append((self.group.name, None))
        return crumbs


def colours_of(school):
    """The school's standing colours (Uplift's defaults for none), checked, for SVG fills in PDFs."""
    return {
        s: theme.safe_colour(
            getattr(school, f"colour_{s}") if school else School._meta.get_field(f"colour_{s}").default
        )
        for s in standing.STATUSES
        if s != standing.NONE
    }


def dress(figures, labels, school=None, own_colours=False):
    """Give each row of figures the segments of its stacked bar, in the school's words and colours.

    The page's stylesheet colours bars in the signed-in school's colours; `own_colours` keeps these
    colours instead, where schools are shown side by side (the trust view)."""
    colours = colours_of(school)
    for row in figures if isinstance(figures, list) else [figures]:
        offset, row.segments = 0, []
        for status, count, pct in row.standings:
            if pct:
                row.segments.append(
                    {
                        "status": status,
                        "label": labels[status],
                        "count": count,
                        "pct": pct,
                        "offset": offset,
                        "colour": colours[status],
                        "own_colour": own_colours,
                    }
                )
                offset += pct
    return figures


LEVELS = {
    "year": ("point__year_group__number", "int"),
    "subject": ("subject_id", "int"),
    "group": figures.TEACHING_GROUP,
}


def _level(scope):
    """Which drill-down the table shows: years, then subjects, then groups (None: a group's pupils)."""
    if scope.year is None:
        return "year"
    if scope.subject is None:
        return "subject"
    return None if scope.group else "group"


def _rows(scope, level, rows):
    """Labels and links for the drill-down rows."""
    if level == "year":
        for row in rows:
            row.label, row.link = f"Year {row.key}", f"?{scope.query(year=row.key)}"
        return "Year group", rows
    if level == "subject":
        names = dict(Subject.objects.filter(pk__in=[r.key for r in rows]).values_list("pk", "name"))
        for row in rows:
            row.label, row.link = names.get(row.key, "?"), f"?{scope.query(subject=row.key)}"
        return "Subject", sorted(rows, key=lambda r: r.label)
    names = dict(
        TeachingGroup.objects.filter(pk__in=[r.key for r in rows if r.key]).values_list("pk", "name")
    )
    for row in rows:
        row.label = names.get(row.key, "No teaching group")
        row.link = f"?{scope.query(group=row.key)}" if row.key else None
    return "Teaching group", sorted(rows, key=lambda r: r.label)


def holds_trend(request):
    """Whether the response holds the trend itself: the XLSX and the print do; on screen it is a section
    the page loads after itself (views/trend.py)."""
    return request.GET.get("export") == "xlsx" or request.GET.get("print") == "pdf"


def page_trend(request, scope, grades, total, counted_years):
    """(the trend, its table) of the page `scope` describes. The uplift's own half term is `total`, the
    page's own figures (`counted_years`: the year groups they count), not counted again."""
    trend = queries.trend(
        scope.followed,
        scope.thresholds,
        scope.trend_points,
        grades=grades,
        uplift=(scope.term, total, counted_years),
    )
    table = TrendTable(
        trend, on_label=headline_labels(scope.school, scope.thresholds)["on_target"], prefix="t-"
    )
    RequestConfig(request, paginate=False).configure(table)
    return trend, table


def headline_labels(school, thresholds):
    grades = "grade" if thresholds.well_below_by == 1 else "grades"
    return {
        "on_target": f"{standing.label(standing.ON, school)} or above",
        "well_below": f"{standing.label(standing.WELL_BELOW, school)} ({thresholds.well_below_by}+ {grades} "
        "under the grade expected now)",
    }


@login_required
def dashboard(request):
    scope = Scope(request)
    if scope.term is None:
        return render(request, "tracking/dashboards/dashboard.html", {"scope": scope})
    level = _level(scope)
    groupings = dict(queries.SPLIT_GROUPINGS)
    if level:
        groupings["rows"] = LEVELS[level]
    grades = standing.GradeTable(connection.vendor)
    sets = figures.figure_sets(
        scope.entries, scope.thresholds, scope.previous, groupings, points=scope.points, grades=grades
    )
    heading, rows = _rows(scope, level, sets["rows"]) if level else ("Pupil", None)
    labels = {s: standing.label(s, scope.school) for s in standing.STATUSES}
    # Every table sorts on its own (its own prefix in the query string) and is a sheet of the XLSX.
    splits = []
    for index, (title, split_rows, gap) in enumerate(queries.splits(sets)):
        table = FiguresTable(
            dress(split_rows, labels, scope.school), heading=title, labels=labels, prefix=f"s{index}-"
        )
        RequestConfig(request, paginate=False).configure(table)
        splits.append((title, table, gap))
    # On screen the trend is a section of its own, loaded after the page (views/trend.py): it counts
    # every grade of the year's points and last year's, several times the page's own. The download and
    # the print hold it.
    trend = trend_table = None
    if holds_trend(request):
        counted = [scope.year] if scope.year is not None else [r.key for r in sets["rows"] if r.graded]
        trend, trend_table = page_trend(request, scope, grades, sets["total"], counted)
    rows_table = None
    if rows is not None:
        rows_table = FiguresTable(
            dress(rows, labels, scope.school), heading=heading, labels=labels, prefix="r-"
        )
        RequestConfig(request, paginate=False).configure(rows_table)
    else:  # a group's pupils, fifty a page (on paper, all of them)
        rows_table = GroupPupilsTable(
            group_pupils(scope.entries, scope.school), school=scope.school, prefix="p-"
        )
        RequestConfig(request, paginate=request.GET.get("print") != "pdf").configure(rows_table)
    name = f"dashboard {scope.term} {' '.join(c for c, _l in scope.crumbs[1:])}"
    if request.GET.get("export") == "csv":
        return download([rows_table], "csv", name)
    if request.GET.get("export") == "xlsx":
        return _xlsx(name, rows_table, splits, trend_table)
    context = {
        "scope": scope,
        "school": scope.school,
        "total": dress(sets["total"], labels, scope.school),
        "heading": heading,
        "rows": rows,
        "rows_table": rows_table,
        "splits": splits,
        "trend": trend,
        "trend_table": trend_table,
        "trend_url": f"{reverse('dashboard_trend')}?{scope.query()}",
        "labels": labels,
        "count_labels": headline_labels(scope.school, scope.thresholds),
        "shows_a8": permissions.can_see_attainment8(request.user)
        and any(y in (10, 11) for y in ([scope.year] if scope.year else scope.years)),
    }
    if request.GET.get("print") == "pdf":
        return pdf_response(request, "tracking/dashboards/dashboard_pdf.html", context, name)
    return render(request, "tracking/dashboards/dashboard.html", context)


def _xlsx(name, rows_table, splits, trend_table):
    """Every table on the page, a sheet each: the drill-down (or the group's pupils), splits, trend."""
    built = [rows_table, *(table for _title, table, _gap in splits), trend_table]
    return download(built, "xlsx", name)


@login_required
def trust(request):
    """The trust's schools side by side, each at its latest uplift, with the dashboard's own figures:
    its year groups, every split and its gaps, and its trend through the year."""
    user = request.user
    permissions.require(permissions.can_see_trust_dashboard(user))
    # On screen each school's trend is a section loaded after the page (views/trend.py); the XLSX and
    # the print hold them.
    headlines = [
        queries.headline(
            school,
            permissions.trust_dashboard_entries(user, school),
            full=True,
            with_trend=holds_trend(request),
        )
        for school in permissions.trust_schools_for(user)
    ]
    # Each school's figures in its own words and colours; the tables' headings, shared by the schools,
    # in Uplift's standard words.
    labels = {s: standing.label(s) for s in standing.STATUSES}
    schools, years, gaps = [], [], []
    by_split = {title: [] for _path, title, _labels, _focus in queries.SPLITS}
    for headline in headlines:
        school = headline.school
        headline.labels = {s: standing.label(s, school) for s in standing.STATUSES}
        headline.count_labels = headline_labels(school, standing.Thresholds.of(school))
        dress(headline.total, headline.labels, school, own_colours=True)
        dress(headline.years, headline.labels, school, own_colours=True)
        headline.total.label = school.name
        schools.append(headline.total)
        for row in headline.years:
            row.label = f"{school.name}: {row.label}"
            years.append(row)
        for title, rows, gap in headline.splits:
            for row in dress(rows, headline.labels, school, own_colours=True):
                row.label = f"{school.name}: {row.label}"
                by_split[title].append(row)
            if gap:
                gaps.append({**gap, "school": school.name, "title": title})
    schools_table = FiguresTable(schools, heading="School", labels=labels, prefix="s-")
    years_table = FiguresTable(years, heading="Year group", labels=labels, prefix="y-")
    # Each gap's schools next to each other.
    titles = list(by_split)
    gaps_table = GapsTable(sorted(gaps, key=lambda gap: titles.index(gap["title"])), prefix="g-")
    split_tables = [
        FiguresTable(rows, heading=title, labels=labels, prefix=f"p{index}-")
        for index, (title, rows) in enumerate(by_split.items())
    ]
    trend_tables = []
    for index, headline in enumerate(headlines):
        if headline.trend is not None:
            table = TrendTable(
                headline.trend, on_label=headline.count_labels["on_target"], prefix=f"t{index}-"
            )
            table.title = f"Trend {headline.school.name}"
            headline.trend_table = table
            trend_tables.append(table)
    built = [schools_table, years_table, gaps_table, *split_tables, *trend_tables]
    for table in built:
        RequestConfig(request, paginate=False).configure(table)
    if request.GET.get("export") == "xlsx":
        return download(built, "xlsx", f"trust {timezone.localdate()}")
    if request.GET.get("export") == "csv":
        # One table in a CSV: each school's row, then its year groups' ("Riverside: Year 11").
        both = FiguresTable(schools + years, heading="School or year group", labels=labels, prefix="b-")
        return download([both], "csv", f"trust {timezone.localdate()}")
    context = {
        "headlines": headlines,
        "schools_table": schools_table,
        "years_table": years_table,
        "gaps_table": gaps_table,
        "split_tables": split_tables,
        "labels": labels,
        "school": permissions.school_for(user),
    }
    if request.GET.get("print") == "pdf":
        return pdf_response(
            request, "tracking/dashboards/trust_pdf.html", context, f"trust {timezone.localdate()}"
        )
    return render(request, "tracking/dashboards/trust.html", context)


VARIATION_GROUPS_PER_PAGE = 50


@login_required
def variation(request):
    """In-school variation: subjects and teaching groups side by side against their own targets."""
    scope = Scope(request)
    labels = {s: standing.label(s, scope.school) for s in standing.STATUSES}
    total = subjects = groups = None
    built = []
    if scope.term is not None:
        total, subjects, groups = queries.variation(
            scope.entries, scope.thresholds, scope.previous, points=scope.points
        )
        dress(total, labels, scope.school)
        # A school has hundreds of groups: the page, and its PDF, show them fifty at a time (the
        # downloads have them all).
        paged = {"per_page": VARIATION_GROUPS_PER_PAGE}
        for prefix, heading, rows, paginate in (
            ("s-", "Subject", subjects, False),
            ("g-", "Teaching group", groups, paged),
        ):
            table = VariationTable(rows, heading=heading, labels=labels, prefix=prefix)
            RequestConfig(request, paginate=paginate).configure(table)
            # Bars for the rows shown: a page of fifty groups, not every group in the school.
            dress([row.record for row in table.paginated_rows], labels, scope.school)
            built.append(table)
    name = f"in-school variation {scope.term} {' '.join(c for c, _l in scope.crumbs[1:2])}" if built else ""
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and built:
        wanted = built[1:] if request.GET.get("table") == "groups" else built
        return download(wanted if fmt == "xlsx" else wanted[:1], fmt, name)
    context = {
        "scope": scope,
        "school": scope.school,
        "total": total,
        "tables": built,
        "labels": labels,
        "outlier_grades": queries.OUTLIER_GRADES,
        "outlier_min": queries.OUTLIER_MIN_GRADES,
        "count_labels": headline_labels(scope.school, scope.thresholds),
    }
    if request.GET.get("print") == "pdf" and scope.term is not None:
        return pdf_response(request, "tracking/dashboards/variation_pdf.html", context, name)
    return render(request, "tracking/dashboards/variation.html", context)


def pdf_response(request, template, context, name):
    """The page as a PDF: the same figures, tables and SVG bars, in the school's colours, and of a long
    table the page on screen (tracking/lib/printed.py)."""
    for table in _tables_in(context):
        printed.for_paper(table)
    pdf = render_pdf(
        template,
        {**context, "printed_at": timezone.now(), "printed_by": request.user},
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _tables_in(context):
    """Every django-tables2 table the context holds: as a value, in a list or tuple, or a trust
    headline's trend."""
    for value in context.values():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            for found in item if isinstance(item, tuple) else [item]:
                if isinstance(found, Table):
                    yield found
                elif isinstance(getattr(found, "trend_table", None), Table):
                    yield found.trend_table
