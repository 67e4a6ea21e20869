"""Grades on a scale: reading what teachers type. How a grade stands is tracking.standing's to say."""


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
