"""The security log: the data manager searches who signed in, changed and downloaded what."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from tracking import permissions
from tracking.audit.filters import AuditEventFilter
from tracking.audit.tables import AuditEventTable
from tracking.lib import exports


class SecurityLogView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """Read-only: nothing in Uplift edits or deletes an audit event (the admin shows them read-only)."""

    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    template_name = "tracking/audit/security_log.html"

    def get_queryset(self):
        permissions.require(permissions.can_read_security_log(self.request.user))
        return permissions.audit_events_visible_to(self.request.user).select_related("by", "pupil")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        events = permissions.audit_events_visible_to(self.request.user)
        kwargs["actions"] = events.order_by("action").values_list("action", flat=True).distinct()
        return kwargs

    def render_to_response(self, context, **response_kwargs):
        if fmt := exports.requested(self.request):
            return exports.table_download(self.request, context["table"], fmt, name="security log")
        return super().render_to_response(context, **response_kwargs)


security_log = SecurityLogView.as_view()
