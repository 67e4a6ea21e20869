"""In a real browser: signing out removes unsaved marksheet drafts from localStorage."""

import shutil

import pytest

from tests import factories as f

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert not errors, errors


def test_sign_out_removes_marksheet_drafts(transactional_db, world, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.teacher.user.username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.evaluate(
        """() => {
            localStorage.setItem("uplift:marksheet:1:2:3", '{"r-1-current": "6"}');
            localStorage.setItem("someone-else", "kept");
        }"""
    )
    page.click("form[data-sign-out] button")
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("() => localStorage.getItem('uplift:marksheet:1:2:3')") is None
