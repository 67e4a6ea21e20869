import django_tables2 as tables
from django.utils.html import format_html

from tracking.lib.tables import PagedTable
from tracking.models import AuditEvent


def _summary(values):
    return ", ".join(f"{key}: {value}" for key, value in values.items())[:300]


class AuditEventTable(PagedTable):
    at = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i")
    by = tables.Column(verbose_name="Who", order_by=("by__last_name", "by__first_name"), default="—")
    action = tables.Column(verbose_name="Action")
    subject = tables.Column(empty_values=(), orderable=False, verbose_name="About")
    details = tables.Column(empty_values=(), orderable=False, verbose_name="Details")

    class Meta:
        model = AuditEvent
        fields = ("at", "by", "action", "subject", "details", "via")
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No events match these filters."

    def render_by(self, value):
        return value.display_name

    def render_subject(self, record):
        if record.pupil_id:
            return record.pupil.full_name
        if record.object_type:
            return f"{record.object_type.split('.')[-1]} {record.object_id}"
        return record.after.get("username", "—")

    def render_details(self, record):
        before, after = _summary(record.before), _summary(record.after)
        if before:
            return format_html("{} → {}", before, after)
        return after or record.note or "—"

    def value_details(self, record):
        before, after = _summary(record.before), _summary(record.after)
        return f"{before} → {after}" if before else after or record.note or ""
