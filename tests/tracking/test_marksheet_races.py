"""Two people saving the same sheet at the same moment, on a real database (PostgreSQL only)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories as f
from tracking.marksheets import forms, queries, services, windows
from tracking.models import GradeEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _race(world, version, values, was):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (bash tests/run.sh)")
    barrier = threading.Barrier(len(values))
    results, errors = {}, []

    def save(user, value):
        try:
            sheet = queries.load_sheet(world.group, world.point, user=user)
            row = forms.RowInput(world.child.pk, version, {"current": value}, dict(was), {})
            barrier.wait(timeout=10)
            results[value] = services.marksheet_save(sheet=sheet, rows={world.child.pk: row}, by=user)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    users = [world.teacher.user, world.hod.user]
    threads = [threading.Thread(target=save, args=(u, v)) for u, v in zip(users, values, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_people_creating_the_same_row_at_once_give_one_save_and_one_clash(world):
    results = _race(world, 0, ["5", "6"], dict.fromkeys(windows.FIELDS, ""))
    winners = [value for value, result in results.items() if result.ok]
    losers = [result for result in results.values() if not result.ok]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].conflicts == {world.child.pk: {"current": winners[0]}}
    entry = GradeEntry.objects.get(pupil=world.child, point=world.point)
    assert entry.current.code == winners[0] and entry.version == 1


def test_two_people_changing_the_same_row_at_once_never_lose_an_update(world):
    entry = f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, school=world.school, comment="Start"
    )
    was = queries.entry_codes(entry)
    results = _race(world, entry.version, ["5", "6"], was)
    assert sorted(result.ok for result in results.values()) == [False, True]
    entry.refresh_from_db()
    assert entry.version == 2 and entry.comment == "Start"


def _sheet_post(world, entry, current):
    data = {f"r-{world.child.pk}-version": str(entry.version)}
    for name, was in queries.entry_codes(entry).items():
        data[f"r-{world.child.pk}-{name}"] = was
        data[f"r-{world.child.pk}-was-{name}"] = was
    data[f"r-{world.child.pk}-current"] = current
    return data


def test_a_save_that_cannot_get_the_database_in_time_says_try_again_and_keeps_what_was_typed(client, world):
    """Another save holds the row past the lock timeout: 503 "try again", never a 500, nothing half-saved."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (bash tests/run.sh)")
    import psycopg2

    entry = f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, school=world.school
    )
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    client.force_login(world.teacher.user)
    sheet = reverse("marksheet", args=[world.group.pk, world.point.pk])
    row = reverse("marksheet_row", args=[world.group.pk, world.point.pk, world.child.pk])
    try:
        other.cursor().execute("SELECT 1 FROM tracking_gradeentry WHERE id = %s FOR UPDATE", [entry.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        response = client.post(sheet, _sheet_post(world, entry, "9"))
        autosave = client.post(row, _sheet_post(world, entry, "9"), headers={"HX-Request": "true"})
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Nothing was saved: the database was busy" in page
    assert f'name="r-{world.child.pk}-current" id="c-{world.child.pk}-current" value="9"' in page
    assert autosave.status_code == 503 and "Nothing was saved" in autosave.content.decode()
    assert GradeEntry.objects.get(pk=entry.pk).version == entry.version
    assert client.post(sheet, _sheet_post(world, entry, "9")).status_code == 302  # and again, it saves
