"""How pages lay out in a real browser: whole lists with their headers held in view, scroll boxes a
keyboard can reach, and fields that appear only for the choice they belong to."""

import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.site.test_axe import give_history

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def open_as(live_server, monkeypatch):
    """open_as(user, url, width) -> a Playwright page signed in as user, showing url."""
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def _open(user, url, width=1280):
            client = Client()
            client.force_login(user)
            context = browser.new_context(viewport={"width": width, "height": 900})
            name = settings.SESSION_COOKIE_NAME
            context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(live_server.url + url)
            return page

        yield _open
        browser.close()
    assert not errors, errors


@pytest.fixture
def full_group(transactional_db, world):
    """30 pupils in the teacher's maths group, each with a target."""
    pupils = [
        f.PupilFactory(school=world.school, year_group=world.y11, legal_last_name=f"Pupil{n:02d}")
        for n in range(28)
    ]
    world.group.pupils.add(*pupils)
    six = f.grade(world.school, "6")
    for pupil in [*pupils, world.child, world.classmate]:
        f.TargetFactory(school=world.school, pupil=pupil, subject=world.maths, grade=six)
    return world


HEAD_TOP = "Math.round(document.querySelector('{box} thead th').getBoundingClientRect().top)"


def wait_for_head_at_top(page, box, tries=50):
    """Poll from Python: Playwright's wait_for_function evaluates strings, which the page's CSP forbids."""
    for _ in range(tries):
        if page.evaluate(HEAD_TOP.format(box=box)) == 0:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the header of {box} did not reach the top of the window")


def test_the_marksheet_shows_every_pupil_and_holds_its_header_at_the_top_of_the_window(open_as, full_group):
    w = full_group
    page = open_as(w.teacher.user, reverse("marksheet", args=[w.group.pk, w.point.pk]))
    box = page.locator(".sheet-container")
    assert page.locator(".sheet tbody tr").count() == 30
    # No box of its own to scroll: the page scrolls, the sheet is as tall as its rows.
    assert box.evaluate("b => b.scrollHeight <= b.clientHeight + 1")
    # Nothing to the right is cut off at 1280 px, the row status included.
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
    status = page.locator("thead th").last.bounding_box()
    assert status["x"] + status["width"] <= box.bounding_box()["x"] + box.bounding_box()["width"] + 1

    page.mouse.move(300, 500)
    page.mouse.wheel(0, 700)
    wait_for_head_at_top(page, ".sheet-container")
    assert page.evaluate("window.scrollY") > 300


def test_an_empty_marksheet_cell_looks_like_a_field(open_as, full_group):
    w = full_group
    page = open_as(w.teacher.user, reverse("marksheet", args=[w.group.pk, w.point.pk]))
    cell = page.locator(f"#c-{w.child.pk}-current")
    assert cell.input_value() == ""
    assert cell.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"
    assert cell.evaluate("c => parseFloat(getComputedStyle(c).borderTopWidth)") >= 1


def test_the_chase_list_shows_every_teacher_with_its_header_held(open_as, transactional_db, world):
    for n in range(30):
        teacher = f.StaffFactory(school=world.school, user__username=f"chase{n}", user__school=world.school)
        f.TeachingGroupFactory(
            school=world.school,
            subject=world.maths,
            year_group=world.y11,
            name=f"11Ma{n + 3}",
            teachers=[teacher],
            pupils=[world.classmate],
        )
    page = open_as(world.data_manager.user, reverse("completion"))
    rows = page.locator(".chase-list tbody tr")
    assert rows.count() >= 30
    box = page.locator(".chase-list").locator("xpath=..")
    assert box.evaluate("b => b.scrollHeight <= b.clientHeight + 1")
    rows.last.scroll_into_view_if_needed()
    wait_for_head_at_top(page, ".chase-list")


def test_on_a_phone_a_pupils_wide_tables_are_named_regions_the_keyboard_can_reach(
    open_as, transactional_db, world
):
    give_history(world)
    page = open_as(world.slt.user, reverse("pupil_detail", args=[world.child.pk]), width=390)
    scrollers = page.evaluate(
        """() => Array.from(document.querySelectorAll('main *')).filter(el => {
            const overflow = getComputedStyle(el).overflowX;
            return (overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1;
        }).map(el => [el.tabIndex, el.getAttribute('role'), el.getAttribute('aria-label') || ''])"""
    )
    assert scrollers, "the history tables should be wider than a phone"
    for tab_index, role, label in scrollers:
        assert tab_index == 0 and role == "region" and label
    assert page.locator("text=93.1%").count() == 1


def test_fft_fields_show_only_when_fft_estimates_are_the_source(open_as, transactional_db, world):
    page = open_as(world.data_manager.user, reverse("target_generate"))
    fft = page.locator("[data-show-when=source]")
    assert fft.is_hidden()
    assert page.locator("#id_year_group").input_value() == str(world.y11.pk)
    page.get_by_label("FFT estimates (CSV or XLSX upload)").check()
    assert fft.is_visible()
    assert page.get_by_label("FFT estimates file (CSV or XLSX)").is_visible()
    page.get_by_label("Flight path from KS2 scaled scores").check()
    assert fft.is_hidden()
