"""The health check's pupil list: a django-tables2 table over grade rows, filtered by django-filter."""

import django_filters
import django_tables2 as tables
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from tracking import standing
from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable
from tracking.models import Gender, GradeEntry, PriorBand, SenStatus, Subject
from tracking.school.filters import AnyYesNo
from tracking.school.tables import pupil_flags, pupil_flags_html
from tracking.templatetags.uplift import standing_html


def health_pupil_rows(cycle, department):
    """Grade rows of the department's subjects at the cycle's points, judged by tracking.standing.

    The points are named by id rather than joined through the cycle, and the table reads no more
    joins than it shows: planning the standing's expressions over every join cost the database more
    than reading the rows.
    """
    points = list(cycle.points.all())
    rows = GradeEntry.objects.filter(
        point_id__in=[p.pk for p in points], subject__department=department
    ).select_related("pupil__year_group", "pupil__form", "subject", "teaching_group")
    return standing.annotate_standing(rows, standing.Thresholds.of(cycle.school), points=points)


class HealthPupilFilter(django_filters.FilterSet):
    STANDING = (
        ("below", "Below expected"),
        ("below_2", "Well below expected"),
        ("below_4", "Below the floor grade"),
        ("missing", "No grade entered"),
    )
    standing = django_filters.ChoiceFilter(choices=STANDING, method="by_standing", label="Standing")
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.none())
    disadvantaged = django_filters.BooleanFilter(
        field_name="pupil__disadvantaged", label="Disadvantaged", widget=AnyYesNo
    )
    sen = django_filters.ChoiceFilter(field_name="pupil__sen_status", choices=SenStatus.choices, label="SEN")
    eal = django_filters.BooleanFilter(field_name="pupil__eal", label="EAL", widget=AnyYesNo)
    gender = django_filters.ChoiceFilter(field_name="pupil__gender", choices=Gender.choices)
    prior = django_filters.ChoiceFilter(
        field_name="pupil__prior_band",
        choices=[(c, label) for c, label in PriorBand.choices if c],
        label="Prior attainment",
    )

    class Meta:
        model = GradeEntry
        fields = ["standing", "subject", "disadvantaged", "sen", "eal", "gender", "prior"]

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subject"].queryset = Subject.objects.filter(department=department)

    def by_standing(self, queryset, name, value):
        if value == "below":
            return queryset.filter(standing__in=standing.BELOW_STATUSES)
        if value == "below_2":
            return queryset.filter(standing=standing.WELL_BELOW)
        if value == "below_4":
            return queryset.filter(below_floor=True)
        if value == "missing":
            return queryset.filter(counting_step__isnull=True)
        return queryset


class HealthPupilTable(PagedTable):
    pupil = tables.Column(order_by=("pupil__legal_last_name", "pupil__legal_first_name"))
    year = tables.Column(accessor="pupil__year_group__number", verbose_name="Year")
    form = tables.Column(accessor="pupil__form__name", verbose_name="Form")
    subject = tables.Column(accessor="subject__name", verbose_name="Subject")
    teaching_group = tables.Column(verbose_name="Group", order_by="teaching_group__name")
    counting_code = tables.Column(verbose_name="Grade", order_by="counting_step")
    target_code = tables.Column(verbose_name="Target", order_by="target_rank")
    expected_step = tables.Column(verbose_name="Expected now", attrs={"td": {"class": "num"}})
    standing = tables.Column(verbose_name="Against expected", order_by="standing_diff", empty_values=())
    flags = tables.Column(empty_values=(), orderable=False, verbose_name="Flags")

    class Meta:
        model = GradeEntry
        fields = ()
        sequence = (
            "pupil",
            "year",
            "form",
            "subject",
            "teaching_group",
            "counting_code",
            "target_code",
            "expected_step",
            "standing",
            "flags",
        )
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No pupils match these filters."

    def __init__(self, *args, book, **kwargs):
        self.book = book
        self._expected = {}  # (scale id, step) -> the grade's code: a page repeats a few dozen pairs
        super().__init__(*args, **kwargs)

    def render_pupil(self, record):
        url = url_for_pk("pupil_detail", record.pupil_id)
        return format_html('<a href="{}">{}</a>', url, record.pupil.sorted_name)

    def render_expected_step(self, record, value):
        key = (record.target_scale, value)
        if key not in self._expected:
            grade = standing.grade_at_step(self.book.values(record.target_scale), value)
            self._expected[key] = grade.code if grade else "—"
        return self._expected[key]

    def render_standing(self, record):
        return standing_html(standing.from_row(record), self.book.school)

    def render_flags(self, record):
        return pupil_flags_html(record.pupil)

    def value_pupil(self, record):
        return record.pupil.sorted_name

    def value_standing(self, record):
        return standing.label(standing.from_row(record).status, self.book.school)

    def value_flags(self, record):
        return ", ".join(short for _, _, short in pupil_flags(record.pupil))


def verification_rows_html(groups, verifying, csrf_input):
    """A verification board department's class rows, as verify.html wrote them with a loop: a school of
    6,000 has some 700 classes at a point, and the template engine's lookups cost more than the board's
    queries. Written with f-strings and escape() (format_html's escaping without its per-call
    formatting). `csrf_input` is the page's CSRF form field (its forms post back to the board)."""
    rows = []
    for group in groups:
        pk, name = int(group.pk), escape(group.name)
        sheet = "Closed"
        if group.open_return:
            resolve = ""
            if verifying:
                resolve = (
                    f'<form method="post">{csrf_input}<input type="hidden" name="action" value="resolve">'
                    f'<input type="hidden" name="sheet" value="{int(group.open_return.pk)}">'
                    '<button type="submit" class="btn btn-small btn-secondary">'
                    "Corrected: close it again</button></form>"
                )
            sheet = (
                f"<strong>Sent back</strong>: {escape(group.open_return.reason)}\n        {resolve}\n        "
            )
        send_back = ""
        if verifying:
            send_back = (
                f'<td>\n        <form method="post" class="cluster">\n          {csrf_input}\n'
                '          <input type="hidden" name="action" value="return">'
                f'<input type="hidden" name="group" value="{pk}">\n'
                f'          <label class="visually-hidden" for="reason-{pk}">'
                f"Reason for sending {name} back</label>\n"
                f'          <input type="text" id="reason-{pk}" name="reason" maxlength="300" '
                'placeholder="Reason" required>\n'
                '          <button type="submit" class="btn btn-small btn-secondary">Send back</button>\n'
                "        </form>\n      </td>"
            )
        teachers = ", ".join(conditional_escape(str(t)) for t in group.teacher_list)
        rows.append(
            f"\n    <tr>\n      <td>{name}</td><td>{escape(group.subject_name)}</td>\n"
            f"      <td>{teachers}</td>\n"
            f'      <td class="num">{int(group.pupil_count)}</td><td class="num">{int(group.entered)}</td>\n'
            f"      <td>{sheet}</td>\n      {send_back}\n    </tr>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text above is escaped; the rest are numbers
