"""The year leaders' lists and the tutor's view printed as PDFs: what the page shows, on A4."""

import pytest

from tests.pdftext import pdf_text
from tests.tracking.dashboards.test_pastoral import reviewed  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_year_lists_print_each_lists_page_on_screen_and_say_which(reviewed, login, monkeypatch):  # noqa: F811
    """A large year's lists run to hundreds of pupils: paper holds each list's page on screen, in its sort
    (every member is in the downloads)."""
    from tracking.dashboards.tables.pastoral import YearListTable

    w = reviewed
    monkeypatch.setattr(YearListTable._meta, "per_page", 1)
    client = login(w.hoy.user)
    query = f"point={w.point.pk}&good_effort-sort=-name&good_effort-page=2"
    page = client.get(f"/dashboard/year-lists/?{query}").content.decode()
    assert f"{query.replace('&', '&amp;')}&amp;print=pdf" in page
    response = client.get(f"/dashboard/year-lists/?{query}&print=pdf")
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="year-lists-')
    text = pdf_text(response.content)
    assert "Year leaders' lists: Year 11" in text
    assert "Good effort across a range of subjects (2)" in text
    # Each title twice: in the list of lists, then over its section.
    good_effort = text.rsplit("Good effort across a range of subjects (2)", 1)[1]
    good_effort = good_effort.split("Particularly good")[0]
    first, second = sorted((w.classmate.sorted_name, w.other_child.sorted_name), reverse=True)
    assert second in good_effort and first not in good_effort  # Z to A: the second page's one
    said = "Rows 2–2 of 2: page 2 of 2, as on screen, sorted by Pupil, descending."
    assert said in " ".join(good_effort.split())
    slower = text.rsplit("Slower progress than expected across a range of subjects (1)", 1)[1]
    assert w.child.sorted_name in slower and "84.5% (low: check attendance)" in slower
    assert "Rows 1–1" not in slower  # a list on one page says nothing more


def test_the_year_lists_pdf_is_not_found_for_those_without_the_page(reviewed, other_world, login):  # noqa: F811
    w = reviewed
    for persona in ("tutor", "mentor", "parent"):
        assert login(getattr(w, persona).user).get("/dashboard/year-lists/?print=pdf").status_code == 404
    url = f"/dashboard/year-lists/?point={other_world.point.pk}&print=pdf"
    assert login(w.hoy.user).get(url).status_code == 404


def test_the_tutor_prints_the_forms_grid_and_who_to_talk_to(reviewed, login):  # noqa: F811
    w = reviewed
    client = login(w.tutor.user)
    page = client.get(f"/dashboard/forms/{w.form.pk}/").content.decode()
    assert "Print (PDF)" in page and "print=pdf" in page
    response = client.get(f"/dashboard/forms/{w.form.pk}/?print=pdf")
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = pdf_text(response.content)
    assert f"Form {w.form.name}: {w.point.name}" in text
    assert "Attendance 84.5% (under 90%)" in text and "Below the grade expected now in 4 subjects" in text
    for name in (w.child.sorted_name, w.classmate.sorted_name):  # the form: Ada and Ben
        assert name in text
    for subject in ("Mathematics", "Biology", "History"):  # the form in each subject
        assert subject in text
    assert "Well below" in text and "effort 4" in text  # each pupil's cells, with the school's words


def test_the_tutor_view_pdf_is_not_found_outside_the_form(reviewed, other_world, login):  # noqa: F811
    w = reviewed
    url = f"/dashboard/forms/{w.form.pk}/?print=pdf"
    assert login(w.teacher.user).get(url).status_code == 404
    assert login(w.parent.user).get(url).status_code == 404
    assert login(w.tutor.user).get(f"/dashboard/forms/{other_world.form.pk}/?print=pdf").status_code == 404
