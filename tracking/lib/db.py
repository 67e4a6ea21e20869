"""Telling a database that is busy for now from one that is broken."""

from django.db import OperationalError

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
