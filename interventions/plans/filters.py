import django_filters
from django.db.models import Q

from tracking import permissions
from tracking.models import FormGroup

from .models import PlanStatus, Tier

LEVELS = [(1, "Level 1"), (2, "Level 2"), (3, "Level 3")]


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Pupil")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, empty_label="Any status")
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label="Plan", empty_label="Every plan")
    level = django_filters.ChoiceFilter(choices=LEVELS, empty_label="Any level")
    form = django_filters.ModelChoiceFilter(
        field_name="pupil__form", queryset=FormGroup.objects.none(), empty_label="Every form"
    )
    on_report = django_filters.ChoiceFilter(
        choices=[("yes", "On report"), ("no", "Not on report")],
        method="reported",
        label="On report",
        empty_label="Either",
    )
    mine = django_filters.ChoiceFilter(
        choices=[("yes", "Mine only")], method="owned", label="Whose", empty_label="Every plan I may see"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["form"].queryset = permissions.forms_visible_to(user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(pupil__legal_last_name__icontains=value)
            | Q(pupil__legal_first_name__icontains=value)
            | Q(pupil__preferred_first_name__icontains=value)
            | Q(pupil__upn__iexact=value)
        )

    def reported(self, queryset, name, value):
        if value not in ("yes", "no"):
            return queryset
        return queryset.filter(on_report_from__isnull=value == "no")

    def owned(self, queryset, name, value):
        if value != "yes":
            return queryset
        return queryset.filter(Q(owner__user=self.user) | Q(created_by=self.user))
