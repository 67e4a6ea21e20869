"""What every real-browser test shares: Debian's Chromium, driven by Playwright."""

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"

# A browser test's module marks: `pytestmark = browser.MARKS`. Under `make test` a skip fails the run.
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    )
