"""Every table's "Download CSV / XLSX" (issue 14): the page's own URL with ?export=csv|xlsx.

Each row of tests/export_matrix.py is one page's export read by one persona: the CSV has the page's
heading and a row the persona may see, leaves out a row they may not and is in the security log; the
XLSX opens with openpyxl and holds the same cells. Everyone the access matrix keeps off the page gets a
404 for its export too.
"""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from tests.access_matrix import EVERYONE
from tests.export_matrix import EXPORTS, PRINTS, export_url, matrix_row, print_url
from tests.pdftext import pdf_text
from tracking.models import AuditEvent


def read_csv(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the names as UTF-8
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [
        ["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
    ]


def _texts(rows):
    return {cell for row in rows for cell in row}


def _holds(rows, text):
    return any(text in cell for row in rows for cell in row)


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: f"{e.name}-{e.persona}")
def test_each_export_holds_the_rows_its_page_shows_the_persona(client, world, export):
    if export.setup:
        export.setup(world)
    client.force_login(getattr(world, export.persona).user)
    url = export_url(world, export, "csv")
    rows = read_csv(client.get(url))
    assert export.heading in rows[0], rows[0]
    # Audited like every download: the security log names who took which file.
    logged = AuditEvent.objects.filter(action="security.download", by=getattr(world, export.persona).user)
    assert any(event.after["path"] == url for event in logged), url
    assert _holds(rows[1:], export.shows(world)), rows
    if export.hides:
        assert not _holds(rows, export.hides(world)), rows
    sheet = read_xlsx(client.get(export_url(world, export, "xlsx")))
    assert sheet[0] == rows[0]
    # The security log lists downloads, so the CSV just made is one more row in the XLSX.
    assert len(sheet) == len(rows) + (1 if export.name == "security_log" else 0)
    assert _holds(sheet[1:], export.shows(world))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted({e.name for e in EXPORTS}))
def test_only_the_pages_readers_may_download_its_export(client, world, name):
    export = next(e for e in EXPORTS if e.name == name)
    _only_the_pages_readers_get(client, world, name, export_url(world, export, "csv"))


def _only_the_pages_readers_get(client, world, name, url):
    """Every persona the access matrix allows on page `name` gets `url`; everyone else a 404; signed out,
    the sign-in page."""
    _, _, allowed = matrix_row(name)
    failures = []
    for persona in sorted(EVERYONE):
        client.force_login(getattr(world, persona).user)
        status = client.get(url).status_code
        if status != (200 if persona in allowed else 404):
            failures.append(f"{persona} -> {status}")
    assert not failures, failures
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted({e.name for e in EXPORTS}))
def test_each_page_with_an_export_offers_the_csv_and_xlsx_links(client, world, name):
    export = next(e for e in EXPORTS if e.name == name)
    if export.setup:
        export.setup(world)
    _, args, _ = matrix_row(name)
    client.force_login(getattr(world, export.persona).user)
    page = client.get(reverse(name, args=(export.args or args)(world))).content.decode()
    assert "Download CSV" in page and "Download XLSX" in page
    if export.url:
        assert export.url(world, "csv") in page and export.url(world, "xlsx") in page
    else:
        assert "export=csv" in page and "export=xlsx" in page


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_the_exporter_turns_a_formula_into_text_in_csv_and_xlsx(text):
    from tracking.lib import exports

    body, _ = exports.render("csv", ["Name"], [[text], [-3], ["plain"]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))
    assert rows[1] == ["'" + text] and rows[2] == ["-3"] and rows[3] == ["plain"]
    body, _ = exports.render("xlsx", ["Name"], [[text], [-3]])
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    # XML reads a carriage return back as a line feed; the quote in front is what matters.
    assert sheet["A2"].value == "'" + text.replace("\r", "\n") and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == -3


@pytest.mark.django_db
def test_a_pupil_named_like_a_formula_downloads_as_text_and_an_apostrophe_as_written(client, world):
    hostile = f.PupilFactory(
        school=world.school,
        year_group=world.y11,
        legal_first_name="Ann",
        legal_last_name='=HYPERLINK("http://x")',
    )
    irish = f.PupilFactory(
        school=world.school, year_group=world.y11, legal_first_name="Ann", legal_last_name="O'Brien"
    )
    world.group.pupils.add(hostile, irish)
    client.force_login(world.teacher.user)
    rows = read_csv(client.get(reverse("pupil_list") + "?export=csv"))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x"), Ann' in names
    assert "O'Brien, Ann" in names
    sheet = read_xlsx(client.get(reverse("pupil_list") + "?export=xlsx"))
    assert '\'=HYPERLINK("http://x"), Ann' in [row[0] for row in sheet]


@pytest.mark.django_db
@pytest.mark.parametrize("printed", PRINTS, ids=lambda p: f"{p.name}-{p.persona}")
def test_each_print_is_a_pdf_of_what_its_page_shows_the_persona(client, world, printed):
    printed.setup(world)
    client.force_login(getattr(world, printed.persona).user)
    url = print_url(world, printed)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.pdf"') and "no-store" in response["Cache-Control"]
    assert printed.shows(world) in pdf_text(response.content)
    logged = AuditEvent.objects.filter(action="security.download", by=getattr(world, printed.persona).user)
    assert any(event.after["path"] == url for event in logged), url
    page_name = printed.page or printed.name
    _, args, _ = matrix_row(page_name)
    page = client.get(reverse(page_name, args=args(world))).content.decode()
    assert "Print (PDF)" in page and (url if printed.page else "print=pdf") in page


@pytest.mark.django_db
@pytest.mark.parametrize("printed", PRINTS, ids=lambda p: p.name)
def test_only_the_pages_readers_may_print_it(client, world, printed):
    _only_the_pages_readers_get(client, world, printed.name, print_url(world, printed))


@pytest.mark.django_db
def test_an_export_holds_every_filtered_row_not_one_page(client, world):
    for i in range(60):
        world.group.pupils.add(
            f.PupilFactory(school=world.school, year_group=world.y11, legal_last_name=f"Many{i}")
        )
    client.force_login(world.teacher.user)
    rows = read_csv(client.get(reverse("pupil_list") + "?export=csv&page=2&q=Many"))
    assert len(rows) == 61
    assert len(read_csv(client.get(reverse("pupil_list") + "?export=csv&q=Many5"))) == 1 + 1 + 10


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["export=csv", "export=xlsx", "print=pdf"])
def test_the_trusts_downloads_and_print_are_for_trust_staff_only(client, world, query):
    """The trust view has no school persona in the access matrix, so its files are checked here."""
    url = f"{reverse('dashboard_trust')}?{query}"
    let_in = []
    for persona in sorted(EVERYONE):
        client.force_login(getattr(world, persona).user)
        if client.get(url).status_code != 404:
            let_in.append(persona)
    assert not let_in, let_in
    client.force_login(f.UserFactory(username="trust", is_trust_admin=True, school=None))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
