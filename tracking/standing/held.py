"""Standings held on the grade rows, for counting a school's grades at once.

Each GradeEntry holds the pieces of its standing that no school setting changes: the whole-grade step
and scale of the grade that counts and its difference from the grade expected now (`held_step`,
`held_scale`, `held_diff`), worked out by `standing_sql`, the one SQL form of the decisions. The
standing itself (above / on / below / well below) is read from the difference by the school's
thresholds when counted, so changing a threshold changes nothing held.

What a held difference is worked out from lives in other rows too: the published target, the subject's
flight path, the point's place in its year, the grade scale. Database triggers (installed after every
`migrate`, so every write path is covered: the ORM, bulk updates, raw SQL, the admin) mark a grade
row stale whenever anything it is worked out from changes; `refresh_held` works out every stale row
again before any count reads them. Only `refresh_held` writes the held columns
(`GradeEntry.save` leaves them out).
"""

import contextlib
import logging

from django.db import DatabaseError, connections, transaction

from tracking.models import GradeEntry

from .sql import standing_sql, status_sql
from .statuses import Thresholds

log = logging.getLogger(__name__)

ENTRY = GradeEntry._meta.db_table
# A grade row's own columns its standing is worked out from.
ENTRY_INPUTS = ("current_id", "predicted_id", "point_id", "pupil_id", "subject_id")

# For each other table a standing reads: the columns whose change matters (None: any change), and
# which grade rows a changed row touches, written on `{r}` (the row, NEW or OLD) and `{e}` (the grade
# table, unaliased: SQLite's triggers cannot alias it).
WATCHED = {
    # The published target of the pupil's subject.
    # A target with no published grade counts for nothing: proposals come and go untouched (target
    # generation writes tens of thousands).
    "tracking_target": (
        ("published_grade_id", "pupil_id", "subject_id"),
        "{r}.published_grade_id IS NOT NULL "
        "AND {e}.pupil_id = {r}.pupil_id AND {e}.subject_id = {r}.subject_id",
    ),
    # The subject's flight path: its gaps at the end of each year.
    "tracking_flightpath": (None, "{e}.subject_id = {r}.subject_id"),
    # A point's place among its year group's points that year, and whether it collects predictions.
    "tracking_assessmentpoint": (
        ("academic_year_id", "year_group_id", "sequence", "collects_predicted"),
        "{e}.point_id IN (SELECT p.id FROM tracking_assessmentpoint p "
        "WHERE p.academic_year_id = {r}.academic_year_id AND p.year_group_id = {r}.year_group_id)",
    ),
    # A grade's whole-grade step and scale, and each scale's lowest step (rare: setting up scales).
    "tracking_gradevalue": (
        ("step", "scale_id"),
        "{e}.school_id = (SELECT s.school_id FROM tracking_gradescale s WHERE s.id = {r}.scale_id)",
    ),
    # A year group's number (which year of the flight path its points are in).
    "tracking_yeargroup": (
        ("number",),
        "{e}.point_id IN (SELECT p.id FROM tracking_assessmentpoint p WHERE p.year_group_id = {r}.id)",
    ),
}


def _changed(columns, distinct):
    return " OR ".join(f"NEW.{column} {distinct} OLD.{column}" for column in columns)


def _mark(table, row):
    # Rows already stale are written too: the write's lock on them is what keeps a refresh running
    # at the same time from marking them fresh with what it read before this write.
    where = WATCHED[table][1].format(e=ENTRY, r=row)
    return f"UPDATE {ENTRY} SET held_stale = TRUE WHERE {where};"


def _sqlite_triggers():
    """(name, CREATE TRIGGER) for SQLite: row triggers (SQLite has no others)."""
    inputs = ", ".join(ENTRY_INPUTS)
    stale = f"UPDATE {ENTRY} SET held_stale = 1 WHERE id = NEW.id;"
    out = [
        (
            "uplift_held_entry_insert",
            f"CREATE TRIGGER uplift_held_entry_insert AFTER INSERT ON {ENTRY} "
            f"WHEN NOT NEW.held_stale BEGIN {stale} END",
        ),
        (
            "uplift_held_entry_update",
            f"CREATE TRIGGER uplift_held_entry_update AFTER UPDATE OF {inputs} ON {ENTRY} "
            f"WHEN {_changed(ENTRY_INPUTS, 'IS NOT')} BEGIN {stale} END",
        ),
    ]
    for table, (columns, _where) in WATCHED.items():
        out.append(
            (
                f"uplift_held_{table}_insert",
                f"CREATE TRIGGER uplift_held_{table}_insert AFTER INSERT ON {table} "
                f"BEGIN {_mark(table, 'NEW')} END",
            )
        )
        out.append(
            (
                f"uplift_held_{table}_delete",
                f"CREATE TRIGGER uplift_held_{table}_delete AFTER DELETE ON {table} "
                f"BEGIN {_mark(table, 'OLD')} END",
            )
        )
        of = f" OF {', '.join(columns)}" if columns else ""
        when = f" WHEN {_changed(columns, 'IS NOT')}" if columns else ""
        out.append(
            (
                f"uplift_held_{table}_update",
                f"CREATE TRIGGER uplift_held_{table}_update AFTER UPDATE{of} ON {table}{when} "
                f"BEGIN {_mark(table, 'OLD')} {_mark(table, 'NEW')} END",
            )
        )
    return out


def _postgresql_triggers():
    """[(table, trigger name, function SQL, CREATE TRIGGER)] for PostgreSQL: a grade row's own change
    marks it as it is written (BEFORE, no second write); the other tables' rows mark the grade rows
    they touch."""
    entry_function = (
        "CREATE OR REPLACE FUNCTION uplift_held_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' OR {_changed(ENTRY_INPUTS, 'IS DISTINCT FROM')} THEN "
        "NEW.held_stale := TRUE; END IF; RETURN NEW; END $$"
    )
    out = [
        (
            ENTRY,
            "uplift_held_entry",
            entry_function,
            f"CREATE TRIGGER uplift_held_entry BEFORE INSERT OR UPDATE ON {ENTRY} "
            "FOR EACH ROW EXECUTE FUNCTION uplift_held_entry()",
        )
    ]
    for table, (columns, _where) in WATCHED.items():
        unchanged = ""
        if columns:
            changed = _changed(columns, "IS DISTINCT FROM")
            unchanged = f"IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN RETURN NULL; END IF; "
        function = (
            f"CREATE OR REPLACE FUNCTION uplift_held_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{unchanged}"
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_mark(table, 'OLD')} END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_mark(table, 'NEW')} END IF; "
            "RETURN NULL; END $$"
        )
        of = f" OF {', '.join(columns)}" if columns else ""
        trigger = (
            f"CREATE TRIGGER uplift_held_{table} AFTER INSERT OR DELETE OR UPDATE{of} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION uplift_held_{table}()"
        )
        out.append((table, f"uplift_held_{table}", function, trigger))
    return out


def _tables_exist(connection):
    """The tables, and the held columns (not there before their migration, or after migrating back)."""
    if not {ENTRY, *WATCHED} <= set(connection.introspection.table_names()):
        return False
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, ENTRY)}
    return "held_stale" in columns


def drop_triggers(connection):
    """Remove the triggers before a `migrate`: on SQLite a migration rebuilds a table under a new name
    and renames it back, which fails while a trigger's body names a table being rebuilt."""
    if not _tables_exist(connection):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, name, _function, _trigger in _postgresql_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name, _trigger in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(connection, migrated=False):
    """(Re)install the triggers that mark held standings stale, after every `migrate`. `migrated`:
    migrations were applied, while no trigger watched (a data migration may have changed a target, a
    point or a grade), or they changed how a standing is worked out: every held standing is marked
    stale and worked out again now, not by the first leader to open a dashboard."""
    if not _tables_exist(connection):  # e.g. after `migrate tracking zero`
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, name, function, trigger in _postgresql_triggers():
                cursor.execute(function)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(trigger)
        elif connection.vendor == "sqlite":
            for name, trigger in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(trigger)
        else:
            raise NotImplementedError(f"Uplift runs on SQLite or PostgreSQL, not {connection.vendor}")
        if migrated:
            cursor.execute(f"UPDATE {ENTRY} SET held_stale = TRUE WHERE NOT held_stale")
    if migrated:
        refresh_held(connection.alias)


def installed_triggers(connection):
    """The names of the held-standing triggers the database has (for the tests and `check`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'uplift_held_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'uplift_held_%'"
            )
        return {name for (name,) in cursor.fetchall()}


def expected_triggers(vendor):
    if vendor == "postgresql":
        return {name for _table, name, _function, _trigger in _postgresql_triggers()}
    return {name for name, _trigger in _sqlite_triggers()}


# How long a count waits for grade rows other transactions are writing before it works their standings
# out itself instead (correct either way; the held standings are only quicker).
LOCK_WAIT_MS = 250


@contextlib.contextmanager
def _short_wait(connection):
    """On SQLite, wait LOCK_WAIT_MS (not the 30 s saves wait) for another writer before giving up."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        (before,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def refresh_held(using="default"):
    """Work out every stale held standing again: True when every held standing is now fresh (one query
    when none was stale), False when another transaction held what it needs too long (the caller works
    standings out as it counts instead).

    Concurrency (PostgreSQL, which reads what is committed at each statement): first the tables a
    standing is worked out from are locked against writes, which waits for the transactions writing
    them (and a later write waits for this one); then the stale rows, which waits for the transactions
    writing grades (a write marks the rows it touches, so it holds them until it commits). Only then is
    the work read and written, and only those rows: a write waiting on one marks it stale again after.
    Inside a longer transaction the locks last until it ends. SQLite has one writer at a time.
    """
    stale = GradeEntry.objects.using(using).filter(held_stale=True)
    if not stale.exists():
        return True
    connection = connections[using]
    try:
        with _short_wait(connection), transaction.atomic(using=using), connection.cursor() as cursor:
            locked = None
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                cursor.execute(f"LOCK TABLE {', '.join(WATCHED)} IN SHARE MODE")
                cursor.execute(
                    f"SELECT COALESCE(array_agg(id), '{{}}') FROM "
                    f"(SELECT id FROM {ENTRY} WHERE held_stale ORDER BY id FOR UPDATE) stale"
                )
                (locked,) = cursor.fetchone()
            # Read under the locks: the points' places and the grade values are written into the SQL.
            sql, params = standing_sql(stale, Thresholds())  # thresholds only name the standing, not held
            update = (
                f"UPDATE {ENTRY} SET held_step = s.counting_step, held_scale = s.counting_scale, "
                f"held_diff = s.standing_diff, held_stale = FALSE FROM ({sql}) s WHERE {ENTRY}.id = s.id"
            )
            if locked is not None:
                # Joined as a set (a hash), not searched as an array once per row.
                locked_ids = "SELECT unnest(%s::bigint[])"
                update, params = f"{update} AND {ENTRY}.id IN ({locked_ids})", (*params, locked)
            cursor.execute(update, params)
    except DatabaseError as error:  # not had in time: counted afresh this once
        log.warning("held standings not refreshed (%s): counted afresh", error)
        return False
    return True


# A write that marked at least this many held standings stale (targets published for a year group, a
# flight path changed) has them worked out in the background rather than by the next count; fewer (a
# sheet or two saved) cost a count a few milliseconds.
BACKGROUND_FROM = 500


def many_stale(using="default"):
    """Whether at least BACKGROUND_FROM held standings are stale (one query, stopping there)."""
    stale = GradeEntry.objects.using(using).filter(held_stale=True).order_by()
    return stale[BACKGROUND_FROM - 1 : BACKGROUND_FROM].exists()


def held_sql(entries, thresholds, fields=(), weighted=False, **expressions):
    """(sql, params) of a SELECT with one row per GradeEntry of `entries`, from the held standings
    (`refresh_held` first): pupil_id, subject_id, point_id, counting_step, counting_scale,
    on_floor_scale, standing_diff, standing and below_floor, as `standing_sql` names them, with the
    GradeEntry `fields` and the `expressions` (name: ORM expression) a caller asks for. `weighted`:
    each row also says it counts one grade (`n`), as `standing_sql(grouped=True)`'s rows do."""
    inner = (
        entries.annotate(**expressions)
        .values(
            *dict.fromkeys(
                (
                    "pupil_id",
                    "subject_id",
                    "point_id",
                    "held_step",
                    "held_scale",
                    "held_diff",
                    *fields,
                    *expressions,
                )
            )
        )
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    status, status_params = status_sql("h.held_diff", thresholds)
    on_floor = "h.held_scale IN (SELECT s.id FROM tracking_gradescale s WHERE s.code = %s)"
    own = ", ".join(f"h.{name}" for name in dict.fromkeys((*fields, *expressions)))
    sql = (
        "SELECT h.pupil_id, h.subject_id, h.point_id, h.held_step AS counting_step, "
        "h.held_scale AS counting_scale, h.held_diff AS standing_diff, "
        f"{status} AS standing, CASE WHEN {on_floor} THEN TRUE ELSE FALSE END AS on_floor_scale, "
        f"CASE WHEN {on_floor} AND h.held_step < %s THEN TRUE ELSE FALSE END AS below_floor"
        f"{', ' + own if own else ''}{', 1 AS n' if weighted else ''} FROM ({sql}) h"
    )
    params = (
        *status_params,
        thresholds.floor_scale_code,
        thresholds.floor_scale_code,
        thresholds.floor_step,
        *params,
    )
    return sql, params
