from django import forms

from ..models import ActionOwner, ActionStatus

DATE = {"type": "date"}


class WindowDatesForm(forms.Form):
    opens_on = forms.DateField(
        label="Opens on",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "Give the day it opens.", "invalid": "Give the opening day as a date."},
    )
    closes_on = forms.DateField(
        label="Closes after",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "Give the last day.", "invalid": "Give the last day as a date."},
    )


class ActionForm(forms.Form):
    text = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what will be done."},
    )
    owner = forms.ChoiceField(
        label="Owner",
        error_messages={
            "required": "Choose who owns the action.",
            "invalid_choice": "Choose one of the owners listed.",
        },
    )
    due_on = forms.DateField(
        label="Due by",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "Give a due date.", "invalid": "Give the due date as a date."},
    )

    def __init__(self, *args, owners, **kwargs):
        """owners: [(kind, staff, label)] — the head of department, the mentor and SLT members."""
        super().__init__(*args, **kwargs)
        self.owners = {f"{kind}:{staff.pk}": (kind, staff) for kind, staff, _ in owners}
        self.fields["owner"].choices = [("", "Choose an owner")] + [
            (f"{kind}:{staff.pk}", label) for kind, staff, label in owners
        ]

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        if value not in self.owners:
            raise forms.ValidationError("Choose one of the owners listed.")
        return self.owners[value]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, label="Status")


class BreakfastForm(forms.Form):
    feedback = forms.CharField(
        label="Your feedback at the Mentoring RAG Breakfast",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Write the feedback you gave at the breakfast."},
    )
    further_actions = forms.CharField(
        label="Further actions you ask of SLT",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


OWNER_WORDS = dict(ActionOwner.choices)
