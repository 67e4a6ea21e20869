from django import forms

from tracking.models import AssessmentPoint, Department, GradeScale, HalfTerm, Subject, YearGroup
from tracking.setup.services import HALF_TERMS

YEARS = [(n, f"Year {n}") for n in range(7, 14)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarForm(forms.Form):
    name = forms.RegexField(
        label="Academic year", regex=r"^\d{4}/\d{2}$", help_text="e.g. 2026/27", max_length=9
    )
    starts_on = forms.DateField(label="First day", widget=DATE)
    ends_on = forms.DateField(label="Last day", widget=DATE)
    years = forms.TypedMultipleChoiceField(
        label="Year groups taught",
        choices=YEARS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Year groups can be added later, not taken away.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, name in enumerate(HALF_TERMS, start=1):
            self.fields[f"ht{number}_starts"] = forms.DateField(
                label=f"{name} starts", required=False, widget=DATE
            )
            self.fields[f"ht{number}_ends"] = forms.DateField(
                label=f"{name} ends", required=False, widget=DATE
            )

    def half_term_fields(self):
        return [(self[f"ht{n}_starts"], self[f"ht{n}_ends"]) for n in range(1, len(HALF_TERMS) + 1)]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The last day must be after the first.")
        terms = []
        for number, name in enumerate(HALF_TERMS, start=1):
            first, last = data.get(f"ht{number}_starts"), data.get(f"ht{number}_ends")
            if not first and not last:
                continue
            if not first or not last:
                self.add_error(f"ht{number}_starts", f"Give both dates of {name}, or neither.")
            elif last < first:
                self.add_error(f"ht{number}_ends", f"{name} must end after it starts.")
            elif starts and ends and not (starts <= first and last <= ends):
                self.add_error(f"ht{number}_starts", f"{name} must fall within the academic year.")
            else:
                terms.append((number, first, last))
        data["half_terms"] = terms
        return data


class SubjectForm(forms.ModelForm):
    department_name = forms.CharField(
        label="Department", max_length=100, help_text="An existing department's name, or a new one."
    )

    class Meta:
        model = Subject
        fields = ("name", "code", "qualification", "category", "scale", "ks3_scale")
        help_texts = {"code": "As in your MIS: imports match subjects by it (e.g. MA)."}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        scales = GradeScale.objects.filter(school=school)
        self.fields["scale"].queryset = scales
        self.fields["ks3_scale"].queryset = scales
        if self.instance.pk:
            self.fields["department_name"].initial = self.instance.department.name
        names = Department.objects.filter(school=school).values_list("name", flat=True)
        self.fields["department_name"].help_text += f" Now: {', '.join(names) or 'none yet'}."

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        clash = Subject.objects.filter(school=self.school, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"{clash.first().name} already has the code {code}.")
        return code


class PointForm(forms.ModelForm):
    class Meta:
        model = AssessmentPoint
        fields = (
            "year_group",
            "name",
            "sequence",
            "half_term",
            "opens_on",
            "closes_on",
            "collects_current",
            "collects_predicted",
            "collects_security",
            "collects_effort",
            "collects_comment",
        )
        widgets = {"opens_on": DATE, "closes_on": DATE}
        labels = {"opens_on": "Window opens", "closes_on": "Window closes"}

    def __init__(self, *args, school, academic_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.academic_year = academic_year
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school)
        self.fields["half_term"].queryset = HalfTerm.objects.filter(academic_year=academic_year)

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The window must close on or after the day it opens.")
        year_group, sequence = data.get("year_group"), data.get("sequence")
        if year_group and sequence:
            clash = AssessmentPoint.objects.filter(
                academic_year=self.academic_year, year_group=year_group, sequence=sequence
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "sequence", f"{clash.first().name} is already number {sequence} for {year_group}."
                )
        return data
