from django import forms

from tracking.models import Pupil, YearGroup

from . import queries
from .models import MentorMeeting


class MentoredYearsForm(forms.Form):
    year_groups = forms.ModelMultipleChoiceField(
        queryset=YearGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Year groups with a mentor",
        error_messages={"required": "Choose at least one year group to mentor."},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_groups"].queryset = YearGroup.objects.filter(school=school).order_by("number")


class _PupilsForm(forms.Form):
    """Pupils ticked in a list: only this school's pupils on roll are valid choices."""

    pupils = forms.ModelMultipleChoiceField(
        queryset=Pupil.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": "Tick at least one pupil.",
            "invalid_choice": "One of the ticked pupils is not on this school's roll.",
            "invalid_pk_value": "One of the ticked pupils is not on this school's roll.",
        },
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = Pupil.objects.filter(school=school, is_active=True).select_related(
            "year_group"
        )


class AssignForm(_PupilsForm):
    mentor = forms.ModelChoiceField(
        queryset=None,
        label="Mentor",
        empty_label="Choose a mentor",
        error_messages={
            "required": "Choose a mentor.",
            "invalid_choice": "That mentor is not a mentor at this school.",
        },
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        self.fields["mentor"].queryset = queries.mentors_for(school)
        self.order_fields(["mentor", "pupils"])


class UnassignForm(_PupilsForm):
    pass


class MeetingForm(forms.ModelForm):
    class Meta:
        model = MentorMeeting
        fields = ["held_on", "kind", "discussed", "targets_agreed", "next_steps", "parents_involved"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "kind": forms.RadioSelect,
            "discussed": forms.Textarea(attrs={"rows": 3}),
            "targets_agreed": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "held_on": {"required": "Give the date of the meeting.", "invalid": "Give the date as a date."},
            "kind": {"required": "Say whether the meeting was formal or informal."},
            "discussed": {"required": "Say what was discussed."},
        }
