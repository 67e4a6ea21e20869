"""The nav offers only what opens: every link a role is shown answers 200 for that role."""

import pytest

from tests.personas import ROLES, user_for
from tracking.school.navigation import nav_for

PERSONAS = (*ROLES, "parent", "other_parent")


def _links(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return [(entry["label"], entry["url"]) for entry in nav_for(request)]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_in_a_personas_nav_opens_for_them(persona, world, client):
    user = user_for(world, persona)
    client.force_login(user)
    links = _links(user)
    assert links, "everyone signed in has at least Home"
    answers = {label: client.get(url).status_code for label, url in links}
    assert answers == {label: 200 for label, _ in links}


def test_a_nav_entry_must_ask_a_permissions_rule():
    from tracking.school import navigation

    with pytest.raises(ValueError, match="permissions rule"):
        navigation.register("Anything", "home", lambda user: True)
