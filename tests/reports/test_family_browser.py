"""The family page on a phone (390 px): nothing clipped, no sideways scrolling, every label whole."""

import shutil

import pytest
from django.urls import reverse

from tests.reports.helpers import give_grades, published_run
from tests.site.test_layout import open_as  # noqa: F401 - the fixture
from tracking.models import GradeEntry

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs /usr/bin/chromium"),
]

CLIPPED = """() => [...document.querySelectorAll('.status, .status-label, .family-grades dd, .btn')]
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth)
    .map(el => el.textContent.trim())"""


def test_on_a_phone_the_family_page_clips_nothing_and_never_scrolls_sideways(
    open_as,  # noqa: F811 - the fixture imported above
    transactional_db,
    world,
):
    from tests import factories as f
    from tests.reports.helpers import verify

    world.school.label_well_below = "Well below the grade we expect now"
    world.school.save(update_fields=["label_well_below"])
    give_grades(world)
    entry = GradeEntry.objects.get(pupil=world.child, subject=world.maths, point=world.point)
    entry.current = entry.predicted = f.grade(world.school, "3")
    entry.save()
    verify([entry])
    if not hasattr(GradeEntry, "verified_at"):
        world.point.is_locked = True
        world.point.save(update_fields=["is_locked"])
    published_run(world)
    page = open_as(world.parent.user, reverse("reports:family_child", args=[world.child.pk]), width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(CLIPPED) == []
    assert "Well below the grade we expect now" in page.inner_text("main")
