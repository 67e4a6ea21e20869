import django_tables2 as tables
from django.utils.html import format_html

from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable

from .models import Plan


class PlanTable(PagedTable):
    pupil = tables.Column(order_by=("pupil__legal_last_name", "pupil__legal_first_name"))
    form = tables.Column(accessor="pupil__form__name", verbose_name="Form", default="–")
    tier = tables.Column(verbose_name="Plan")
    level = tables.Column(attrs={"td": {"class": "num"}})
    subjects = tables.Column(empty_values=(), orderable=False)
    owner = tables.Column(order_by=("owner__user__last_name",), default="Unassigned")
    review_date = tables.DateColumn(format="j M", verbose_name="Review", default="–")
    on_report = tables.Column(empty_values=(), orderable=False, verbose_name="On report")
    status = tables.Column()

    class Meta:
        model = Plan
        fields = ("pupil", "form", "tier", "level", "subjects", "owner", "review_date", "on_report", "status")
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No plans match these filters."

    def render_pupil(self, record):
        url = url_for_pk("interventions:plan_detail", record.pk)
        return format_html('<a href="{}">{}</a>', url, record.pupil.sorted_name)

    def render_level(self, value):
        return format_html('<span class="badge level-{}">L{}</span>', value, value)

    def render_subjects(self, record):
        return ", ".join(s.name for s in record.subjects.all()) or "All subjects"

    def render_on_report(self, record):
        if not record.on_report_from:
            return "–"
        until = f" to {record.on_report_until:%-d %b}" if record.on_report_until else ""
        return f"From {record.on_report_from:%-d %b}{until}"
