"""The Academic RAG sheet in a real browser: filled from the keyboard, a draft that survives a reload
and an expired session, saved with Ctrl+S."""

from datetime import date, timedelta

from django.urls import reverse

from mentoring.models import RagEntry, RagWindow
from tests import browser
from tests import factories as f

pytestmark = browser.MARKS


def test_a_teacher_fills_the_rag_from_the_keyboard_and_a_draft_survives_until_saved(
    live_server, transactional_db, world, browser_page
):
    page, w = browser_page, world
    today = date.today()
    window = RagWindow.objects.create(
        school=w.school,
        academic_year=w.year,
        month=today.replace(day=1),
        opens_on=today,
        closes_on=today + timedelta(days=3),
    )
    window.year_groups.set([w.y11])
    url = live_server.url + reverse("mentoring:rag_sheet", args=[window.pk, w.group.pk])
    page.goto(live_server.url + reverse("login"))
    page.fill("[name=username]", w.teacher.user.username)
    page.fill("[name=password]", f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(url)

    # Rows by name: Ash (classmate), then Lamb (child). R in a rating box chooses red; Enter moves down.
    page.focus(f"#rating-{w.classmate.pk}")
    page.keyboard.press("g")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"rating-{w.child.pk}"
    page.keyboard.press("r")
    page.fill(f"#comment-{w.child.pk}", "Homework missing")

    # Not saved yet: a reload (or signing in again after the session ended) brings it back.
    page.reload()
    assert page.input_value(f"#rating-{w.child.pk}") == "R"
    assert page.input_value(f"#comment-{w.child.pk}") == "Homework missing"
    assert "brought back from this computer" in page.inner_text("#rag-draft-note")
    assert not RagEntry.objects.exists()

    page.focus(f"#comment-{w.child.pk}")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".message-success")
    saved = {e.pupil_id: (e.rating, e.comment) for e in RagEntry.objects.all()}
    assert saved == {w.classmate.pk: ("G", ""), w.child.pk: ("R", "Homework missing")}
    # The server confirmed the save: the draft is gone.
    page.reload()
    assert page.locator("#rag-draft-note").is_hidden()
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('uplift:marksheet:rag:')).length")
        == 0
    )
