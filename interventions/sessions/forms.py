from django import forms

from .models import Kind

DATE = {"type": "date"}
TIME = {"type": "time"}


class RequestForm(forms.Form):
    subject = forms.ModelChoiceField(queryset=None)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.AFTER_SCHOOL)
    week_start = forms.DateField(label="Week beginning (Monday)", widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    pupils = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, subjects, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["pupils"].queryset = pupils
        self.fields["pupils"].label_from_instance = lambda p: p.sorted_name

    def clean_week_start(self):
        value = self.cleaned_data["week_start"]
        if value.weekday() != 0:
            raise forms.ValidationError("Choose the Monday the week starts.")
        return value


class SessionForm(forms.Form):
    subject = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any subject")
    kind = forms.ChoiceField(choices=Kind.choices)
    title = forms.CharField(max_length=100, required=False, help_text="Blank: the subject's name.")
    date = forms.DateField(widget=forms.DateInput(attrs=DATE))
    starts_at = forms.TimeField(widget=forms.TimeInput(attrs=TIME))
    ends_at = forms.TimeField(widget=forms.TimeInput(attrs=TIME))
    room = forms.CharField(max_length=40)
    capacity = forms.IntegerField(min_value=1, max_value=200, initial=10)
    leader = forms.ModelChoiceField(queryset=None, required=False)
    advertised = forms.BooleanField(required=False, label="Advertise on the sign-up sheet")

    def __init__(self, *args, subjects, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["leader"].queryset = staff

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The session must end after it starts.")
        return data


class FollowUpForm(forms.Form):
    note = forms.CharField(max_length=300, label="What was done")
