"""The SENCo's view printed as a PDF: its figures by need and subject, and the page of SEN pupils shown."""

import pytest

from tests.interventions.test_sen_view import sen  # noqa: F401  (the fixture)
from tests.pdftext import pdf_text
from tests.tracking.dashboards.test_pastoral import reviewed  # noqa: F401  (the fixture sen uses)

pytestmark = pytest.mark.django_db


def test_the_sen_view_prints_its_figures_and_the_page_of_sen_pupils_shown(sen, login, monkeypatch):  # noqa: F811
    """A whole school's SEN pupils run to hundreds: paper holds the page on screen, in its sort, and says
    which (the downloads hold every one)."""
    from interventions.sen import views

    w = sen
    monkeypatch.setattr(views, "SEN_PUPILS_PER_PAGE", 1)
    client = login(w.senco.user)
    page = client.get("/interventions/sen/?sort=-name&page=2").content.decode()
    assert "Print (PDF)" in page and "sort=-name&amp;page=2&amp;print=pdf" in page  # the page on screen
    response = client.get("/interventions/sen/?sort=-name&print=pdf")
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="sen-pupils-autumn-2-202627.pdf"'
    text = pdf_text(response.content)
    assert "SEN pupils' progress" in text and "By primary need" in text and "Mathematics" in text
    assert "-100 points on target" in text  # Ada's SEN support against Ben's no SEN
    assert "SEN pupils, their plans and sessions (2)" in text
    first, second = w.child, w.other_child  # Z to A: Lamb, then Dunn
    assert first.sorted_name in text and second.sorted_name not in text
    assert "Level 2" in text and "1 of 2 (50%)" in text  # Ada's plan and sessions
    assert w.classmate.sorted_name not in text  # no SEN
    flat = " ".join(text.split())
    assert "Rows 1–1 of 2: page 1 of 2, as on screen, sorted by Pupil, descending." in flat
    assert "the CSV and XLSX downloads hold every row" in flat
    text = pdf_text(client.get("/interventions/sen/?sort=-name&page=2&print=pdf").content)
    assert second.sorted_name in text and first.sorted_name not in text
    assert "Rows 2–2 of 2: page 2 of 2" in " ".join(text.split())
    only_ehcp = pdf_text(client.get("/interventions/sen/?need=E&print=pdf").content)
    assert "Pupils listed: EHC plan" in only_ehcp and w.child.sorted_name not in only_ehcp
    assert "Rows" not in only_ehcp  # one pupil, one page: nothing more to say


def test_the_sen_pdf_keeps_the_pages_scope_and_is_not_found_for_others(sen, login):  # noqa: F811
    w = sen
    text = pdf_text(login(w.teacher.user).get("/interventions/sen/?print=pdf").content)
    assert w.child.sorted_name in text and w.other_child.sorted_name not in text  # Cy: another group
    hod = login(w.hod.user)
    url = f"/interventions/sen/?term={w.term.pk}&year=11&subject={w.english.pk}&print=pdf"
    assert hod.get(url).status_code == 404
    for persona in ("tutor", "mentor", "hoy", "parent"):
        assert login(getattr(w, persona).user).get("/interventions/sen/?print=pdf").status_code == 404
