"""The SENCo's view printed as a PDF: its figures by need and subject, and every SEN pupil in scope."""

import pytest

from tests.interventions.test_sen_view import sen  # noqa: F401  (the fixture)
from tests.pdftext import pdf_text
from tests.tracking.dashboards.test_pastoral import reviewed  # noqa: F401  (the fixture sen uses)

pytestmark = pytest.mark.django_db


def test_the_sen_view_prints_its_figures_and_every_sen_pupil_not_one_page(sen, login, monkeypatch):  # noqa: F811
    from interventions.sen import views

    w = sen
    monkeypatch.setattr(views, "SEN_PUPILS_PER_PAGE", 1)
    client = login(w.senco.user)
    page = client.get("/interventions/sen/?page=2").content.decode()
    assert "Print (PDF)" in page and "print=pdf" in page and "page=2&amp;print" not in page
    response = client.get("/interventions/sen/?print=pdf")
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="sen-pupils-autumn-2-202627.pdf"'
    text = pdf_text(response.content)
    assert "SEN pupils' progress" in text and "By primary need" in text and "Mathematics" in text
    assert "-100 points on target" in text  # Ada's SEN support against Ben's no SEN
    assert "SEN pupils, their plans and sessions (2)" in text
    assert w.child.sorted_name in text and w.other_child.sorted_name in text
    assert w.classmate.sorted_name not in text  # no SEN
    assert "Level 2" in text and "1 of 2 (50%)" in text  # Ada's plan and sessions
    only_ehcp = pdf_text(client.get("/interventions/sen/?need=E&print=pdf").content)
    assert "Pupils listed: EHC plan" in only_ehcp and w.child.sorted_name not in only_ehcp


def test_the_sen_pdf_keeps_the_pages_scope_and_is_not_found_for_others(sen, login):  # noqa: F811
    w = sen
    text = pdf_text(login(w.teacher.user).get("/interventions/sen/?print=pdf").content)
    assert w.child.sorted_name in text and w.other_child.sorted_name not in text  # Cy: another group
    hod = login(w.hod.user)
    url = f"/interventions/sen/?term={w.term.pk}&year=11&subject={w.english.pk}&print=pdf"
    assert hod.get(url).status_code == 404
    for persona in ("tutor", "mentor", "hoy", "parent"):
        assert login(getattr(w, persona).user).get("/interventions/sen/?print=pdf").status_code == 404
