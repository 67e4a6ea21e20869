from django import forms


class CtfUploadForm(forms.Form):
    file = forms.FileField(
        label="Common Transfer File (XML)",
        help_text="Exported from your MIS (SIMS, Arbor, Bromcom) or downloaded from the DfE's services. "
        "Nothing is saved until you have seen the dry run and confirmed it.",
    )
