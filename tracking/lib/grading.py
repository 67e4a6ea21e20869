"""Grades on a scale: reading what teachers type. How a grade stands is tracking.standing's to say."""

from collections import defaultdict

from tracking.lib.errors import DomainError
from tracking.models import GradeValue, Subject


def normalise(text):
    """'  a* ' -> 'A*'; en/em dashes and the minus sign become '-' (pasted from Word or Excel)."""
    text = (text or "").strip().upper()
    for dash in ("\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    return text.replace(" ", "")


class UnknownGrade(DomainError):
    """Typed text that is no grade on the subject's scale."""

    def __init__(self, text, scale_name, allowed):
        self.text, self.scale_name, self.allowed = text, scale_name, allowed
        message = f"'{text}' is not a grade on the {scale_name} scale. Allowed: {', '.join(allowed)}."
        super().__init__("unknown_grade", message)


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


class SubjectGrades:
    """A school's subjects by code and their scales' grades, loaded once, for reading typed grades in
    import rows against each subject's own scale (one ScaleLookup per scale)."""

    def __init__(self, school):
        self.subjects = {
            s.code.upper(): s for s in Subject.objects.filter(school=school).select_related("scale")
        }
        self._values = defaultdict(list)
        for value in GradeValue.objects.filter(scale__school=school).select_related("scale"):
            self._values[value.scale_id].append(value)
        self._lookups = {}

    def subject(self, code):
        return self.subjects.get(code.strip().upper())

    def grade(self, subject, text, *, blank):
        """(GradeValue or None, problem or None); `blank` is the problem for an empty cell."""
        lookup = self._lookups.get(subject.scale_id)
        if lookup is None:
            lookup = self._lookups[subject.scale_id] = ScaleLookup(
                subject.scale, self._values[subject.scale_id]
            )
        try:
            grade = lookup.parse(text)
        except UnknownGrade as exc:
            return None, str(exc)
        return grade, (blank if grade is None else None)
