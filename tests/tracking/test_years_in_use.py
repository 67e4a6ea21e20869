"""Filters and pickers offer the year groups a school actually has: an 11-16 school set up (as the demo
is) with empty Years 12 and 13 never shows a Year 12 choice or a key stage 5 sheet."""

import re

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def sixth_form_rows(world):
    """Year groups the school has on paper but nobody in: set-up may leave them, the demo makes them."""
    return [f.YearGroupFactory(school=world.school, number=n) for n in (12, 13)]


def _year_options(html, name="year_group"):
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    return re.findall(r"<option[^>]*>([^<]+)</option>", select.group(1))


@pytest.mark.parametrize(
    "url_name, persona",
    [("pupil_list", "slt"), ("group_list", "slt"), ("interventions:flag_list", "slt"),
     ("target_generate", "data_manager")],
)  # fmt: skip
def test_year_choices_are_the_year_groups_with_pupils(client, world, sixth_form_rows, url_name, persona):
    client.force_login(getattr(world, persona).user)
    options = _year_options(client.get(reverse(url_name)).content.decode())
    assert "Year 11" in options
    assert "Year 12" not in options and "Year 13" not in options


def test_a_year_group_counts_once_it_has_a_pupil_on_roll(client, world, sixth_form_rows):
    f.PupilFactory(school=world.school, year_group=sixth_form_rows[0])
    client.force_login(world.slt.user)
    assert "Year 12" in _year_options(client.get(reverse("pupil_list")).content.decode())


def test_an_11_16_school_has_no_key_stage_5_tracking_sheet(client, world, sixth_form_rows):
    client.force_login(world.slt.user)
    page = client.get(reverse("interventions:ks_sheet") + "?ks=5")
    assert page.status_code == 200 and page.context["key_stage"] == 4
    assert 5 not in page.context["stages"] and "?ks=5" not in page.content.decode()
