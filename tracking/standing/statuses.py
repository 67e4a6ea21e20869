"""The standings (above / on / below / well below / none), their words, and a school's thresholds."""

from dataclasses import dataclass

ABOVE, ON, BELOW, WELL_BELOW, NONE = "above", "on", "below", "well_below", "none"
STATUSES = (ABOVE, ON, BELOW, WELL_BELOW, NONE)
BELOW_STATUSES = (BELOW, WELL_BELOW)
DEFAULT_LABELS = {
    ABOVE: "Above target",
    ON: "On target",
    BELOW: "Below target",
    WELL_BELOW: "Well below target",
    NONE: "No grade yet",
}
CURRENT, PREDICTED = "current", "predicted"
# Fields a row may collect, in marksheet order; all but the comment must be filled to be complete.


def attr(status):
    """The value of data-standing: above | on | below | well-below | none."""
    return status.replace("_", "-")


def label(status, school=None):
    """The school's chosen words for a standing (schools choose them: see School.label_*)."""
    if status == NONE or school is None:
        return DEFAULT_LABELS[status]
    return getattr(school, f"label_{status}")


def count_labels(school):
    """Headings for counts of standings, in the school's words and with its thresholds."""
    thresholds = Thresholds.of(school)
    well_below = label(WELL_BELOW, school)
    grades = "grade" if thresholds.well_below_by == 1 else "grades"
    return {
        "on_target": f"{label(ON, school)} or above",
        "well_below": f"{well_below} ({thresholds.well_below_by}+ {grades} under expected)",
        "well_below_short": well_below,
        "below_floor": f"Below grade {thresholds.floor_step}",
    }


@dataclass(frozen=True)
class Thresholds:
    """A school's standing thresholds (School.above_by, below_by, well_below_by, floor_*)."""

    above_by: int = 1
    below_by: int = 1
    well_below_by: int = 2
    floor_scale_code: str = "gcse"
    floor_step: int = 4

    @classmethod
    def of(cls, school):
        if school is None:
            return cls()
        return cls(
            above_by=school.above_by,
            below_by=school.below_by,
            well_below_by=school.well_below_by,
            floor_scale_code=school.floor_scale_code,
            floor_step=school.floor_step,
        )

    def status(self, diff):
        """The standing of a grade `diff` whole grades from the grade expected now (None: none)."""
        if diff is None:
            return NONE
        if diff >= self.above_by:
            return ABOVE
        if diff <= -self.well_below_by:
            return WELL_BELOW
        if diff <= -self.below_by:
            return BELOW
        return ON

    def below_floor(self, scale_code, step):
        return step is not None and scale_code == self.floor_scale_code and step < self.floor_step
