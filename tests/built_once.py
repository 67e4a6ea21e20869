"""Data built once for a whole test module, for modules whose tests only read a large build (the demo
school takes seconds to seed). The build runs in a transaction held open for the module and rolled
back after it; each test's own transaction nests inside as a savepoint, so whatever a test changes
is undone before the next one, as with pytest-django's `db`."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def built_once(django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
