from decimal import Decimal, InvalidOperation

from django import forms

MAX_ROWS = 200


# Optional columns after the A8 estimate: each element's estimate and the most it can be (9 a slot).
ELEMENT_COLUMNS = (("English", 18), ("maths", 18), ("EBacc", 27), ("open", 27))


def _number(text):
    """A finite Decimal, or None ('NaN' and 'Infinity' parse as Decimals but are no estimate)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class EstimatesForm(forms.Form):
    table = forms.CharField(
        label="Estimates, one band a line: KS2 mean score from, estimated Attainment 8, and optionally the "
        "English, maths, EBacc and open element estimates",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text="For example '100.5,46.2' or, with the elements, '100.5,46.2,10.1,9.3,13.2,13.6'. "
        "Paste the DfE's table for your cohort; each pupil takes the estimates of the band their KS2 mean "
        "falls in. Without element estimates there is no element Progress 8.",
    )

    def clean_table(self):
        """[(KS2 from, A8 estimate, English, maths, EBacc, open)], the elements None where not given.
        Every bad line is named; one bad line saves nothing."""
        rows, problems, seen = [], [], set()
        lines = self.cleaned_data["table"].splitlines()
        if len(lines) > MAX_ROWS:
            raise forms.ValidationError(f"At most {MAX_ROWS} bands.")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row, problem = _band(line)
            if problem is not None:
                problems.append(f"line {number}: '{line.strip()}' {problem}")
                continue
            if row[0] in seen:
                problems.append(f"line {number}: the band from {row[0]} is listed twice")
                continue
            seen.add(row[0])
            rows.append(row)
        if problems:
            raise forms.ValidationError(problems)
        if not rows:
            raise forms.ValidationError("Give at least one band.")
        return sorted(rows)


def _band(line):
    """(row, None) for a good line, (None, what is wrong) for a bad one."""
    parts = [p.strip() for p in line.replace("\t", ",").split(",")]
    if len(parts) not in (2, 2 + len(ELEMENT_COLUMNS)):
        return None, (
            f"has {len(parts)} values: give 2 (KS2 score, A8 estimate) or 6 (then the English, maths, "
            "EBacc and open estimates)"
        )
    start, estimate = _number(parts[0]), _number(parts[1])
    if start is None or estimate is None or not (70 <= start <= 130) or not (0 <= estimate <= 90):
        return None, "is not 'KS2 score (70–130), estimate (0–90)'"
    elements = []
    for text, (name, most) in zip(parts[2:], ELEMENT_COLUMNS, strict=False):
        if text == "":
            elements.append(None)  # this band has no estimate for the element
            continue
        value = _number(text)
        if value is None or not 0 <= value <= most:
            return None, f"has the {name} estimate '{text}', which is not a number from 0 to {most}"
        elements.append(value.quantize(Decimal("0.01")))
    elements += [None] * (len(ELEMENT_COLUMNS) - len(elements))
    return (start.quantize(Decimal("0.1")), estimate.quantize(Decimal("0.01")), *elements), None


class BoardSettingsForm(forms.Form):
    shows_pupils = forms.BooleanField(
        label="Name pupils on the Data Board",
        required=False,
        help_text="Off: the screen shows figures only, never a pupil's name. On: it also lists the pupils "
        "with the most grades up since the previous point (first name, surname initial and form).",
    )
