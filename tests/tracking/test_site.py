import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_login_page_has_username_and_password_fields(client):
    page = client.get(reverse("login")).content.decode()
    assert 'name="username"' in page and 'name="password"' in page


@pytest.mark.django_db
def test_login_then_home_shows_the_roles_navigation(client, world):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": world.teacher.user.username, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert reverse("pupil_list") in page
    assert "11Ma1" in page  # the teacher's own group on their home page


@pytest.mark.django_db
def test_parent_home_lists_only_their_children(client, world):
    client.force_login(world.parent.user)
    page = client.get(reverse("home")).content.decode()
    assert world.child.full_name in page
    assert world.other_child.full_name not in page
    assert f'href="{reverse("pupil_list")}"' not in page


def _deploy_env():
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 30 + "-production-secret-key-for-check-0123456789",
        DJANGO_ALLOWED_HOSTS="uplift.example.org",
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_deploy_env(),
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_mistyped_boolean_setting_is_an_error_not_false():
    env = _deploy_env()
    env["DJANGO_DEBUG"] = "ture"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


@pytest.mark.django_db
def test_school_colours_reach_the_theme_and_hostile_values_do_not(client, world):
    world.school.colour_on = "#ffee00"
    world.school.colour_below = "red;}body{display:none"
    world.school.save()
    client.force_login(world.teacher.user)
    css = client.get(reverse("school_theme_css")).content.decode()
    assert "--status-on:#ffee00;--status-on-text:#000000;" in css
    assert "display:none" not in css and "--status-below" not in css
