from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from tracking.lib.grading import progress_label

register = template.Library()


@register.inclusion_tag("_progress.html")
def progress_badge(progress, school):
    """A traffic light in the school's own words, with a shape and text as well as colour."""
    return {
        "status": progress.status,
        "diff": progress.diff,
        "label": "No target set" if progress.no_target else progress_label(progress.status, school),
    }


@register.filter
def percent(value):
    """A percentage such as attendance, shown one way everywhere: 93.1%, 100%, — when unknown."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return "—"
    text = f"{number:f}".removesuffix(".0")
    return f"{text}%"
