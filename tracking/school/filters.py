import django_filters
from django import forms
from django.db.models import Q
from django_filters.widgets import BooleanWidget

from tracking.models import FormGroup, Pupil, SenStatus, Subject, TeachingGroup, YearGroup
from tracking.school.queries import year_groups_in_use


class AnyYesNo(BooleanWidget):
    """Yes / no / any (django-filter's default says "Unknown", which reads oddly for a flag)."""

    def __init__(self, attrs=None):
        forms.Select.__init__(self, attrs, choices=(("", "Any"), ("true", "Yes"), ("false", "No")))


class PupilFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or UPN")
    year_group = django_filters.ModelChoiceFilter(queryset=YearGroup.objects.none(), label="Year")
    form = django_filters.ModelChoiceFilter(queryset=FormGroup.objects.none())
    disadvantaged = django_filters.BooleanFilter(label="Disadvantaged", widget=AnyYesNo)
    sen_status = django_filters.ChoiceFilter(choices=SenStatus.choices, label="SEN")
    eal = django_filters.BooleanFilter(label="EAL", widget=AnyYesNo)
    prior_band = django_filters.ChoiceFilter(
        choices=[("low", "Low"), ("middle", "Middle"), ("high", "High")], label="Prior attainment"
    )

    class Meta:
        model = Pupil
        fields = ["q", "year_group", "form", "disadvantaged", "sen_status", "eal", "prior_band"]

    def __init__(self, *args, school_ids=(), forms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year_group"].queryset = year_groups_in_use(school_ids)
        self.filters["form"].queryset = forms if forms is not None else FormGroup.objects.none()

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(legal_first_name__icontains=term)
                | Q(legal_last_name__icontains=term)
                | Q(preferred_first_name__icontains=term)
                | Q(preferred_last_name__icontains=term)
                | Q(upn__iexact=term)
            )
        return queryset


class TeachingGroupFilter(django_filters.FilterSet):
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.none())
    year_group = django_filters.ModelChoiceFilter(queryset=YearGroup.objects.none(), label="Year")

    class Meta:
        model = TeachingGroup
        fields = ["subject", "year_group"]

    def __init__(self, *args, subjects=None, school_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subject"].queryset = subjects if subjects is not None else Subject.objects.none()
        self.filters["year_group"].queryset = year_groups_in_use(school_ids)
