from django import forms

from tracking.models import Pupil, YearGroup
from tracking.school.queries import year_groups_in_use

from . import queries
from .models import MeetingKind, MentoringSlip, MentorMeeting, SlipKind


class MentoredYearsForm(forms.Form):
    year_groups = forms.ModelMultipleChoiceField(
        queryset=YearGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Year groups with a mentor",
        error_messages={"required": "Choose at least one year group to mentor."},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_groups"].queryset = year_groups_in_use([school.pk])


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
    kind = forms.ChoiceField(
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the meeting was formal or informal."},
    )

    slips = forms.ModelMultipleChoiceField(
        queryset=MentoringSlip.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Slips talked through in this meeting",
    )

    def __init__(self, *args, open_slips=None, **kwargs):
        super().__init__(*args, **kwargs)
        if open_slips is None or not open_slips.exists():
            del self.fields["slips"]
        else:
            self.fields["slips"].queryset = open_slips
            self.fields["slips"].label_from_instance = lambda s: (
                f"{s.get_kind_display()}, {s.subject.name}, from {s.sent_by} on {s.sent_at:%d %b}: "
                f"{s.message[:80]}"
            )

    class Meta:
        model = MentorMeeting
        fields = ["held_on", "kind", "discussed", "targets_agreed", "next_steps", "parents_involved"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "discussed": forms.Textarea(attrs={"rows": 3}),
            "targets_agreed": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "held_on": {"required": "Give the date of the meeting.", "invalid": "Give the date as a date."},
            "discussed": {"required": "Say what was discussed."},
        }


class SlipForm(forms.Form):
    subject = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose the subject.", "invalid_choice": "Choose one of your subjects."},
    )
    kind = forms.ChoiceField(
        choices=SlipKind.choices,
        widget=forms.RadioSelect,
        label="Positive or a concern",
        error_messages={"required": "Say whether it is positive or a concern."},
    )
    message = forms.CharField(
        label="What the mentor should know",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what the mentor should know."},
    )
    to_improve = forms.CharField(
        label="Targets for improvement",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects

    def clean(self):
        data = super().clean()
        if data.get("kind") == SlipKind.CONCERN and not (data.get("to_improve") or "").strip():
            self.add_error("to_improve", "Give at least one target for improvement with a concern.")
        return data
