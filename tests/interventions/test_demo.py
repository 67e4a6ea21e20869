"""The demo school shows flags to their owners straight away."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from interventions.models import Flag, InterventionSettings, RulePreset
from tracking import demo


@pytest.fixture
def built(db):
    # Late November: Year 10 and 11 have a locked Autumn 1 point to run the rules on.
    return demo.build(pupils=150, seed=3, today=date(2026, 11, 23))


def test_the_demo_runs_longfield_so_the_maths_head_and_the_11a_tutor_have_flags(built):
    assert InterventionSettings.objects.get(school=built.school).active_preset.code == "longfield"
    assert Flag.objects.filter(owner__user__username="hod.maths", scope="subject").exists()
    assert Flag.objects.filter(owner__user__username="tutor.11a", scope="form_tutor").exists()
    assert not Flag.objects.filter(point__is_locked=False).exists()


def test_the_demo_maths_head_sees_their_flags_on_the_home_page_and_the_list(client, built):
    client.force_login(built.staff["hod.maths"].user)
    assert "Your open flags" in client.get(reverse("home")).content.decode()
    rows = client.get(reverse("interventions:flag_list")).context["table"].data
    assert len(rows) and {r.subject.name for r in rows} == {"Mathematics"}


def test_the_install_presets_command_is_safe_to_run_again(built):
    call_command("install_presets", "--school", built.school.slug, "--activate", "laude")
    call_command("install_presets")
    assert RulePreset.objects.filter(school=built.school).count() == 3
    # The demo already chose Longfield; installing again does not override a school's choice.
    assert InterventionSettings.objects.get(school=built.school).active_preset.code == "longfield"
