from django import forms

from tracking.models import (
    AssessmentPoint,
    Department,
    GradeScale,
    GradeValue,
    HalfTerm,
    School,
    StaffRole,
    Subject,
    YearGroup,
)
from tracking.school.theme import safe_colour
from tracking.setup.services import HALF_TERMS, SCHOOL_SETTINGS

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


class ScaleForm(forms.Form):
    name = forms.CharField(label="Scale name", max_length=60, help_text="e.g. Music grades")
    code = forms.SlugField(
        label="Short code", max_length=30, help_text="Letters, digits and hyphens, e.g. music"
    )
    grades = forms.CharField(
        label="Grades, highest first",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One grade per line, as teachers type it; other spellings after a comma "
        "(e.g. 'D, Distinction, Dist'). Each line is one whole grade below the one above.",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if GradeScale.objects.filter(school=self.school, code=code).exists():
            raise forms.ValidationError(f"The school already has a scale with the code {code}.")
        return code

    def clean_grades(self):
        grades, seen = [], set()
        for number, line in enumerate(self.cleaned_data["grades"].splitlines(), start=1):
            parts = [p.strip() for p in line.split(",")]
            if not parts[0]:
                continue
            code, aliases = parts[0], ",".join(p for p in parts[1:] if p)
            if len(code) > 10:
                raise forms.ValidationError(
                    f"Line {number}: '{code}' is longer than 10 characters: use a short grade (e.g. D) "
                    "and put other spellings after a comma."
                )
            if len(aliases) > 60:
                raise forms.ValidationError(
                    f"Line {number}: the other spellings are longer than 60 characters."
                )
            if code.upper() in seen:
                raise forms.ValidationError(f"Line {number}: {code} is listed twice.")
            seen.add(code.upper())
            grades.append((code, aliases))
        if len(grades) < 2:
            raise forms.ValidationError("A scale needs at least two grades.")
        return grades


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


COLOUR = forms.TextInput(attrs={"type": "color"})


class SchoolWordsForm(forms.ModelForm):
    """The school's words, colours and thresholds for standings, and its other policy numbers."""

    class Meta:
        model = School
        fields = SCHOOL_SETTINGS
        widgets = {f"colour_{s}": COLOUR for s in ("above", "on", "below", "well_below")}
        labels = {
            "label_above": "Words for above",
            "label_on": "Words for on",
            "label_below": "Words for below",
            "label_well_below": "Words for well below",
            "colour_above": "Colour for above",
            "colour_on": "Colour for on",
            "colour_below": "Colour for below",
            "colour_well_below": "Colour for well below",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = GradeScale.objects.filter(school=self.instance).values_list("code", "name")
        self.fields["floor_scale_code"] = forms.ChoiceField(
            label=self.fields["floor_scale_code"].label,
            choices=[(code, name) for code, name in codes] or [(self.instance.floor_scale_code,) * 2],
            help_text=self.fields["floor_scale_code"].help_text,
        )

    def sections(self):
        """The fields in the groups the page shows them in."""
        statuses = ("above", "on", "below", "well_below")
        return [
            ("Words", [self[f"label_{s}"] for s in statuses]),
            ("Colours", [self[f"colour_{s}"] for s in statuses]),
            (
                "When a grade is above, below or well below",
                [self[n] for n in ("above_by", "below_by", "well_below_by")],
            ),
            ("The floor grade", [self["floor_scale_code"], self["floor_step"]]),
            ("Disadvantage and leavers", [self["fsm_ever_years"], self["retention_years"]]),
        ]

    def clean(self):
        data = super().clean()
        for status in ("above", "on", "below", "well_below"):
            name = f"colour_{status}"
            if name in data and not safe_colour(data[name]):
                self.add_error(name, "Give a colour as # and six hex digits, e.g. #00703c.")
        below, well_below = data.get("below_by"), data.get("well_below_by")
        for name in ("above_by", "below_by"):
            if data.get(name) == 0:
                self.add_error(name, "At least one grade.")
        if below and well_below is not None and well_below <= below:
            self.add_error("well_below_by", "Well below must start further under than below does.")
        return data


class RoleForm(forms.ModelForm):
    """One role for a member of staff, scoped to the school's own departments and year groups."""

    class Meta:
        model = StaffRole
        fields = ("role", "department", "year_group", "key_stage")
        labels = {"key_stage": "Key stage"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(school=school)
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school)
        self.fields["key_stage"] = forms.TypedChoiceField(
            label="Key stage",
            choices=[("", "—"), (3, "Key stage 3"), (4, "Key stage 4"), (5, "Key stage 5")],
            coerce=int,
            empty_value=None,
            required=False,
            help_text=self.fields["key_stage"].help_text,
        )

    def clean(self):
        data = super().clean()
        staff = self.instance.staff
        held = StaffRole.objects.filter(
            staff=staff,
            role=data.get("role"),
            department=data.get("department"),
            year_group=data.get("year_group"),
            key_stage=data.get("key_stage"),
        )
        if data.get("role") and held.exists():
            raise forms.ValidationError(f"{staff} already has this role.")
        return data


class ScaleNameForm(forms.ModelForm):
    class Meta:
        model = GradeScale
        fields = ("name",)
        labels = {"name": "Scale name"}


class GradeValueForm(forms.ModelForm):
    """What may change in a grade already in use: its other spellings and its points. Its code and
    order stay, so every grade entered, target and report keeps its meaning."""

    class Meta:
        model = GradeValue
        fields = ("aliases", "points")
        labels = {"aliases": "Other spellings", "points": "Points"}

    def clean_aliases(self):
        parts = [p.strip() for p in self.cleaned_data["aliases"].split(",")]
        return ",".join(p for p in parts if p)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points is not None and points < 0:
            raise forms.ValidationError("Points cannot be negative.")
        return points


GradeValueFormSet = forms.modelformset_factory(GradeValue, form=GradeValueForm, extra=0)
