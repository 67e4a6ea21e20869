"""Every page in the access matrix, opened in Chromium as a persona allowed to see it, at a desktop
(1280 px) and a phone (390 px) width, passes axe-core with no serious or critical violation.

axe-core is vendored under tests/vendor (see its README); it is injected through the DevTools protocol,
so the pages keep their strict Content-Security-Policy.
"""

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.access_matrix import ROWS

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
# Who opens each page: the first persona in this order that the matrix allows.
PERSONAS = ("teacher", "hod", "data_manager", "slt", "tutor", "mentor", "senco", "hoy", "parent")
# Downloads, images and htmx fragments: not pages a person reads.
NOT_PAGES = {"home", "school_theme_css", "marksheet_row", "marksheet_light", "master_export"}
NOT_PAGES |= {"flight_paths_csv"}
NOT_PAGES |= {"health_check_chart", "health_check_pdf"}
HOME_PERSONAS = ("teacher", "hod", "tutor", "mentor", "senco", "slt", "data_manager", "parent")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]

# A section the page loads after itself (hx-trigger="load": the dashboard's trend) is checked in place,
# as a reader meets it: axe waits until no htmx request, swap or settle is in flight (10 s at most).
RUN_AXE = """async () => {
    const busy = () => document.querySelector(
        '[aria-busy="true"][hx-get], .htmx-request, .htmx-swapping, .htmx-settling');
    for (let waited = 0; busy() && waited < 10000; waited += 50) {
        await new Promise(done => setTimeout(done, 50));
    }
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.id} (${v.impact}) on ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}"""


def give_history(world):
    """Enough points and grades that the pupil's tables are wider than a phone."""
    past = date.today() - timedelta(days=200)
    for n in range(1, 7):
        point = f.AssessmentPointFactory(
            school=world.school,
            academic_year=world.year,
            year_group=world.y11,
            name=f"Y11 Review {n}",
            sequence=100 + n,
            opens_on=past + timedelta(days=20 * n),
            closes_on=past + timedelta(days=20 * n + 7),
        )
        for pupil in (world.child, world.classmate):
            f.GradeEntryFactory(
                school=world.school,
                pupil=pupil,
                subject=world.maths,
                point=point,
                current=f.grade(world.school, "5"),
                predicted=f.grade(world.school, "6"),
                security="M",
                effort=2,
            )
    for pupil in (world.child, world.classmate):
        six = f.grade(world.school, "6")
        f.TargetFactory(school=world.school, pupil=pupil, subject=world.maths, grade=six)
    world.child.attendance = "93.10"
    world.child.save(update_fields=["attendance"])


def html_pages(world):
    """(persona, url) for every GET page in the matrix that answers HTML, plus each persona's home."""
    clients, pages = {}, []

    def client_for(persona):
        if persona not in clients:
            clients[persona] = Client()
            clients[persona].force_login(getattr(world, persona).user)
        return clients[persona]

    for name, args, allowed in ROWS:
        persona = next((p for p in PERSONAS if p in allowed), None)
        if persona is None or name in NOT_PAGES:
            continue
        url = reverse(name, args=args(world))
        response = client_for(persona).get(url)
        if response.status_code == 200 and b"<html" in response.content[:200]:
            pages.append((persona, url))
    for persona in HOME_PERSONAS:
        client_for(persona)
        pages.append((persona, "/"))
    return pages, {p: c.cookies[settings.SESSION_COOKIE_NAME].value for p, c in clients.items()}


def test_no_page_has_a_serious_or_critical_axe_violation_on_a_desktop_or_a_phone(
    live_server, transactional_db, world, monkeypatch
):
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    give_history(world)
    pages, sessions = html_pages(world)
    axe_source = AXE.read_text()
    failures, checked = [], 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        contexts = {}
        for persona, url in pages:
            if persona not in contexts:
                context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
                session = {"name": settings.SESSION_COOKIE_NAME, "value": sessions[persona]}
                context.add_cookies([{**session, "url": live_server.url}])
                contexts[persona] = context.new_page()
            page = contexts[persona]
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + url)
                # Through the DevTools protocol, not a <script> tag: the page's CSP stays in force.
                page.evaluate(axe_source + ";0")
                for violation in page.evaluate(RUN_AXE):
                    failures.append(f"{width}px {persona} {url}: {violation}")
                checked += 1
        browser.close()
    assert checked >= 2 * 40, f"only {checked} page views were checked"
    assert not failures, "\n".join(failures)
