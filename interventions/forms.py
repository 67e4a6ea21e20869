from django import forms

from tracking.models import AssessmentPoint, GradeValue

from .models import GRADE_KINDS, FlagStatus, Kind, RulePreset, Scope
from .rules import check_template, format_bands, parse_bands

LEVELS = [(1, "Level 1"), (2, "Level 2"), (3, "Level 3")]


class ManualFlagForm(forms.Form):
    scope = forms.ChoiceField(
        choices=Scope.choices,
        help_text="Subject flags go to the head of department, key-stage flags to the key-stage "
        "coordinator or head of year, form-tutor flags to the form tutor.",
    )
    subject = forms.ModelChoiceField(queryset=None, required=False, help_text="Needed for a subject flag.")
    level = forms.TypedChoiceField(choices=LEVELS, coerce=int, initial=1)
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. Feared to slip: missed homework",
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects

    def clean(self):
        data = super().clean()
        if data.get("scope") == Scope.SUBJECT and not data.get("subject"):
            self.add_error("subject", "Choose the subject this flag is about.")
        return data


class ActionForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=LEVELS,
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Yours to decide: the rule only suggests it. Re-running the rules keeps your choice.",
    )
    action_text = forms.CharField(
        label="Action taken", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    action_due = forms.DateField(
        label="Due by", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(choices=FlagStatus.choices)

    def clean(self):
        data = super().clean()
        closing = data.get("status") in (FlagStatus.ACTIONED, FlagStatus.CLOSED)
        if closing and not data.get("action_text") and not self.initial.get("action_text"):
            self.add_error("action_text", "Say what was done before marking the flag actioned or closed.")
        return data


class PresetForm(forms.Form):
    preset = forms.ModelChoiceField(
        queryset=RulePreset.objects.none(), empty_label=None, label="Active preset"
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].queryset = RulePreset.objects.filter(school=school)


class RunRulesForm(forms.Form):
    point = forms.ModelChoiceField(
        queryset=AssessmentPoint.objects.none(),
        label="Run the rules now for",
        empty_label="Choose an assessment point",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = (
            AssessmentPoint.objects.filter(school=school, academic_year__is_current=True)
            .select_related("year_group", "school")
            .order_by("year_group__number", "sequence")
        )


class RuleForm(forms.Form):
    """Thresholds of one rule. Grade thresholds are typed as scale:grade pairs, bands as count:level."""

    name = forms.CharField(max_length=100)
    n = forms.IntegerField(
        label="N", min_value=1, max_value=20, help_text="Grades below target, or number of subjects."
    )
    grades_below = forms.IntegerField(
        label="Grades below",
        min_value=1,
        max_value=9,
        help_text="How far below target a subject must be to count: 1 counts every subject below.",
    )
    level = forms.TypedChoiceField(choices=LEVELS, coerce=int)
    grade_thresholds = forms.CharField(
        required=False,
        label="Grade thresholds",
        help_text="Scale code and grade, comma-separated: gcse:4, ten:5, alevel:E. Below that grade counts.",
    )
    bands = forms.CharField(
        required=False,
        label="Level bands",
        help_text="Subjects off target and the level: 1:1, 2-3:2, 4+:3.",
    )
    reason_template = forms.CharField(
        max_length=200,
        label="Reason",
        help_text="Placeholders: {subject} {grade} {target} {diff} {threshold} {count} {subjects} {n} "
        "{grades}.",
    )
    ks3 = forms.BooleanField(required=False, label="Applies in KS3")
    ks4 = forms.BooleanField(required=False, label="Applies in KS4")
    ks5 = forms.BooleanField(required=False, label="Applies in KS5")
    is_active = forms.BooleanField(required=False, label="Rule is on")

    def __init__(self, *args, rule, **kwargs):
        self.rule = rule
        kwargs.setdefault(
            "initial",
            {
                "name": rule.name,
                "n": rule.n,
                "grades_below": rule.grades_below,
                "level": rule.level,
                "grade_thresholds": ", ".join(f"{s}:{c}" for s, c in rule.grade_thresholds.items()),
                "bands": format_bands(rule.bands),
                "reason_template": rule.reason_template,
                "ks3": rule.ks3,
                "ks4": rule.ks4,
                "ks5": rule.ks5,
                "is_active": rule.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        if rule.kind != Kind.COUNT_BELOW_TARGET:
            del self.fields["grades_below"]
        if rule.kind not in GRADE_KINDS:
            del self.fields["grade_thresholds"]
        if rule.kind != Kind.OFF_TARGET_BANDS:
            del self.fields["bands"]
        else:
            del self.fields["level"]
            del self.fields["n"]

    def clean_grade_thresholds(self):
        text = self.cleaned_data["grade_thresholds"]
        codes = {}
        for part in [p.strip() for p in text.split(",") if p.strip()]:
            scale, _, grade = (s.strip() for s in part.partition(":"))
            if not scale or not grade:
                raise forms.ValidationError(f"'{part}' is not scale:grade, e.g. gcse:4")
            codes[scale.lower()] = grade.upper()
        if not codes:
            raise forms.ValidationError("Give at least one grade, e.g. gcse:4")
        school_id = self.rule.preset.school_id
        known = set(
            GradeValue.objects.filter(scale__school_id=school_id, scale__code__in=codes).values_list(
                "scale__code", "code"
            )
        )
        bad = [f"{s}:{c}" for s, c in codes.items() if (s, c) not in known]
        if bad:
            raise forms.ValidationError(f"Not a grade on that scale: {', '.join(bad)}.")
        return codes

    def clean_bands(self):
        try:
            bands = parse_bands(self.cleaned_data["bands"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if not bands:
            raise forms.ValidationError("Give at least one band, e.g. 1:1")
        return [list(b) for b in bands]

    def clean_reason_template(self):
        text = self.cleaned_data["reason_template"]
        try:
            check_template(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def clean(self):
        data = super().clean()
        if not (data.get("ks3") or data.get("ks4") or data.get("ks5")):
            raise forms.ValidationError("A rule must apply in at least one key stage.")
        return data

    def changes(self):
        return {k: v for k, v in self.cleaned_data.items() if k in self.fields}
