import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from tracking.lib.tables import PagedTable
from tracking.models import Staff


class StaffTable(PagedTable):
    name = tables.Column(
        verbose_name="Name", accessor="user__last_name", order_by=("user__last_name", "user__first_name")
    )
    code = tables.Column(verbose_name="Staff code")
    email = tables.Column(verbose_name="Email", accessor="user__email")
    roles = tables.Column(verbose_name="Roles", empty_values=(), orderable=False)

    class Meta:
        model = Staff
        fields = ("name", "code", "email", "roles")
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No staff match."

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', reverse("setup_staff_member", args=[record.pk]), record)

    def value_name(self, record):
        return str(record)

    def render_roles(self, record):
        return ", ".join(str(role) for role in record.roles.all()) or "—"

    value_roles = render_roles
