"""Inserting many plain rows fast, where model instances would cost most of a budget."""

from django.db import connection


def insert_rows(model, rows, batch=2000):
    """INSERT plain rows (column -> database-ready value) in batches with executemany.

    Target generation writes tens of thousands of targets and audit rows; building model instances for
    bulk_create cost most of the 3 s budget. Values are ints, strings, None, JSON text and a
    timestamp already adapted with connection.ops.adapt_datetimefield_value.
    """
    if not rows:
        return
    columns = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [[r[c] for c in columns] for r in rows[start : start + batch]])
