from django import forms

from tracking.models import AcademicYear, AssessmentPoint, FormGroup, YearGroup
from tracking.school.queries import year_groups_in_use

from .models import Field, Kind
from .services import point_fits


def recent_years(school):
    """This academic year and the one before (end-of-year reports go out after the summer too)."""
    return AcademicYear.objects.filter(school=school).order_by("-starts_on")[:2]


class LayoutForm(forms.Form):
    """The fields one kind of report shows (the data manager's choice)."""

    fields = forms.MultipleChoiceField(
        choices=Field.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Fields on this report",
        error_messages={"required": "Choose at least one field."},
    )


class RunForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, label="Kind of report")
    year_group = forms.ModelChoiceField(queryset=YearGroup.objects.none(), label="Year group")
    form = forms.ModelChoiceField(
        queryset=FormGroup.objects.none(), required=False, label="Form (leave empty for the whole year group)"
    )
    point = forms.ModelChoiceField(queryset=AssessmentPoint.objects.none(), label="Grades from")

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_group"].queryset = year_groups_in_use([school.pk])
        self.fields["form"].queryset = FormGroup.objects.filter(
            school=school, academic_year__is_current=True
        ).order_by("year_group__number", "name")
        self.fields["point"].queryset = (
            AssessmentPoint.objects.filter(school=school, academic_year__in=recent_years(school))
            .select_related("year_group", "academic_year")
            .order_by("-academic_year__starts_on", "year_group__number", "sequence")
        )
        self.fields["point"].label_from_instance = lambda p: f"{p.name} ({p.academic_year.name})"

    def clean(self):
        cleaned = super().clean()
        year, form, point = cleaned.get("year_group"), cleaned.get("form"), cleaned.get("point")
        if year and point and not point_fits(point, year):
            self.add_error("point", f"{point} is not an assessment point of {year} this year or last year.")
        if year and form and form.year_group_id != year.pk:
            self.add_error("form", f"Form {form} is not in {year}.")
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=1200, label="Comment"
    )
