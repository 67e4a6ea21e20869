"""Walk the site as every persona: every navigation link opens, and no page a persona can reach by
following links fails. Catches pages that work in their own tests but break from the menus."""

import re

import pytest

from tests.access_matrix import EVERYONE, PARENTS

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/admin/", "/accounts/logout", "/media/")
MIN_PAGES = {False: 5, True: 2}  # staff, parents


def _links(html):
    return {m.replace("&amp;", "&") for m in HREF.findall(html) if not m.startswith(SKIP)}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_every_link_a_persona_can_follow_opens_without_error(client, world, persona):
    client.force_login(getattr(world, persona).user)
    home = client.get("/")
    assert home.status_code == 200
    seen, frontier, failures = {"/"}, _links(home.content.decode()), []
    for _depth in range(2):
        next_frontier = set()
        for url in sorted(frontier - seen)[:80]:
            seen.add(url)
            response = client.get(url)
            if response.status_code >= 500 or response.status_code == 404:
                failures.append(f"{url} -> {response.status_code}")
            elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
                next_frontier |= _links(response.content.decode())
        frontier = next_frontier
    assert not failures, f"{persona}: " + ", ".join(failures)
    # The walk went somewhere: home's menu leads to more pages than home itself.
    assert len(seen) >= MIN_PAGES[persona in PARENTS], (persona, sorted(seen))
