"""Which grade and which target count at a point."""

from tracking.models import TargetStatus

CURRENT, PREDICTED = "current", "predicted"


def judged_fields(point):
    """The fields the light may judge at a point, first choice first."""
    return (PREDICTED, CURRENT) if point.collects_predicted else (CURRENT,)


def judged_field(point, current, predicted):
    """ "predicted" or "current": the field whose grade counts at this point (None: neither entered)."""
    values = {CURRENT: current, PREDICTED: predicted}
    for name in judged_fields(point):
        if values[name] not in (None, ""):
            return name
    return None


def counting_grade(point, current, predicted):
    """The grade that counts at a point: the prediction where collected and entered, else current."""
    name = judged_field(point, current, predicted)
    return {CURRENT: current, PREDICTED: predicted}.get(name)


# -- which target counts --------------------------------------------------------------------------


def counting_target(target):
    """The published grade: the only target that counts (None when nothing is published)."""
    if target is None or target.published_grade_id is None:
        return None
    return target.published_grade


def pending_target(target):
    """A grade waiting to replace the published one (proposed, agreed, raised or requested), or None.

    Staff see it labelled as pending; it never counts and families never see it.
    """
    if target is None:
        return None
    if target.status == TargetStatus.CHANGE_REQUESTED and target.requested_grade_id:
        return target.requested_grade
    if target.status != TargetStatus.PUBLISHED and target.grade_id != target.published_grade_id:
        return target.grade
    return None
