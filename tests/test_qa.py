"""Regressions found by walking the demo school as every role (and as a hostile user)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_yes_no_filters_on_the_pupil_list_offer_any_rather_than_unknown(client, world):
    client.force_login(world.slt.user)
    page = client.get(reverse("pupil_list")).content.decode()
    assert ">Unknown<" not in page
    assert '<option value="" selected>Any</option>' in page
