"""A fingerprint of every table, to prove that a refused request changed nothing."""

import hashlib

from django.apps import apps
from django.db import connection

# Sessions change on every request (login, messages); they hold no school data.
IGNORED = {"django_session"}


def _tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables - IGNORED)


def database_state():
    """{table: (row count, digest of its rows)}, read in one query on PostgreSQL."""
    tables = _tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f"FROM {quote(table)} t"
                    for table in tables
                ),
                tables,
            )
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}
        state = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from the models
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = (len(rows), hashlib.md5("|".join(rows).encode()).hexdigest())
        return state


def changed_tables(before, after):
    return sorted(table for table in after if before.get(table) != after[table])
