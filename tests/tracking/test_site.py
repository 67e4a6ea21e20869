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
    world.school.colour_below = "x;}a{b"
    world.school.save()
    client.force_login(world.teacher.user)
    css = client.get(reverse("school_theme_css")).content.decode()
    assert "--status-on:#ffee00;--status-on-text:#000000;" in css
    assert "}a{" not in css and "--status-below" not in css


@pytest.mark.django_db
def test_staff_session_ends_after_idle_limit_but_typing_keeps_it_alive(client, world, settings):
    import time

    settings.STAFF_IDLE_TIMEOUT = 60
    client.force_login(world.teacher.user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["uplift_last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_expired_htmx_request_gets_401_so_the_page_keeps_its_values(client, world, settings):
    import time

    client.force_login(world.teacher.user)
    client.get(reverse("home"))
    session = client.session
    session["uplift_started"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 1
    session.save()
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Trigger"] == "uplift:session-expired"


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client, world):
    client.force_login(world.teacher.user)
    csp = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_nav_marks_only_the_closest_entry_as_the_current_page(world, login):
    """/dashboard/year-lists/ starts with /dashboard/ too: only "Year lists" is the current page."""
    from django.test import RequestFactory

    from tracking.school.navigation import nav_for

    request = RequestFactory().get("/dashboard/year-lists/")
    request.user = world.slt.user
    active = [entry["label"] for entry in nav_for(request) if entry["active"]]
    assert active == ["Year lists"]
    request = RequestFactory().get("/dashboard/")
    request.user = world.slt.user
    assert [entry["label"] for entry in nav_for(request) if entry["active"]] == ["Dashboard"]


def test_a_long_nav_is_grouped_into_menus_and_a_short_one_stays_a_row(world, client):
    from tracking.school.navigation import ROW_LIMIT, groups_for

    client.force_login(world.slt.user)
    page = client.get(reverse("interventions:plan_list")).content.decode()
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    # Every entry is still a link in the page (no JavaScript needed to reach it), under its menu.
    assert nav.count('class="nav-menu-button') >= 4
    support = nav.split(">Support<")[1].split("</ul>")[0]
    assert 'aria-current="page">Plans</a>' in support and "Flags</a>" in support
    assert 'class="nav-menu-button is-current"' in nav.split(">Support<")[0].rsplit("<li", 1)[1]
    entries = [{"label": str(n), "name": f"n{n}", "url": f"/{n}/", "active": False} for n in range(ROW_LIMIT)]
    assert groups_for(entries) == [{"label": None, "entries": entries, "active": False}]
    many = entries + [
        {"label": "Flags", "name": "interventions:flag_list", "url": "/f/", "active": False},
        {"label": "Plans", "name": "interventions:plan_list", "url": "/p/", "active": True},
        {"label": "Set-up", "name": "setup_home", "url": "/s/", "active": False},
    ]
    groups = groups_for(many)
    assert groups[0]["entries"] == entries  # entries in no section stay in the row, first
    assert {"label": "Support", "entries": many[-3:-1], "active": True} in groups
    assert {"label": None, "entries": many[-1:], "active": False} in groups  # a lone entry is a link
