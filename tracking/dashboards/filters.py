"""Which pupils the dashboards count: a cohort picked by pupil characteristics (django-filter).

The filter narrows the grade rows the dashboard's scope allows; it never widens them. Its values ride
along in every drill-down link so a leader looking at disadvantaged boys stays with them.
"""

import django_filters

from tracking.lib import printed
from tracking.models import GradeEntry, SenStatus
from tracking.models.people import Gender
from tracking.school.filters import AnyYesNo


class CohortFilter(django_filters.FilterSet):
    disadvantaged = django_filters.BooleanFilter(
        field_name="pupil__disadvantaged", label="Disadvantaged", widget=AnyYesNo
    )
    sen = django_filters.ChoiceFilter(
        field_name="pupil__sen_status", choices=SenStatus.choices, label="SEN", empty_label="Any"
    )
    eal = django_filters.BooleanFilter(field_name="pupil__eal", label="EAL", widget=AnyYesNo)
    gender = django_filters.ChoiceFilter(
        field_name="pupil__gender", choices=Gender.choices, label="Gender", empty_label="Any"
    )
    prior = django_filters.ChoiceFilter(
        field_name="pupil__prior_band",
        choices=[("low", "Low"), ("middle", "Middle"), ("high", "High")],
        label="Prior attainment",
        empty_label="Any",
    )
    looked_after = django_filters.BooleanFilter(
        field_name="pupil__looked_after", label="Looked after", widget=AnyYesNo
    )

    class Meta:
        model = GradeEntry
        fields = ["disadvantaged", "sen", "eal", "gender", "prior", "looked_after"]

    def params(self):
        """The chosen values, valid ones only, as query-string pairs for links."""
        if not self.is_bound or not self.is_valid():
            return {}
        out = {}
        for name, value in self.form.cleaned_data.items():
            if value not in (None, ""):
                out[name] = "true" if value is True else "false" if value is False else value
        return out

    def described(self):
        """The chosen values in words, for a printed page ("Disadvantaged: yes · Gender: Female")."""
        return printed.filters_described(self)
