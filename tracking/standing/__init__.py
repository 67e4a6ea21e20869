"""The one truth of a grade: which grade and target count, the grade expected now, the standing, complete.

Every page, PDF, rule and report that shows or judges how a pupil stands asks this package; none
re-derives it. Each decision has a Python form for rows already in memory (`Book.judge`,
`row_complete`) and an ORM form for counting in the database (`annotate_standing`,
`standing_counts`, `complete_q`); the tests hold both forms to the same answers.

- Which grade counts at a point: the prediction where the point collects predictions and one was
  entered, else the current grade. `judged_field` says which one was judged, so pages can say so.
- Which target counts: the published one. A proposal, an agreed target, a change request or an
  accepted raise counts once it is published; until then `pending_target` names it for staff.
- The grade expected now: the target less the subject's flight-path gap for the pupil's year at
  that point (the gap shrinks evenly over the year's points; no gap from Year 11's last point on).
  Key Stage 3 and early Key Stage 4 are judged against it, not against the end-of-Year-11 target.
- The standing: above / on / below / well below the grade expected now, in whole grades (5+, 5
  and 5- are one grade), by the school's thresholds; "below the floor" (e.g. under grade 4) by the
  school's floor grade. A grade on another scale than its target (a KS3 scale) has no standing.
- Whether a row is complete: every field its point collects but the comment. A sheet is complete
  when every pupil's row is.

The package, by what each module holds: `statuses` (the standings, their words, a school's thresholds),
`counting` (which grade and target count), `expected` (the grade expected now), `judge` (`Book` and
`Standing`: judging rows in memory), `complete` (complete rows), `previous` (the point before a point, for
movement), `sql` (the same decisions in SQL) and `held` (the standing's pieces held on each grade row,
kept true by database triggers, for counting a school's grades at once).
Callers import the package (`from tracking import standing`) and use the names below.
"""

from .complete import ROW_FIELDS, complete_q, filled_q, required_fields, row_complete
from .counting import (
    CURRENT,
    PREDICTED,
    counting_grade,
    counting_target,
    judged_field,
    judged_fields,
    pending_target,
)
from .expected import (
    DEFAULT_GAPS,
    GAP_YEARS,
    Place,
    end_year,
    expected_gap,
    expected_step,
    gap_at_end_of,
    gaps_of,
    grade_at_step,
    places_of,
)
from .held import held_sql, refresh_held
from .judge import Book, GradeRef, Standing, from_row
from .previous import previous_points
from .sql import (
    COUNTERS,
    SQL_COLUMNS,
    GradeTable,
    annotate_standing,
    counting_grade_expression,
    counting_grade_sql,
    counting_scale_expression,
    counting_step_expression,
    standing_counts,
    standing_sql,
    standings_of,
)
from .statuses import (
    ABOVE,
    BELOW,
    BELOW_STATUSES,
    DEFAULT_LABELS,
    NONE,
    ON,
    STATUSES,
    WELL_BELOW,
    Thresholds,
    attr,
    count_labels,
    label,
)

__all__ = [
    "ABOVE",
    "BELOW",
    "BELOW_STATUSES",
    "COUNTERS",
    "CURRENT",
    "DEFAULT_GAPS",
    "DEFAULT_LABELS",
    "GAP_YEARS",
    "NONE",
    "ON",
    "PREDICTED",
    "ROW_FIELDS",
    "STATUSES",
    "WELL_BELOW",
    "Book",
    "GradeTable",
    "GradeRef",
    "Place",
    "Standing",
    "Thresholds",
    "annotate_standing",
    "attr",
    "complete_q",
    "count_labels",
    "counting_grade",
    "counting_grade_expression",
    "counting_grade_sql",
    "counting_scale_expression",
    "counting_step_expression",
    "counting_target",
    "end_year",
    "expected_gap",
    "expected_step",
    "filled_q",
    "from_row",
    "gap_at_end_of",
    "gaps_of",
    "grade_at_step",
    "held_sql",
    "judged_field",
    "judged_fields",
    "label",
    "pending_target",
    "places_of",
    "previous_points",
    "refresh_held",
    "required_fields",
    "row_complete",
    "standing_counts",
    "standing_sql",
    "standings_of",
    "SQL_COLUMNS",
]
