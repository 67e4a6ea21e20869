import django_tables2 as tables
from django.utils.html import format_html

from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable

from .models import Flag


def point_words(point):
    """The point a flag was raised at, with its year when that was not this one (a pupil in Year 9
    flagged at last summer's Year 8 review reads "Y8 Summer 2, 2025/26")."""
    year = point.academic_year
    return point.name if year.is_current else f"{point.name}, {year.name}"


class FlagTable(PagedTable):
    pupil = tables.Column(order_by=("pupil__legal_last_name", "pupil__legal_first_name"))
    year = tables.Column(
        accessor="pupil__year_group__number", verbose_name="Year", attrs={"td": {"class": "num"}}
    )
    form = tables.Column(accessor="pupil__form__name", verbose_name="Form")
    subject = tables.Column(order_by="subject__name", default="All subjects")
    scope = tables.Column()
    level = tables.Column(attrs={"td": {"class": "num"}})
    reason = tables.Column(orderable=False)
    owner = tables.Column(order_by=("owner__user__last_name",), default="Unassigned")
    status = tables.Column()
    point = tables.Column(
        verbose_name="Raised at", order_by=("point__opens_on",), attrs={"td": {"class": "nowrap"}}
    )

    outcome = tables.Column(verbose_name="Impact", default="–")

    class Meta:
        model = Flag
        fields = (
            "pupil",
            "year",
            "form",
            "subject",
            "scope",
            "level",
            "reason",
            "owner",
            "status",
            "point",
            "outcome",
        )
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No flags match these filters."

    def render_pupil(self, record):
        url = url_for_pk("interventions:flag_detail", record.pk)
        return format_html('<a href="{}">{}</a>', url, record.pupil.sorted_name)

    def render_level(self, value):
        return format_html('<span class="badge level-{}">L{}</span>', value, value)

    def render_status(self, record):
        return format_html(
            '<span class="flag-status flag-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_point(self, record):
        return point_words(record.point)

    def value_point(self, record):
        return point_words(record.point)

    def value_pupil(self, record):
        return record.pupil.sorted_name

    def value_level(self, value):
        return value

    def value_status(self, record):
        return record.get_status_display()
