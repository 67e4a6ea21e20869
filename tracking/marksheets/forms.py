"""Reading what a teacher posted on a marksheet (`rows_from_post`, `clean_value`) and the reopen form."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone

from tracking.lib.errors import DomainError
from tracking.lib.grading import UnknownGrade
from tracking.marksheets.windows import COMMENT_MAX, EFFORT, GRADE_FIELDS, SECURITY

# -- reading what was posted ------------------------------------------------------------------------


@dataclass
class RowInput:
    pupil_id: int
    version: int
    values: dict  # field -> typed text
    was: dict  # field -> value shown when the sheet was opened (None if not posted)
    resolutions: dict  # field -> "mine" | "theirs"


def rows_from_post(post, sheet, only=None):
    """The rows in a POST: inputs are named r-<pupil>-<field>, with -version, -was-<field>, -use-<field>."""
    rows = {}
    for pupil in sheet.pupils:
        if only is not None and pupil.pk != only:
            continue
        prefix = f"r-{pupil.pk}-"
        if prefix + "version" not in post:
            continue
        try:
            version = int(post.get(prefix + "version") or 0)
        except ValueError:
            version = -1
        values, was, resolutions = {}, {}, {}
        for name in sheet.fields:
            if prefix + name in post:
                values[name] = post.get(prefix + name)
            if prefix + "was-" + name in post:
                was[name] = post.get(prefix + "was-" + name)
            if post.get(prefix + "use-" + name) == "theirs":
                resolutions[name] = "theirs"
        rows[pupil.pk] = RowInput(pupil.pk, version, values, was, resolutions)
    return rows


def short_hint(message):
    """'“x” is not a grade. Allowed: 9+ … U, e.g. 5, 5-, 4+.' -> 'Allowed: 9+ … U' for the cell itself."""
    if "Allowed:" not in message:
        return message
    return "Allowed:" + message.split("Allowed:", 1)[1].split(", e.g.")[0].rstrip(".")


def _allowed_text(lookup):
    allowed = lookup.allowed
    if len(allowed) > 8:
        middle = allowed[len(allowed) // 2 - 1 : len(allowed) // 2 + 2]
        return f"Allowed: {allowed[0]} … {allowed[-1]}, e.g. {', '.join(middle)}"
    return "Allowed: " + ", ".join(allowed)


def clean_value(lookup, name, text):
    """Typed text -> canonical code ('' for blank), or a DomainError saying what is allowed."""
    text = (text or "").strip()
    if name in GRADE_FIELDS:
        try:
            value = lookup.parse(text)
        except UnknownGrade:
            raise DomainError("invalid", f"“{text}” is not a grade. {_allowed_text(lookup)}.") from None
        return value.code if value else ""
    if name == "security":
        if not text:
            return ""
        try:
            return SECURITY[text.upper()]
        except KeyError:
            raise DomainError("invalid", f"“{text}” is not a security. Allowed: H, M or L.") from None
    if name == "effort":
        if not text:
            return ""
        if text not in EFFORT:
            raise DomainError("invalid", f"“{text}” is not an effort grade. Allowed: 1, 2, 3 or 4.")
        return text
    if len(text) > COMMENT_MAX:
        raise DomainError(
            "invalid", f"Comments are at most {COMMENT_MAX} characters (this one has {len(text)})."
        )
    return " ".join(text.split())


class ReopenForm(forms.Form):
    until = forms.DateField(
        label="Open until (inclusive)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Up to 8 weeks.",
    )
    reason = forms.CharField(max_length=200, help_text="Kept in the audit trail, e.g. “pupil joined late”.")

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until < today:
            raise forms.ValidationError("Choose today or a later date.")
        if (until - today).days > 56:
            raise forms.ValidationError("Reopen for at most 8 weeks at a time.")
        return until


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What needs changing and why, e.g. “two pupils' grades were entered in the wrong columns”.",
    )


class ReopenDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Reopen the sheet"), ("decline", "Decline")])
    until = forms.DateField(
        label="Open until (inclusive)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label="Note for the teacher", max_length=300, required=False)
