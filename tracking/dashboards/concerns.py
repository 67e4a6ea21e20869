"""Why a pupil needs a conversation: reasons from tracking and from the apps above it.

Tracking knows grades, effort and attendance; flags and plans live in interventions and mentoring
slips in mentoring, which tracking never imports. They register a source here in their
AppConfig.ready(); the tutor's view and the transition report ask `reasons_for` and get every
app's reasons at a fixed number of queries (one per source, whatever the number of pupils).
"""

import json

from django.db import connection
from django.db.models.expressions import RawSQL

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
    wanted = _id_table(pupil_ids)
    for source in _sources:
        for pupil_id, reason in source(wanted, school):
            out.setdefault(pupil_id, []).append(reason)
    return out


def _id_table(ids):
    """`ids` as a one-column table for `__in`, bound as ONE parameter (an array on PostgreSQL, JSON on
    SQLite): the transition report asks about some 800 pupils from each source, and Django binding
    each id of a list on its own cost more than the queries."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))
