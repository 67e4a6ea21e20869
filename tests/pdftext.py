"""What a PDF says, read back with poppler's pdftotext (tests/run.sh installs poppler-utils)."""

import shutil
import subprocess

import pytest


def pdf_text(content):
    """The text of a PDF's pages, in reading order (one form feed between pages)."""
    assert content.startswith(b"%PDF-"), content[:40]
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found: install poppler-utils (`make test` does)")
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def pdf_pages(content):
    """The number of pages, from pdfinfo."""
    done = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, timeout=60, check=True)
    line = next(line for line in done.stdout.decode().splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])
