"""Regressions found by walking the demo school as every role (and as a hostile user)."""

import re

import pytest
from django.urls import reverse

from tests.personas import sign_in_two_step

pytestmark = pytest.mark.django_db


def test_yes_no_filters_on_the_pupil_list_offer_any_rather_than_unknown(client, world):
    client.force_login(world.slt.user)
    page = client.get(reverse("pupil_list")).content.decode()
    assert ">Unknown<" not in page
    assert '<option value="" selected>Any</option>' in page


def test_an_empty_flag_list_says_so_instead_of_showing_a_bare_header(client, world):
    client.force_login(world.teacher.user)
    page = client.get(reverse("interventions:flag_list")).content.decode()
    assert "No flags match these filters." in page


def test_a_pupil_search_with_no_match_says_so(client, world):
    client.force_login(world.slt.user)
    assert "No pupils match" in client.get(reverse("pupil_list"), {"q": "zzzz"}).content.decode()


def test_a_subject_with_a_grade_but_no_target_says_no_target_not_no_grade(client, world):
    from tests import factories as f

    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, current=f.grade(world.school, "5")
    )
    client.force_login(world.teacher.user)
    page = client.get(reverse("pupil_detail", args=[world.child.pk])).content.decode()
    assert "No target set" in page
    assert "No grade yet" not in page


def test_demo_staff_titles_fit_their_first_names():
    from tracking.demo.data import FIRST_NAMES, _title_for

    assert _title_for("Oliver", "Mrs") == "Mr"
    assert _title_for("Oliver", "Ms") == "Mr"
    assert _title_for("Amelia", "Mr") == "Ms"
    assert _title_for("Amelia", "Mrs") == "Mrs"
    assert {_title_for(name, "Dr") for name in FIRST_NAMES} == {"Dr"}


def test_admin_pages_carry_the_uplift_favicon(client, world):
    world.data_manager.user.is_staff = True
    world.data_manager.user.save()
    sign_in_two_step(client, world.data_manager.user)
    for url in (reverse("admin:index"), reverse("admin:tracking_pupil_changelist")):
        page = client.get(url).content.decode()
        assert 'rel="icon"' in page and "img/favicon" in page
        assert "Uplift administration" in page


def test_a_senco_with_no_home_panels_is_pointed_at_their_pages_not_told_there_is_nothing(client, world):
    client.force_login(world.senco.user)
    page = client.get(reverse("home")).content.decode()
    assert "Where to start" in page
    assert f'href="{reverse("pupil_list")}"' in page
    assert "nothing for your account to do" not in page


def test_installing_default_flight_paths_counts_subjects_in_plain_english(client, world):
    client.force_login(world.data_manager.user)
    response = client.post(reverse("flight_paths"), {"action": "defaults"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Default flight paths added for" in text and "subject(s)" not in text


def test_the_pupil_page_summary_table_scrolls_inside_the_page_on_a_phone(client, world):
    from tests import factories as f

    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, current=f.grade(world.school, "5")
    )
    client.force_login(world.teacher.user)
    page = client.get(reverse("pupil_detail", args=[world.child.pk])).content.decode()
    assert re.search(
        r'<div class="table-scroll">\s*<table class="table table-compact pupil-summary-table">', page
    )


def test_home_flag_panel_spells_out_the_level(client, world):
    from interventions import services
    from interventions.models import Scope

    services.flag_raise(
        pupil=world.child, scope=Scope.KEY_STAGE, level=3, reason="Slipping everywhere", by=world.slt.user
    )
    client.force_login(world.slt.user)
    page = client.get(reverse("home")).content.decode()
    assert "level 3: Slipping everywhere" in page
    assert "L3 Slipping" not in page
