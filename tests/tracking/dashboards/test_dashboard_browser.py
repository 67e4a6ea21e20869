"""Pages the access matrix's axe run cannot open: the trust view (a trust login), the Data Board (a signed
link) and the dashboards with grades in an uplift (the matrix's world has none). In Chromium at a desktop
and a phone width: no serious or critical axe-core violation and no console error (CSP).
UPLIFT_SCREENSHOTS=DIR saves a PNG of each view to look at."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.site.test_axe import AXE, CHROMIUM, RUN_AXE, WIDTHS
from tests.tracking.dashboards.test_trust import grade_world, hillside, riverside
from tracking.dashboards import board, decisions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]


def _session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_trust_view_board_and_decisions_pass_axe_at_both_widths(live_server, transactional_db, monkeypatch):
    from tests.personas import build_world

    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    world = grade_world(build_world(), riverside)
    other = grade_world(build_world("Hillside"), hillside)
    trust = f.UserFactory(username="trust", is_trust_admin=True, school=None)
    board.board_link_rotate(school=world.school, by=world.data_manager.user)
    world.school.board_shows_pupils = True
    world.school.save()
    assert decisions.has_decisions(world.slt.user)
    group = f"term={world.term.pk}&year=11&subject={world.maths.pk}&group={world.group.pk}"
    views = [
        (_session(trust), reverse("dashboard_trust"), "trust"),
        (None, reverse("data_board", args=[board.board_token(world.school)]), "board"),
        (_session(world.slt.user), reverse("home"), "home-slt"),
        (_session(world.data_manager.user), reverse("data_board_settings"), "board-settings"),
        (_session(world.slt.user), f"{reverse('dashboard')}?term={world.term.pk}", "dashboard"),
        (_session(world.slt.user), f"{reverse('dashboard')}?term={world.term.pk}&year=11", "dashboard-year"),
        (_session(world.slt.user), f"{reverse('dashboard_variation')}?term={world.term.pk}", "variation"),
        (_session(world.slt.user), f"{reverse('dashboard')}?{group}&p-sort=-standing", "dashboard-group"),
    ]
    shots = os.environ.get("UPLIFT_SCREENSHOTS")
    failures = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for session, url, name in views:
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
            if session:
                cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
                context.add_cookies([cookie])
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + url)
                assert page.url == live_server.url + url, f"{name} redirected to {page.url}"
                if name == "board":
                    page.wait_for_timeout(1500)  # the first slide has faded in
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=name != "board")
                page.evaluate(AXE.read_text() + ";0")
                failures += [f"{width}px {name}: {v}" for v in page.evaluate(RUN_AXE)]
            assert not errors, f"{name}: console errors (CSP?) {errors}"
            context.close()
        browser.close()
    assert other.school.name  # both schools built
    assert not failures, "\n".join(failures)
