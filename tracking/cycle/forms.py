"""Forms of the cycle pages."""

from django import forms

from tracking.cycle import services


class CycleDatesForm(forms.Form):
    """A cycle's stage dates. Stages the cycle has entered are shown but cannot be changed."""

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        for stage, name in services.DATE_FIELDS.items():
            happened = services.stage_has_happened(cycle, stage)
            field = forms.DateField(
                label=cycle._meta.get_field(name).verbose_name.capitalize(),
                initial=getattr(cycle, name),
                disabled=happened,
                required=not happened,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text="Already happened: this date stays." if happened else "",
            )
            self.fields[name] = field

    def clean(self):
        data = super().clean()
        if not self.errors:
            for name, message in services.cycle_dates_errors(self.cycle, data).items():
                self.add_error(name, message)
        return data
