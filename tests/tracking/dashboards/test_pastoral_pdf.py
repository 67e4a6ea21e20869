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
    assert "Attendance 84.5% (under 90%)" in text and "Well below target in 4 subjects" in text
    assert "the key-stage coordinator leads" in text
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


def test_the_transition_report_prints_its_page_of_recommended_pupils_and_counts_long_lists_by_form(
    reviewed,  # noqa: F811
    login,
    monkeypatch,
):
    """A large year recommends hundreds and commends more: paper holds the page of recommended pupils on
    screen, and a commendation list too long to read as names is counted by form."""
    from decimal import Decimal

    from tests import factories as f
    from tracking.dashboards.tables.pastoral import RecommendedTable
    from tracking.dashboards.views import pastoral
    from tracking.models import Pupil

    w = reviewed
    Pupil.objects.filter(pk=w.classmate.pk).update(attendance=Decimal("70"))
    for subject in (w.maths, w.english, w.science):  # Ben below as well: two recommended
        w.point.grades.filter(pupil=w.classmate, subject=subject).update(
            predicted=f.grade(w.school, "5"), current=f.grade(w.school, "5")
        )
    monkeypatch.setattr(RecommendedTable._meta, "per_page", 1)
    monkeypatch.setattr(pastoral, "COMMENDED_NAMED", 1)
    client = login(w.hoy.user)
    query = f"point={w.point.pk}&r-sort=attendance&r-page=2"
    assert (
        f"{query.replace('&', '&amp;')}&amp;print=pdf"
        in client.get(f"/dashboard/transition/?{query}").content.decode()
    )
    text = pdf_text(client.get(f"/dashboard/transition/?{query}&print=pdf").content)
    recommended = text.split("Recommended for next year's mentoring programme")[1].split("Commendations")[0]
    assert w.child.sorted_name in recommended and w.classmate.sorted_name not in recommended  # 70% first
    said = "Rows 2–2 of 2: page 2 of 2, as on screen, sorted by Attendance, ascending."
    assert said in " ".join(recommended.split())
    commended = " ".join(text.split("Commendations")[1].split())
    assert "Good effort across a range of subjects (2) Too many to name here; by form:" in commended
    assert w.other_child.sorted_name not in commended
    assert "Every name is on the year leaders' lists and in the report's XLSX download." in commended
