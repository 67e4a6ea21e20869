"""Inserting many plain rows fast, where model instances would cost most of a budget."""

from django.db import connection


def insert_rows(model, rows, batch=1000):
    """INSERT plain rows (column -> database-ready value), many rows to a statement.

    Target generation writes tens of thousands of targets and audit rows; building model instances for
    bulk_create cost most of the 3 s budget. Values are ints, strings, None, JSON text and a
    timestamp already adapted with connection.ops.adapt_datetimefield_value. One multi-row INSERT per
    batch, not executemany: psycopg2's executemany sends one statement per row, a round trip each.
    """
    if not rows:
        return
    columns = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    per = max(1, min(batch, (connection.features.max_query_params or 65535) // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))}",
                [r[c] for r in chunk for c in columns],
            )
