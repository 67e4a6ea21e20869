"""The SENCo's, tutor's and year leaders' pages in Chromium: axe-core clean at 1280 and 390 px.

Set UPLIFT_SCREENSHOTS=/some/dir to keep a PNG of each page at each width.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.interventions.test_sen_view import sen  # noqa: F401  (the fixture: grades, a term, SEN, plans)
from tests.site.test_axe import AXE, CHROMIUM, RUN_AXE, WIDTHS
from tests.tracking.dashboards.test_pastoral import reviewed  # noqa: F401  (the fixture sen builds on)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]

PAGES = (
    ("hoy", "/dashboard/year-lists/"),
    ("hoy", "/dashboard/transition/"),
    ("tutor", "/dashboard/forms/{form}/"),
    ("senco", "/interventions/sen/"),
    ("teacher", "/interventions/sen/"),
)


def test_the_pastoral_pages_pass_axe_on_a_desktop_and_a_phone(
    live_server,
    transactional_db,
    sen,  # noqa: F811
    monkeypatch,
):
    from interventions.sen import views as sen_views
    from tracking.dashboards.tables.pastoral import YearListTable

    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # A page of one, so the lists' and the SEN table's page links are on the pages checked.
    monkeypatch.setattr(YearListTable._meta, "per_page", 1)
    monkeypatch.setattr(sen_views, "SEN_PUPILS_PER_PAGE", 1)
    shots = os.environ.get("UPLIFT_SCREENSHOTS")
    axe_source = AXE.read_text()
    failures = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for persona, url in PAGES:
            url = url.format(form=sen.form.pk)
            client = Client()
            client.force_login(getattr(sen, persona).user)
            assert client.get(url).status_code == 200, (persona, url)
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
            cookie = {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
            context.add_cookies([{**cookie, "url": live_server.url}])
            page = context.new_page()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + url)
                page.evaluate(axe_source + ";0")
                failures += [f"{width}px {persona} {url}: {v}" for v in page.evaluate(RUN_AXE)]
                if shots:
                    name = url.strip("/").replace("/", "_") + f"_{persona}_{width}.png"
                    page.screenshot(path=str(Path(shots) / name), full_page=True)
            context.close()
        browser.close()
    assert not failures, "\n".join(failures)
