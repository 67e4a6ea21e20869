"""Attainment 8 and Progress 8, the DfE's way (see shared reference: slots, weighting, EBacc and open).

Pure functions on plain values, so the dashboards, the A8 command and the tests share one calculation.
The slot layout is data (`SlotTemplate`): a change of DfE rules is a new template, not new code.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from operator import attrgetter

ENGLISH_LANGUAGE = "english_language"
ENGLISH_LITERATURE = "english_literature"
MATHS = "maths"
SCIENCE = "science"
COMBINED_SCIENCE = "combined_science"
COMPUTER_SCIENCE = "computer_science"
HISTORY = "history"
GEOGRAPHY = "geography"
LANGUAGE = "language"
OTHER = "other"
CATEGORIES = (
    ENGLISH_LANGUAGE,
    ENGLISH_LITERATURE,
    MATHS,
    SCIENCE,
    COMBINED_SCIENCE,
    COMPUTER_SCIENCE,
    HISTORY,
    GEOGRAPHY,
    LANGUAGE,
    OTHER,
)
ENGLISH = (ENGLISH_LANGUAGE, ENGLISH_LITERATURE)

# Points for legacy letter grades (2017 onwards), for schools that import history.
LEGACY_POINTS = {"A*": 8.5, "A": 7.0, "B": 5.5, "C": 4.0, "D": 3.0, "E": 2.0, "F": 1.5, "G": 1.0}
MAX_POINTS = 9.0


class A8Error(ValueError):
    """A result that cannot be scored; the message names the result."""


@dataclass(frozen=True)
class SlotTemplate:
    """How many slots each element has and which categories may fill the EBacc element."""

    name: str
    maths_weight: int = 2
    english_weight_with_both: int = 2
    ebacc_slots: int = 3
    open_slots: int = 3
    ebacc_categories: frozenset = frozenset(
        {SCIENCE, COMBINED_SCIENCE, COMPUTER_SCIENCE, HISTORY, GEOGRAPHY, LANGUAGE}
    )

    def element_slots(self, element):
        """How many slots an element has: its Progress 8 is per slot, as the DfE reports element scores."""
        return {
            "english": self.english_weight_with_both,
            "maths": self.maths_weight,
            "ebacc": self.ebacc_slots,
            "open": self.open_slots,
        }[element]

    @property
    def max_score(self):
        return MAX_POINTS * (
            self.maths_weight + self.english_weight_with_both + self.ebacc_slots + self.open_slots
        )


DFE_2017 = SlotTemplate(name="DfE 2017 (ten slots)")
# The four elements, in the order the pages show them (Breakdown's attributes of the same names).
ELEMENTS = ("english", "maths", "ebacc", "open")


@dataclass(frozen=True)
class Entry:
    """One qualification's contribution: combined science gives two entries."""

    subject: str
    category: str
    points: float


@dataclass(frozen=True)
class Breakdown:
    attainment8: float
    english: float
    maths: float
    ebacc: float
    open: float
    english_double_weighted: bool
    slots: tuple = field(default=())  # (element, subject, points) for each filled slot, in slot order

    def progress8(self, estimated_a8):
        """(A8 - estimate) / 10 to two places; None without an estimate."""
        if estimated_a8 is None:
            return None
        return _round((Decimal(str(self.attainment8)) - Decimal(str(estimated_a8))) / 10, "0.01")

    def element_progress8(self, element, estimate, template=DFE_2017):
        """An element's Progress 8: (element score - element estimate) / the element's slots (2 for English
        and maths, 3 for EBacc and open), to two places; None without an estimate. Ten slots in all, so
        Progress 8 is the slot-weighted mean of the four element scores."""
        if estimate is None:
            return None
        difference = Decimal(str(getattr(self, element))) - Decimal(str(estimate))
        return _round(difference / template.element_slots(element), "0.01")


_points = attrgetter("points")


@lru_cache(maxsize=4096)  # a few hundred distinct scores, rounded thousands of times on a big school
def _round(value, places):
    # + 0.0: a difference that rounds to nothing from below reads 0.0, not -0.0
    return float(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)) + 0.0


def grade_points(grade):
    """Points for a single GCSE grade ('9'..'1', 'U', or a legacy letter grade)."""
    text = str(grade).strip().upper()
    if text == "U":
        return 0.0
    if text.isdigit() and 1 <= int(text) <= 9:
        return float(text)
    if text in LEGACY_POINTS:
        return LEGACY_POINTS[text]
    raise A8Error(f"'{grade}' is not a GCSE grade (9 to 1, U, or a legacy letter grade)")


def combined_science_points(grade):
    """'6-5' -> 5.5, the value of each of combined science's two entries; 'U' -> 0."""
    text = str(grade).strip().upper().replace("\u2013", "-").replace("/", "-")
    if text in ("U", "U-U"):
        return 0.0
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() and 1 <= int(p) <= 9 for p in parts):
        high, low = int(parts[0]), int(parts[1])
        if 0 <= high - low <= 1:
            return (high + low) / 2
    raise A8Error(f"'{grade}' is not a combined science grade (such as 9-9, 6-5 or 1-1, or U)")


def entries_for(subject, category, grade=None, points=None):
    """The entries one result gives; explicit points (technical awards) win over a grade."""
    if category not in CATEGORIES:
        raise A8Error(f"unknown category '{category}' (one of {', '.join(CATEGORIES)})")
    if points is not None:
        try:
            value = float(points)
        except (TypeError, ValueError):
            raise A8Error(f"points '{points}' is not a number") from None
        if not 0 <= value <= MAX_POINTS:
            raise A8Error(f"points {value:g} is outside 0 to {MAX_POINTS:g}")
        if category == COMBINED_SCIENCE:
            return [Entry(subject, category, value), Entry(subject, category, value)]
        return [Entry(subject, category, value)]
    if grade is None or str(grade).strip() == "":
        raise A8Error("has neither a grade nor points")
    if category == COMBINED_SCIENCE:
        value = combined_science_points(grade)
        return [Entry(subject, category, value), Entry(subject, category, value)]
    return [Entry(subject, category, grade_points(grade))]


def attainment8(entries, template=DFE_2017):
    """Fill the slots from a pupil's entries and total them (the sum, not divided by anything)."""
    # Best first; equal points keep their order. Two passes over a list of ten or so (a big school's A8
    # page works this out for a couple of thousand pupils): the first finds maths and each English
    # subject's best, the second fills the EBacc and open elements from what is left.
    pool = sorted(entries, key=_points, reverse=True)
    slots = []

    maths = language = literature = None
    for e in pool:
        category = e.category
        if category == MATHS:
            if maths is None:
                maths = e
        elif category == ENGLISH_LANGUAGE:
            if language is None:
                language = e
        elif category == ENGLISH_LITERATURE and literature is None:
            literature = e
    maths_score = maths.points * template.maths_weight if maths else 0.0
    if maths:
        slots += [("maths", maths.subject, maths.points)] * template.maths_weight

    # The better English subject; language when they are level.
    both = language is not None and literature is not None
    english = literature if language is None or (both and literature.points > language.points) else language
    english_score = 0.0
    if english:
        weight = template.english_weight_with_both if both else 1
        english_score = english.points * weight
        slots += [("english", english.subject, english.points)] * weight

    # A second maths qualification counts nowhere. The English slot's entry, and any further entry in its
    # own subject (a second language result), count nowhere else; the other English subject stays in the
    # pool for the open element.
    spent = english.category if english else MATHS
    ebacc, rest = [], []
    ebacc_slots, ebacc_categories = template.ebacc_slots, template.ebacc_categories
    for e in pool:
        category = e.category
        if category in (MATHS, spent):
            continue
        if len(ebacc) < ebacc_slots and category in ebacc_categories:
            ebacc.append(e)
        else:
            rest.append(e)
    slots += [("ebacc", e.subject, e.points) for e in ebacc]

    opened = rest[: template.open_slots]
    slots += [("open", e.subject, e.points) for e in opened]

    ebacc_score = sum([e.points for e in ebacc])
    open_score = sum([e.points for e in opened])
    total = maths_score + english_score + ebacc_score + open_score
    return Breakdown(
        attainment8=_round(str(total), "0.01"),
        english=_round(str(english_score), "0.01"),
        maths=_round(str(maths_score), "0.01"),
        ebacc=_round(str(ebacc_score), "0.01"),
        open=_round(str(open_score), "0.01"),
        english_double_weighted=both,
        slots=tuple(slots),
    )
