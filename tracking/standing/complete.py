"""Whether a grade row, and so a sheet, is complete: every field its point collects but the comment."""

from django.db.models import Q

from .counting import CURRENT, PREDICTED

# Fields a row may collect, in marksheet order; all but the comment must be filled to be complete.
ROW_FIELDS = ("current", "predicted", "security", "effort", "comment")


def required_fields(point):
    """Fields a row needs before it counts as complete: everything the point collects but the comment."""
    return [name for name in ROW_FIELDS if name != "comment" and getattr(point, f"collects_{name}")]


def _filled(value):
    return value not in (None, "")


def row_complete(point, entry):
    """True when a grade entry (or None) has every field its point requires."""
    if entry is None:
        return False
    attrs = {CURRENT: "current_id", PREDICTED: "predicted_id"}
    return all(_filled(getattr(entry, attrs.get(name, name))) for name in required_fields(point))


def filled_q(prefix=""):
    """{field: Q that the field is filled} on GradeEntry rows (reached through `prefix`)."""
    return {
        "current": Q(**{f"{prefix}current__isnull": False}),
        "predicted": Q(**{f"{prefix}predicted__isnull": False}),
        "security": ~Q(**{f"{prefix}security": ""}),
        "effort": Q(**{f"{prefix}effort__isnull": False}),
    }


def complete_q(prefix=""):
    """Q for a complete GradeEntry (reached through `prefix`, e.g. "pupil__grades__")."""
    complete = Q()
    for name, filled in filled_q(prefix).items():
        complete &= Q(**{f"{prefix}point__collects_{name}": False}) | filled
    return complete
