from html import escape

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable
from tracking.models import Pupil, TeachingGroup


class PupilTable(PagedTable):
    name = tables.Column(
        accessor="legal_last_name", verbose_name="Pupil", order_by=("legal_last_name", "legal_first_name")
    )
    year_group = tables.Column(verbose_name="Year", order_by="year_group__number")
    form = tables.Column(verbose_name="Form", order_by="form__name")
    flags = tables.Column(empty_values=(), orderable=False, verbose_name="Flags")
    prior_band = tables.Column(verbose_name="Prior attainment")
    attendance = tables.TemplateColumn(
        "{% load uplift %}{{ value|percent }}",
        verbose_name="Attendance",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    class Meta:
        model = Pupil
        fields = ("name", "upn", "year_group", "form", "flags", "prior_band", "attendance")
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No pupils match these filters."

    def render_name(self, record):
        url = url_for_pk("pupil_detail", record.pk)
        return format_html('<a href="{}">{}</a>', url, record.sorted_name)

    def render_year_group(self, value):
        return value.number

    def render_flags(self, record):
        return pupil_flags_html(record)

    def value_name(self, record):
        return record.sorted_name

    def value_year_group(self, value):
        return value.number

    def value_flags(self, record):
        return ", ".join(short for _, _, short in pupil_flags(record))

    def value_attendance(self, value):
        return value


def pupil_flags(pupil):
    """(css class, title, short label) of each of a pupil's flags: SEN or EHCP, PP, EAL, LAC."""
    badges = []
    if pupil.sen_status != "N":
        badges.append(
            ("badge-sen", pupil.get_sen_status_display(), "SEN" if pupil.sen_status == "K" else "EHCP")
        )
    if pupil.disadvantaged:
        badges.append(("badge-pp", "Disadvantaged / pupil premium", "PP"))
    if pupil.eal:
        badges.append(("badge-eal", "English as an additional language", "EAL"))
    if pupil.looked_after:
        badges.append(("badge-lac", "Looked after", "LAC"))
    return badges


def pupil_flags_html(pupil):
    # Joined here rather than by format_html_join (the same escaping): lists and grids call it per row.
    return mark_safe(
        " ".join(
            f'<span class="badge {escape(css)}" title="{escape(str(title))}">{escape(short)}</span>'
            for css, title, short in pupil_flags(pupil)
        )
    )


class TeachingGroupTable(PagedTable):
    name = tables.Column(linkify=lambda record: url_for_pk("group_detail", record.pk))
    subject = tables.Column(order_by="subject__name")
    year_group = tables.Column(verbose_name="Year", order_by="year_group__number")
    teachers = tables.Column(empty_values=(), orderable=False)
    pupil_count = tables.Column(verbose_name="Pupils", attrs={"td": {"class": "num"}})

    class Meta:
        model = TeachingGroup
        fields = ("name", "subject", "year_group", "teachers", "pupil_count")
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No teaching groups match these filters."

    def render_year_group(self, value):
        return value.number

    def render_teachers(self, record):
        return ", ".join(str(t) for t in record.teachers.all())

    def value_name(self, value):
        return value

    def value_subject(self, value):
        return str(value)

    def value_year_group(self, value):
        return value.number
