"""Two people saving the same sheet at the same moment, on a real database (PostgreSQL only)."""

import threading

import pytest
from django.db import connection

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
