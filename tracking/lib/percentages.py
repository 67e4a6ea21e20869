"""Percentages as people read them, attendance above all: one place of decimals, rounded half up, the
same on every page, PDF and download ("93.1%", "90.0%"; a dash when unknown). Pages use the `percent`
template filter (tracking/templatetags/uplift.py), which asks this."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ONE_PLACE = Decimal("0.1")
UNKNOWN = "—"


def percent_value(value):
    """The figure to one place (Decimal('88.2') from 88.20), or None when unknown: for downloads,
    where a spreadsheet wants a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


def percent(value):
    """ "93.1%" from 93.10 (or "93.1"); the dash when unknown."""
    number = percent_value(value)
    return UNKNOWN if number is None else f"{number:f}%"
