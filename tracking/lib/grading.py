"""Grades on a scale: reading what teachers type, and comparing a grade with a target."""

from dataclasses import dataclass

ABOVE, ON, BELOW, WELL_BELOW, NONE = "above", "on", "below", "well_below", "none"


def normalise(text):
    """'  a* ' -> 'A*'; en/em dashes and the minus sign become '-' (pasted from Word or Excel)."""
    text = (text or "").strip().upper()
    for dash in ("\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    return text.replace(" ", "")


class UnknownGrade(ValueError):
    def __init__(self, text, scale_name, allowed):
        self.text, self.scale_name, self.allowed = text, scale_name, allowed
        super().__init__(f"'{text}' is not a grade on the {scale_name} scale. Allowed: {', '.join(allowed)}.")


class ScaleLookup:
    """Reads typed grades against one scale's values (already fetched)."""

    def __init__(self, scale, values):
        self.scale = scale
        self.values = sorted(values, key=lambda v: -v.rank)
        self.by_key = {}
        for value in self.values:
            self.by_key[normalise(value.code)] = value
            for alias in value.aliases.split(","):
                if alias.strip():
                    self.by_key.setdefault(normalise(alias), value)

    @property
    def allowed(self):
        return [v.code for v in self.values]

    def parse(self, text):
        """The GradeValue for typed text; None for a blank; UnknownGrade for anything else."""
        key = normalise(text)
        if not key:
            return None
        try:
            return self.by_key[key]
        except KeyError:
            raise UnknownGrade(text.strip(), self.scale.name, self.allowed) from None

    def by_id(self, pk):
        for value in self.values:
            if value.pk == pk:
                return value
        return None


@dataclass(frozen=True)
class Progress:
    status: str
    diff: int | None
    no_target: bool = False  # status NONE because there is a grade but no target to compare it with

    @property
    def is_below(self):
        return self.status in (BELOW, WELL_BELOW)


def progress(grade, target, well_below_at=2):
    """How a grade stands against a target, in whole grades (steps), e.g. Progress('below', -1)."""
    if grade is None or target is None:
        return Progress(NONE, None, no_target=grade is not None and target is None)
    diff = grade.step - target.step
    if diff > 0:
        return Progress(ABOVE, diff)
    if diff == 0:
        return Progress(ON, 0)
    if diff <= -well_below_at:
        return Progress(WELL_BELOW, diff)
    return Progress(BELOW, diff)


def progress_label(status, school):
    """The school's chosen words for a status (schools choose them: see School.label_*)."""
    if status == NONE or school is None:
        return {
            ABOVE: "Above target",
            ON: "On target",
            BELOW: "Below target",
            WELL_BELOW: "Well below target",
        }.get(status, "No grade yet")
    return getattr(school, f"label_{status}")
