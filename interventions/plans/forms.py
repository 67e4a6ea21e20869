from django import forms

from tracking.models import Staff

from .models import ContactHow, Decision, Plan

DATE = {"type": "date"}
LEVELS = [(1, "Level 1"), (2, "Level 2"), (3, "Level 3")]


class PlanForm(forms.ModelForm):
    level = forms.TypedChoiceField(
        choices=LEVELS, coerce=int, help_text="Set by the owning department or role."
    )

    class Meta:
        model = Plan
        fields = [
            "level", "subjects", "reason", "actions", "owner", "review_date", "finished_on",
            "parents_informed_on", "parents_informed_how", "parent_tutorial_on", "on_report_from",
            "on_report_until",
        ]  # fmt: skip
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 4}),
            "subjects": forms.CheckboxSelectMultiple,
            **{
                name: forms.DateInput(attrs=DATE, format="%Y-%m-%d")
                for name in ("review_date", "finished_on", "parents_informed_on", "parent_tutorial_on",
                             "on_report_from", "on_report_until")
            },
        }  # fmt: skip
        help_texts = {
            "parent_tutorial_on": "Level 2 and 3 plans: the date parents come in.",
            "finished_on": "Setting this ends the plan.",
            "on_report_from": "Put on report: the date monitoring started.",
        }

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = subjects
        self.fields["subjects"].required = False
        self.fields["owner"].queryset = Staff.objects.filter(
            school_id=self.instance.school_id
        ).select_related("user")
        self.fields["parents_informed_how"].choices = ContactHow.choices

    def changes(self):
        data = dict(self.cleaned_data)
        subjects = list(data.pop("subjects"))
        return data, subjects


class ReviewForm(forms.Form):
    point = forms.ModelChoiceField(queryset=None, label="After tracking event", empty_label=None)
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points


class TargetGroupForm(forms.Form):
    name = forms.CharField(max_length=80, label="New target group name")
