"""Forms for the target pages."""

from django import forms

from tracking.models import CurricularTarget, GradeValue, TargetStatus, YearGroup
from tracking.school.queries import year_groups_in_use
from tracking.targets.fft import FFT_LABELS


class GradeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.code


def _grades(subject):
    return GradeValue.objects.filter(scale_id=subject.scale_id).order_by("-rank")


class GenerateForm(forms.Form):
    year_group = forms.ModelChoiceField(queryset=YearGroup.objects.none(), label="Year group")
    source = forms.ChoiceField(
        choices=(
            ("flightpath", "Flight path from KS2 scaled scores"),
            ("fft", "FFT estimates (CSV or XLSX upload)"),
        ),
        widget=forms.RadioSelect,
        initial="flightpath",
    )
    fft_label = forms.ChoiceField(
        choices=FFT_LABELS, required=False, label="FFT estimate used", initial="FFT20"
    )
    fft_file = forms.FileField(
        required=False,
        label="FFT estimates file (CSV or XLSX)",
        help_text="Columns: UPN, Subject code, Estimate grade. CSV UTF-8 or an Excel workbook, up to 2 MB.",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        years = year_groups_in_use([school.pk])
        field = self.fields["year_group"]
        field.queryset = years
        # Start on a real year (the youngest: the intake that most often needs targets), not a blank.
        field.empty_label = None
        field.initial = years.first()


class ProposeForm(forms.Form):
    grade = GradeChoiceField(queryset=GradeValue.objects.none(), label="Proposed target")
    reason = forms.CharField(max_length=500, required=False, label="Note (optional)")

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = _grades(subject)


class RequestChangeForm(forms.Form):
    grade = GradeChoiceField(queryset=GradeValue.objects.none(), label="Requested target")
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = _grades(subject)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", "Approve the change"), ("reject", "Reject: keep the published target")),
        widget=forms.RadioSelect,
    )
    grade = GradeChoiceField(
        queryset=GradeValue.objects.none(),
        required=False,
        label="Approved grade",
        help_text="Leave as the requested grade unless the team agreed another.",
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, subject, grades=None, **kwargs):
        """`grades`: the subject's scale values already loaded (highest first), for a page that shows
        one unbound form per row; without it the choices are read from the database."""
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        field.queryset = _grades(subject)
        if grades is not None:
            field.choices = [("", field.empty_label), *((g.pk, field.label_from_instance(g)) for g in grades)]


class TargetFilterForm(forms.Form):
    subject = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *TargetStatus.choices], required=False)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "All subjects")] + [(str(s.pk), s.name) for s in subjects]


class FlightPathUploadForm(forms.Form):
    file = forms.FileField(
        label="Flight paths (CSV or XLSX)",
        help_text="Columns: subject, ks2_from, grade. CSV UTF-8 or an Excel workbook, up to 2 MB.",
    )


class CurricularTargetForm(forms.ModelForm):
    class Meta:
        model = CurricularTarget
        fields = ["text", "horizon", "review_on", "share_with_family"]
        labels = {"text": "Target", "review_on": "Review on"}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
            "review_on": forms.DateInput(attrs={"type": "date"}),
        }
