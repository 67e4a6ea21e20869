"""pytest plugin (loaded with -p before Django's settings are read): development settings on a bare
machine, as manage.py and the Makefile give them. Production mode is the default only for servers.

Under pytest-xdist (tests/run.sh runs two processes) each process has a Redis database of its own:
worker gw0 uses /1, gw1 /2 and so on. A real Celery worker one of them starts then never takes the
other's tasks (it would run them against the wrong test database), and its --purge empties only its
own queue. pytest-django gives each process a test database of its own in the same way."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_DEBUG", "true")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_broker = os.environ.get("CELERY_BROKER_URL", "")
if _worker.startswith("gw") and _broker.startswith("redis://"):
    _index = int(_worker[2:]) + 1  # Redis keeps 16 databases, 0 to 15; 0 is the main process's
    if _index > 15:
        raise RuntimeError(f"{_worker}: more xdist workers than Redis databases")
    os.environ["CELERY_BROKER_URL"] = urlunsplit(urlsplit(_broker)._replace(path=f"/{_index}"))
