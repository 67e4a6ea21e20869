"""In a real browser: signing out removes unsaved marksheet drafts from localStorage."""

from tests import browser
from tests import factories as f

pytestmark = browser.MARKS


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
