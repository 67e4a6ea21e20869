"""A school's own colours, checked before they reach a stylesheet."""

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def safe_colour(value):
    """The colour if it is a plain #rrggbb, else None: nothing else may reach the CSS."""
    return value if value and _HEX.match(value) else None


def _luminance(colour):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def text_colour_on(colour):
    """White or black text, whichever contrasts more with the background (WCAG formula)."""
    lum = _luminance(colour)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#000000"


def css_for(school):
    """The school's chosen standing colours as CSS custom properties (empty rules for no school)."""
    rules = []
    if school is not None:
        for status in ("above", "on", "below", "well_below"):
            colour = safe_colour(getattr(school, f"colour_{status}"))
            if colour:
                rules.append(f"--status-{status}:{colour};--status-{status}-text:{text_colour_on(colour)};")
    return ":root{" + "".join(rules) + "}"
