from django import forms

NOT_IN_FILE = ""


class CtfUploadForm(forms.Form):
    file = forms.FileField(
        label="Common Transfer File (XML)",
        help_text="Exported from your MIS (SIMS, Arbor, Bromcom) or downloaded from the DfE's services. "
        "Nothing is saved until you have seen the dry run and confirmed it.",
    )


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV or XLSX)",
        help_text="Exported from your MIS or saved from Excel as .xlsx or 'CSV UTF-8'. "
        "Nothing is saved until you have seen the dry run and confirmed it.",
    )

    def __init__(self, *args, importer, **kwargs):
        super().__init__(*args, **kwargs)
        # The importer's choices for this one file: unticked unless the data manager ticks them.
        for name, (label, help_text) in importer.options.items():
            self.fields[name] = forms.BooleanField(label=label, help_text=help_text, required=False)

    def options(self):
        return {name: self.cleaned_data.get(name, False) for name in self.fields if name != "file"}


class ColumnsForm(forms.Form):
    """One choice per field: which of the file's columns fills it (or none)."""

    def __init__(self, *args, columns, header, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [(NOT_IN_FILE, "— not in this file —")] + [(h, h) for h in header if h]
        for column in columns:
            self.fields[column.name] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=column.required,
                initial=initial_mapping.get(column.name, NOT_IN_FILE),
                help_text=column.help,
            )

    def clean(self):
        data = super().clean()
        chosen = [h for h in data.values() if h]
        for header in sorted({h for h in chosen if chosen.count(h) > 1}):
            raise forms.ValidationError(f"The column '{header}' is chosen for more than one field.")
        return data

    def mapping(self):
        return {name: self.cleaned_data.get(name, "") for name in self.fields}
