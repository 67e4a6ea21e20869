"""Settings fail closed: a server started with nothing set is in production mode and will not start
without a secret key and allowed hosts; manage.py and make keep a bare machine working."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "x" * 30 + "-production-secret-key-for-tests-0123456789"


def _bare_env(tmp_path, **values):
    """A machine with nothing of Uplift's set (only what Python needs to run)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "UPLIFT_VAR_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    env.update(values)
    return env


def _run(args, env):
    return subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)


def _settings_probe(env):
    code = (
        "import json; import config.wsgi; from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE]))"
    )
    return _run([sys.executable, "-c", code], env)


def test_gunicorn_with_nothing_set_refuses_to_start(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = _run([str(gunicorn), "--check-config", "config.wsgi"], _bare_env(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stdout + result.stderr


def test_wsgi_without_allowed_hosts_refuses_to_start(tmp_path):
    result = _settings_probe(_bare_env(tmp_path, DJANGO_SECRET_KEY=SECRET))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_wsgi_refuses_the_public_development_key(tmp_path):
    from config.settings import _DEV_KEY

    env = _bare_env(tmp_path, DJANGO_SECRET_KEY=_DEV_KEY, DJANGO_ALLOWED_HOSTS="uplift.example.org")
    result = _settings_probe(env)
    assert result.returncode != 0
    assert "public development key" in result.stderr


def test_wsgi_with_key_and_hosts_runs_in_production_mode_with_host_cookies(tmp_path):
    env = _bare_env(tmp_path, DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="uplift.example.org")
    result = _settings_probe(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[false, "__Host-sessionid", "__Host-csrftoken", true]'


def test_manage_py_works_on_a_bare_machine(tmp_path):
    result = _run([sys.executable, "manage.py", "check"], _bare_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_makefile_gives_a_bare_machine_development_settings(tmp_path):
    probe = _run(["make", "-s", "--eval", "probe: ; @echo $$DJANGO_DEBUG", "probe"], _bare_env(tmp_path))
    assert probe.stdout.strip() == "true"


@pytest.mark.parametrize("value", ["false", "0", "no"])
def test_an_explicit_false_is_honoured_by_manage_py(tmp_path, value):
    result = _run([sys.executable, "manage.py", "check"], _bare_env(tmp_path, DJANGO_DEBUG=value))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit_compilation():
    from django.db import connection

    assert connection.vendor == "postgresql"  # make test runs on PostgreSQL
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_options_in_database_url_come_after_uplifts_own(tmp_path):
    url = "postgres://u@db.example/uplift?options=-c%20jit%3Don%20-c%20work_mem%3D8MB"
    code = "import config.settings as s; print(s.DATABASES['default']['OPTIONS']['options'])"
    result = _run([sys.executable, "-c", code], _bare_env(tmp_path, DJANGO_DEBUG="true", DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off -c jit=on -c work_mem=8MB"


def test_a_server_process_loads_every_view_and_freezes_it_before_its_first_request(tmp_path):
    code = (
        "import gc, sys; import config.wsgi; print(gc.get_freeze_count(), "
        "'tracking.school.views' in sys.modules, 'mentoring.views' in sys.modules)"
    )
    env = _bare_env(tmp_path, DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="uplift.example")
    result = _run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    frozen, school_views, mentoring_views = result.stdout.split()
    assert int(frozen) > 100_000  # Django's and Uplift's objects, out of the collector's full passes
    assert school_views == mentoring_views == "True"
