"""Telling a database that is busy for now from one that is broken; a list of ids as one parameter."""

import json

from django.db import OperationalError, connection
from django.db.models.expressions import RawSQL

# PostgreSQL: lock_not_available (lock_timeout), query_canceled (statement_timeout).
_BUSY_PGCODES = ("55P03", "57014")


def database_busy(error):
    """True when the database refused for now (a lock it could not get in time), not for good.

    The transaction that met it was rolled back, so the same request sent again can succeed.
    """
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "pgcode", None) in _BUSY_PGCODES:
        return True
    return "database is locked" in str(error) or "database table is locked" in str(error)


def id_table(ids):
    """`ids` (integers) as a one-column table for an `__in` lookup (`pk__in=id_table(ids)`), bound as ONE
    parameter: an array on PostgreSQL, JSON on SQLite. Django binds each id of a list on its own, which
    for a thousand ids costs more than the query."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))
