import django_filters
from django.db.models import Q
from django_filters.widgets import DateRangeWidget

from tracking.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(method="by_person", label="Person")
    action = django_filters.ChoiceFilter(choices=(), label="Action")
    at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangeWidget(attrs={"type": "date"}))

    class Meta:
        model = AuditEvent
        fields = ["person", "action", "at"]

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = [(a, a) for a in actions]

    def by_person(self, queryset, name, value):
        """Who acted, or whose account an event is about (a failed sign-in has no actor)."""
        scope = Q()
        for term in value.split():
            scope &= (
                Q(by__username__icontains=term)
                | Q(by__first_name__icontains=term)
                | Q(by__last_name__icontains=term)
                | Q(after__username__icontains=term)
            )
        return queryset.filter(scope)
