"""PDFs fetch only Uplift's own static files and data: URIs: not the network, not the server's disk."""

import re
import subprocess

import pytest

from tracking.lib.pdf import html_to_pdf
from tracking.lib.pdf import url_fetcher as static_only_fetcher

SQUARE_PAGE = "@page { size: 100mm 100mm; }"


def _page_size(pdf, tmp_path):
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return round(float(width)), round(float(height))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/x.css",
        "http://testserver/static/../config/settings.py",
        "http://testserver/media/secret.csv",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data(url):
    with pytest.raises(ValueError):
        static_only_fetcher().fetch(url)


def test_the_fetcher_serves_uplifts_static_files_and_data_uris():
    css = static_only_fetcher().fetch("http://uplift.example/static/css/uplift.css")
    assert css.content_type == "text/css" and css.read()
    assert static_only_fetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_a_linked_file_on_the_servers_disk_is_not_read(tmp_path):
    sheet = tmp_path / "square.css"
    sheet.write_text(SQUARE_PAGE)
    pdf = html_to_pdf(f'<link rel="stylesheet" href="{sheet.as_uri()}"><p>Report</p>')
    assert _page_size(pdf, tmp_path) == (595, 842)  # A4: the square page was never read


def test_a_data_uri_stylesheet_is_used(tmp_path):
    pdf = html_to_pdf(f'<link rel="stylesheet" href="data:text/css,{SQUARE_PAGE}"><p>Report</p>')
    assert _page_size(pdf, tmp_path) == (283, 283)


def test_web_fonts_are_fetched_once_per_thread_and_every_pdf_still_embeds_them(monkeypatch):
    """A worker making 300 reports registers the report font once, not 300 times; a second thread has a
    configuration of its own (WeasyPrint's is not safe to share)."""
    import threading

    from tracking.lib import pdf as pdfs

    fetched = []
    real = pdfs.static_path

    def counting(url):
        fetched.append(url)
        return real(url)

    monkeypatch.setattr(pdfs, "static_path", counting)
    monkeypatch.setattr(pdfs, "_fonts", threading.local())
    html = '<link rel="stylesheet" href="/static/css/report-pdf.css"><p>Ada <b>Lamb</b></p>'
    first, second = html_to_pdf(html), html_to_pdf(html)
    fonts = [url for url in fetched if url.endswith(".woff")]
    assert fonts and len(fonts) == len(set(fonts)), fonts
    for made in (first, second):
        fonts_in = subprocess.run(["pdffonts", "-"], input=made, capture_output=True, check=True).stdout
        assert b"Atkinson-Hyperlegible" in fonts_in, fonts_in
    other = []
    thread = threading.Thread(target=lambda: other.append(pdfs.font_config()))
    thread.start()
    thread.join()
    assert other[0] is not pdfs.font_config()
