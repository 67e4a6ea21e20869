"""Seeding the demo from scratch: the same seed gives the same school, and a real school is never touched."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from tests import factories as f
from tracking.models import Pupil, School


def _fingerprint():
    return list(
        Pupil.objects.annotate(n=Count("grades"))
        .order_by("upn")
        .values_list("upn", "legal_first_name", "ks2_maths", "n")
    )


def test_the_same_seed_rebuilds_the_same_pupils_and_grades(db):
    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    first = _fingerprint()
    call_command("seed_demo", "--pupils", "60", "--seed", "5")
    assert _fingerprint() == first and len(first) >= 60


def test_demo_refuses_to_touch_a_database_with_a_real_school(db):
    f.SchoolFactory(name="Real school", is_demo=False)
    with pytest.raises(CommandError, match="real school"):
        call_command("seed_demo", "--pupils", "60")
    assert not School.objects.filter(is_demo=True).exists()
