import django_filters
from django import forms
from django.db.models import Q

from tracking.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(method="by_person", label="Person")
    action = django_filters.ChoiceFilter(choices=(), label="Action")
    # Two labelled date boxes, not a range widget: each input needs its own label.
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["person", "action", "since", "until"]

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
