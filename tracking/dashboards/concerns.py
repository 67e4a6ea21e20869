"""Why a pupil needs a conversation: reasons from tracking and from the apps above it.

Tracking knows grades, effort and attendance; flags and plans live in interventions and mentoring
slips in mentoring, which tracking never imports. They register a source here in their
AppConfig.ready(); the tutor's view and the transition report ask `reasons_for` and get every
app's reasons at a fixed number of queries (one per source, whatever the number of pupils).
"""

from tracking.lib.db import id_table

_sources = []


def register(source):
    """Add a function(pupil_ids, school) -> iterable of (pupil_id, reason text). `pupil_ids` is for an
    `__in` lookup (`pupil_id__in=pupil_ids`), not a list to walk."""
    if source not in _sources:
        _sources.append(source)
    return source


def reasons_for(pupil_ids, school):
    """{pupil id: [reason, ...]} from every registered source (pupils with none are left out)."""
    pupil_ids = [int(pk) for pk in pupil_ids]
    out = {}
    if not pupil_ids:
        return out
    wanted = id_table(pupil_ids)  # some 800 pupils on the transition report
    for source in _sources:
        for pupil_id, reason in source(wanted, school):
            out.setdefault(pupil_id, []).append(reason)
    return out
