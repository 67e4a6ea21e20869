"""A teaching group's pupils on the dashboard: each one's grade in the group's subject and how it stands.

The standing is tracking.standing's judgement; this module only reads the rows and gives the table
keys to sort them by.
"""

from dataclasses import dataclass

from tracking import standing
from tracking.models import Target

# Sorting by standing ascending puts the pupils furthest behind first and those with no standing last.
STANDING_ORDER = {
    status: index
    for index, status in enumerate(
        (standing.WELL_BELOW, standing.BELOW, standing.ON, standing.ABOVE, standing.NONE)
    )
}


def standing_order(result):
    """A sort key for a Standing: by standing, then by how far from the grade expected now."""
    return (STANDING_ORDER[result.status], result.diff or 0)


@dataclass(frozen=True)
class PupilStanding:
    """One row of the group's pupil table (tables.GroupPupilsTable)."""

    pupil: object
    result: standing.Standing

    @property
    def name(self):
        return self.pupil.sorted_name

    @property
    def upn(self):
        return self.pupil.upn

    @property
    def form(self):
        return str(self.pupil.form or "")

    @property
    def grade(self):
        return str(self.result.grade) if self.result.grade else None

    @property
    def grade_rank(self):
        """A grade's place on its scale (a code such as "4-" or "A*" does not sort as text)."""
        return self.result.grade.rank if self.result.grade else None

    @property
    def standing_order(self):
        return standing_order(self.result)


def group_pupils(entries, school):
    """[PupilStanding] by name for `entries` (a group's grades at one uplift: a class, some thirty rows),
    judged by tracking.standing, in a fixed number of queries whatever the group's size."""
    entries = list(
        entries.select_related("pupil", "pupil__form", "point", "current", "predicted").order_by("pk")
    )
    targets = {
        (t.pupil_id, t.subject_id): t
        for t in Target.objects.filter(
            pupil_id__in=[e.pupil_id for e in entries], subject_id__in={e.subject_id for e in entries}
        ).select_related("grade", "published_grade")
    }
    book = standing.Book(school)
    rows = [
        PupilStanding(entry.pupil, book.judge_entry(entry, targets.get((entry.pupil_id, entry.subject_id))))
        for entry in entries
    ]
    return sorted(rows, key=lambda row: row.name)
