import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from tests.access_matrix import ACTIONS, EVERYONE, EXEMPT, ROWS
from tests.dbstate import changed_tables, database_state
from tracking.models import AuditEvent


def _named_urls():
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                ns = pattern.namespace or ""
                if ns == "admin":
                    continue
                walk(pattern, f"{namespace}{ns}:" if ns else namespace)
            elif pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver())
    return names


def test_every_named_url_is_in_the_access_matrix():
    covered = {row[0] for row in ROWS} | set(EXEMPT)
    missing = _named_urls() - covered
    assert not missing, f"Add these URLs to tests/access_matrix.py: {sorted(missing)}"


def _user(world, persona):
    return getattr(world, persona).user


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_each_role_gets_exactly_the_pages_the_policy_allows(client, world, persona):
    failures = []
    client.force_login(_user(world, persona))
    for name, args, allowed in ROWS:
        url = reverse(name, args=args(world))
        status = client.get(url).status_code
        expected = 200 if persona in allowed else 404
        if status != expected:
            failures.append(f"{url} ({name}) -> {status}, expected {expected}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_from_every_page(client, world):
    for name, args, _ in ROWS:
        url = reverse(name, args=args(world))
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_nothing_of_another_school_is_visible_even_to_its_whole_school_roles(client, world, other_world):
    for persona in ("slt", "data_manager", "senco", "teacher"):
        client.force_login(_user(world, persona))
        for pk in (other_world.child.pk, other_world.other_child.pk):
            assert client.get(reverse("pupil_detail", args=[pk])).status_code == 404
        assert client.get(reverse("group_detail", args=[other_world.group.pk])).status_code == 404
        page = client.get(reverse("pupil_list"), {"q": other_world.child.legal_last_name})
        assert other_world.child.upn not in page.content.decode()


@pytest.mark.django_db
def test_a_parent_cannot_reach_another_familys_child_by_guessing_ids(client, world):
    client.force_login(world.parent.user)
    from tracking.models import Pupil

    others = list(Pupil.objects.exclude(pk=world.child.pk))
    assert len(others) == 2  # the classmate and other_child
    for pupil in others:
        assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
    assert client.get(reverse("pupil_detail", args=[world.child.pk])).status_code == 200


@pytest.mark.django_db
def test_a_trust_admin_sees_pupils_of_the_trust_school_they_work_in(world, other_world):
    from tests import factories as f
    from tracking import permissions

    # One school at a time (tests/tracking/test_school_switcher.py): here their own, then one picked.
    trust_user = f.UserFactory(username="trust.central", is_trust_admin=True, school=world.school)
    visible = set(permissions.pupils_visible_to(trust_user).values_list("pk", flat=True))
    assert world.child.pk in visible and other_world.child.pk not in visible
    trust_user = f.UserFactory(username="trust.other", is_trust_admin=True, school=world.school)
    trust_user._uplift_school_choice = other_world.school.pk
    visible = set(permissions.pupils_visible_to(trust_user).values_list("pk", flat=True))
    assert other_world.child.pk in visible and world.child.pk not in visible
    assert set(permissions.schools_to_switch_to(trust_user)) == {world.school, other_world.school}
    school_user = world.slt.user
    assert other_world.child.pk not in set(
        permissions.pupils_visible_to(school_user).values_list("pk", flat=True)
    )


def _post(client, url, body, capture):
    """POST in a savepoint that is rolled back: what changed (tables, tasks queued), then undo it."""
    with transaction.atomic():
        before = database_state()
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with capture() as queued:
            response = client.post(url, body)
        changed = changed_tables(before, database_state())
        # A file served is logged in the security log whatever the method: that records, it changes nothing.
        new_events = set(AuditEvent.objects.filter(pk__gt=last_event).values_list("action", flat=True))
        if new_events == {"security.download"}:
            changed.remove(AuditEvent._meta.db_table)
        transaction.set_rollback(True)
    return response, changed, len(queued)


def _action_id(row):
    return row[0]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS, ids=[_action_id(row) for row in ACTIONS])
def test_each_action_takes_effect_for_exactly_the_roles_allowed_and_changes_nothing_for_the_rest(
    client, world, action, django_capture_on_commit_callbacks
):
    name, args, body, allowed = action
    url = reverse(name, args=args(world))
    failures = []
    response, changed, queued = _post(client, url, body(world), django_capture_on_commit_callbacks)
    if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
        failures.append(f"anonymous -> {response.status_code}, expected a redirect to login")
    if changed or queued:
        failures.append(f"anonymous changed {changed} / queued {queued} task(s)")
    for persona in sorted(EVERYONE):
        client.force_login(getattr(world, persona).user)
        response, changed, queued = _post(client, url, body(world), django_capture_on_commit_callbacks)
        status = response.status_code
        if persona in allowed:
            if status >= 400 or not (changed or queued):
                failures.append(
                    f"{persona} -> {status}, changed {changed}, queued {queued}: expected an effect"
                )
        elif status != 404 or changed or queued:
            failures.append(
                f"{persona} -> {status}, changed {changed}, queued {queued}: expected 404, no change"
            )
    assert not failures, f"POST {url} ({name})\n" + "\n".join(failures)


SHOW_ONLY = [row for row in ROWS if row[0] not in {action[0] for action in ACTIONS}]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_posting_to_a_page_that_only_shows_changes_nothing(
    client, world, persona, django_capture_on_commit_callbacks
):
    """The guard for ACTIONS: a page missing from it must not act on a POST (nor fail on one)."""
    client.force_login(getattr(world, persona).user)
    failures = []
    for name, args, _allowed in SHOW_ONLY:
        url = reverse(name, args=args(world))
        response, changed, queued = _post(client, url, {}, django_capture_on_commit_callbacks)
        if response.status_code >= 500 or changed or queued:
            failures.append(f"{url} ({name}) -> {response.status_code}, changed {changed}, queued {queued}")
    assert not failures, "Add these to ACTIONS in tests/access_matrix.py:\n" + "\n".join(failures)
