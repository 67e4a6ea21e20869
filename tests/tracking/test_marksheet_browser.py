"""The marksheet in a real browser: filled from the keyboard, pasted into, corrected and saved."""

import pytest
from django.urls import reverse

from tests import browser
from tests import factories as f
from tracking.models import GradeEntry

pytestmark = browser.MARKS


@pytest.fixture
def sheet(transactional_db, world):
    extra = [
        f.PupilFactory(
            school=world.school, year_group=world.y11, legal_first_name="Cara", legal_last_name="Bell"
        ),
        f.PupilFactory(
            school=world.school, year_group=world.y11, legal_first_name="Dan", legal_last_name="Cole"
        ),
    ]
    world.group.pupils.add(*extra)
    # Rows in name order: Ash, Bell, Cole, Lamb.
    world.rows = [world.classmate, *extra, world.child]
    for pupil, target in zip(world.rows, ("5", "5", "6", "6"), strict=True):
        f.TargetFactory(pupil=pupil, subject=world.maths, grade=f.grade(world.school, target))
    return world


def cell(page, pupil, field):
    return page.locator(f"#c-{pupil.pk}-{field}")


def test_a_teacher_fills_a_sheet_from_the_keyboard_fixes_a_mistake_and_saves(
    live_server, sheet, browser_page
):
    page, w = browser_page, sheet
    ash, bell, cole, lamb = w.rows
    page.goto(live_server.url + reverse("login"))
    page.fill("[name=username]", w.teacher.user.username)
    page.fill("[name=password]", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + reverse("marksheet", args=[w.group.pk, w.point.pk]))

    # The first cell has focus; Enter walks down the column.
    assert page.evaluate("document.activeElement.id") == f"c-{ash.pk}-current"
    for value in ("5", "a", "6", " 7 "):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"c-{lamb.pk}-current"
    # Up arrows go back up the column; Right at the end of the text moves to the next cell.
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == f"c-{ash.pk}-current"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == f"c-{ash.pk}-predicted"

    # Paste a column copied from a spreadsheet: it fills the cells below.
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        "6\r\n5+\r\n4\r\n7\r\n",
    )
    assert [cell(page, p, "predicted").input_value() for p in w.rows] == ["6", "5+", "4", "7"]
    # Live traffic lights, in words as well as colour: the server's answer for what is typed.
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator(f"#row-{ash.pk} [data-progress]")).to_contain_text("Above target")
    expect(page.locator(f"#row-{cole.pk} [data-progress]")).to_contain_text("Well below target")
    expect(page.locator(f"#row-{lamb.pk} [data-progress]")).to_contain_text("Above target")
    expect(page.locator("[data-progress].is-updating")).to_have_count(0)
    # The live light carries the same data-standing as the saved one, and says which grade it judged.
    live = {p.pk: page.locator(f"#row-{p.pk} [data-standing]").get_attribute("data-standing") for p in w.rows}
    assert (
        live[cole.pk] == "well-below"
        and "on predicted" in page.locator(f"#row-{cole.pk} [data-judged]").inner_text()
    )

    # Ctrl+D copies the cell above; Shift+Enter goes back up.
    page.keyboard.press("Tab")  # Ash's security
    page.keyboard.type("h")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+d")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+d")
    assert [cell(page, p, "security").input_value().upper() for p in (bell, cole)] == ["H", "H"]
    page.keyboard.press("Shift+Enter")
    assert page.evaluate("document.activeElement.id") == f"c-{bell.pk}-security"

    # Save the whole sheet: Bell's "a" is not a grade, so nothing is saved and every value is kept.
    page.keyboard.press("Control+s")
    page.wait_for_selector("#sheet-errors")
    assert "Not saved: 1 cell needs fixing" in page.locator("#sheet-errors").inner_text()
    assert not GradeEntry.objects.filter(pupil=bell).exists()
    bad = cell(page, bell, "current")
    assert bad.input_value() == "a"
    assert bad.get_attribute("aria-invalid") == "true"
    assert "Allowed" in page.locator(f"#m-{bell.pk}-current").inner_text()
    assert cell(page, lamb, "current").input_value().strip() == "7"
    assert cell(page, cole, "security").input_value().upper() == "H"

    # The error summary links to the bad cell; fix it from the keyboard and save again.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"c-{bell.pk}-current"
    page.keyboard.press("Control+a")
    page.keyboard.type("4")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".message-success")
    assert not page.locator("#sheet-errors").count()

    grades = {
        e.pupil_id: (e.current.code, e.predicted.code)
        for e in GradeEntry.objects.filter(point=w.point).select_related("current", "predicted")
    }
    assert grades == {
        ash.pk: ("5", "6"),
        bell.pk: ("4", "5+"),
        cole.pk: ("6", "4"),
        lamb.pk: ("7", "7"),
    }
    assert GradeEntry.objects.get(pupil=cole, point=w.point).security == "H"
    assert "Above target" in page.locator(f"#row-{lamb.pk} [data-progress]").inner_text()
    assert "On target" in page.locator(f"#row-{bell.pk} [data-progress]").inner_text()
    assert page.locator(f"#row-{ash.pk} .status-above").count() == 1
    served = {
        p.pk: page.locator(f"#row-{p.pk} [data-standing]").get_attribute("data-standing") for p in w.rows
    }
    assert served == live  # what the page worked out as it was typed is what the server says


def test_rows_autosave_when_you_leave_them_and_drafts_survive_a_reload(live_server, sheet, browser_page):
    page, w = browser_page, sheet
    ash, bell = w.rows[0], w.rows[1]
    page.goto(live_server.url + reverse("login"))
    page.fill("[name=username]", w.teacher.user.username)
    page.fill("[name=password]", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + reverse("marksheet", args=[w.group.pk, w.point.pk]))
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # leaving Ash's row saves it
    page.wait_for_selector(f"#row-{ash.pk} .row-status.is-saved")
    assert GradeEntry.objects.get(pupil=ash, point=w.point).current.code == "5"
    # Typed but not saved (still in the row), then the page reloads: the draft comes back.
    page.keyboard.type("6")
    page.reload()
    page.wait_for_selector("#sheet-restored:not([hidden])")
    assert cell(page, bell, "current").input_value() == "6"
    assert not GradeEntry.objects.filter(pupil=bell).exists()


def test_when_the_session_has_ended_the_page_says_so_and_keeps_the_values(live_server, sheet, browser_page):
    page, w = browser_page, sheet
    ash, bell = w.rows[0], w.rows[1]
    page.goto(live_server.url + reverse("login"))
    page.fill("[name=username]", w.teacher.user.username)
    page.fill("[name=password]", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + reverse("marksheet", args=[w.group.pk, w.point.pk]))
    page.context.clear_cookies(name="sessionid")  # signed out elsewhere, or the session timed out
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_selector("#sheet-offline:not([hidden])")
    assert "sign in again in a new tab, then press Save" in page.locator("#sheet-offline").inner_text()
    assert "Not saved" in page.locator(f"#row-{ash.pk} [data-row-status]").inner_text()
    assert cell(page, ash, "current").input_value() == "5"
    assert not GradeEntry.objects.exists()
    # Reloading (to the login page and back) brings the typed value back from the draft.
    page.goto(
        live_server.url + reverse("login") + "?next=" + reverse("marksheet", args=[w.group.pk, w.point.pk])
    )
    page.fill("[name=username]", w.teacher.user.username)
    page.fill("[name=password]", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#sheet-restored:not([hidden])")
    assert cell(page, ash, "current").input_value() == "5"
    assert cell(page, bell, "current").input_value() == ""
