from decimal import Decimal, InvalidOperation

from django import forms

MAX_ROWS = 200


class EstimatesForm(forms.Form):
    table = forms.CharField(
        label="Estimates, one band a line: KS2 mean score from, estimated Attainment 8",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text="For example '100.5,46.2'. Paste the DfE's table for your cohort; each pupil takes the "
        "estimate of the band their KS2 mean falls in.",
    )

    def clean_table(self):
        rows, problems, seen = [], [], set()
        lines = self.cleaned_data["table"].splitlines()
        if len(lines) > MAX_ROWS:
            raise forms.ValidationError(f"At most {MAX_ROWS} bands.")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("\t", ",").split(",")]
            try:
                start, estimate = (Decimal(p) for p in parts) if len(parts) == 2 else (None, None)
            except InvalidOperation:
                start = estimate = None
            if start is None or not (Decimal(70) <= start <= Decimal(130)) or not (0 <= estimate <= 90):
                problems.append(
                    f"line {number}: '{line.strip()}' is not 'KS2 score (70–130), estimate (0–90)'"
                )
                continue
            if start in seen:
                problems.append(f"line {number}: the band from {start} is listed twice")
                continue
            seen.add(start)
            rows.append((start.quantize(Decimal("0.1")), estimate.quantize(Decimal("0.01"))))
        if problems:
            raise forms.ValidationError(problems)
        if not rows:
            raise forms.ValidationError("Give at least one band.")
        return sorted(rows)


class BoardSettingsForm(forms.Form):
    shows_pupils = forms.BooleanField(
        label="Name pupils on the Data Board",
        required=False,
        help_text="Off: the screen shows figures only, never a pupil's name. On: it also lists the pupils "
        "with the most grades up since the previous point (first name, surname initial and form).",
    )
