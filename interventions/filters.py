import django_filters
from django.db.models import Q

from tracking.models import Staff, Subject, YearGroup
from tracking.school.queries import year_groups_in_use

from .models import Flag, FlagStatus, Outcome, Scope


class FlagFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Pupil")
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices, empty_label="Any status")
    scope = django_filters.ChoiceFilter(choices=Scope.choices, empty_label="Any scope")
    level = django_filters.ChoiceFilter(choices=[(1, "1"), (2, "2"), (3, "3")], empty_label="Any level")
    year_group = django_filters.ModelChoiceFilter(
        field_name="pupil__year_group", queryset=YearGroup.objects.none(), label="Year"
    )
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.none())
    owner = django_filters.ModelChoiceFilter(queryset=Staff.objects.none())
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, empty_label="Any impact", label="Impact")

    class Meta:
        model = Flag
        fields = ["q", "status", "scope", "level", "year_group", "subject", "owner", "outcome"]

    def __init__(self, data=None, *args, school_ids=(), owners=None, **kwargs):
        # "My open flags" by default: a bare visit filters to open.
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = FlagStatus.OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["year_group"].queryset = year_groups_in_use(school_ids)
        self.filters["subject"].queryset = Subject.objects.filter(school_id__in=school_ids)
        if owners is None:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = owners

    def search(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(pupil__legal_first_name__icontains=term)
                | Q(pupil__legal_last_name__icontains=term)
                | Q(pupil__preferred_first_name__icontains=term)
                | Q(pupil__preferred_last_name__icontains=term)
                | Q(pupil__upn__iexact=term)
            )
        return queryset
