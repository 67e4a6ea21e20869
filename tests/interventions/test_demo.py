"""The demo school shows flags to their owners straight away (one build: it takes a few seconds)."""

from datetime import date

from django.core.management import call_command
from django.urls import reverse

from interventions.models import Flag, InterventionSettings, RulePreset
from tracking.demo import school


def test_the_demo_runs_longfield_so_owners_see_flags_at_once_and_presets_reinstall_safely(client, db):
    # Late November: Years 10 and 11 have a locked Autumn 1 point to run the rules on.
    built = school.build(pupils=150, seed=3, today=date(2026, 11, 23))
    assert InterventionSettings.objects.get(school=built.school).active_preset.code == "longfield"
    assert Flag.objects.filter(owner__user__username="hod.maths", scope="subject").exists()
    assert Flag.objects.filter(scope="key_stage", owner__isnull=False).exists()
    # Longfield gives form tutors no flags of their own.
    assert not Flag.objects.filter(scope="form_tutor", source="rule").exists()
    # ...so tutors flag by hand the pupils they fear will slip, and plan for them.
    assert Flag.objects.filter(scope="form_tutor", source="manual", owner__isnull=False).exists()
    assert not Flag.objects.filter(point__is_locked=False).exists()

    client.force_login(built.staff["hod.maths"].user)
    assert "Your open flags" in client.get(reverse("home")).content.decode()
    rows = client.get(reverse("interventions:flag_list")).context["table"].data
    assert len(rows) and {r.subject.name for r in rows} == {"Mathematics"}

    call_command("install_presets", "--school", built.school.slug, "--activate", "laude", stdout=None)
    call_command("install_presets")
    assert RulePreset.objects.filter(school=built.school).count() == 3
    # The demo chose Longfield; installing again never overrides a school's choice.
    assert InterventionSettings.objects.get(school=built.school).active_preset.code == "longfield"
