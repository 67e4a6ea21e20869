"""A count meeting grades another transaction is writing (committed data, so its own module: the other
held-standing tests share one uncommitted demo build)."""

import psycopg2
import pytest
from django.db import connection

from tests import factories as f
from tests.held_checks import held, live
from tests.tracking.test_held_standings import _figures
from tracking import standing
from tracking.models import GradeEntry


@pytest.mark.django_db(transaction=True)
def test_a_count_waits_briefly_for_grades_being_written_then_works_standings_out_itself(world):
    """Another transaction is writing a stale grade and holds it: the refresh gives up after
    LOCK_WAIT_MS and the count is worked out afresh (the same figures, no error); once that
    transaction ends, the refresh goes through."""
    pupil = f.PupilFactory(school=world.school, year_group=world.y11)
    f.TargetFactory(pupil=pupil, subject=world.maths, grade=f.grade(world.school, "6"))
    entry = f.GradeEntryFactory(
        pupil=pupil, subject=world.maths, point=world.point, current=f.grade(world.school, "4")
    )
    entries = GradeEntry.objects.filter(school=world.school)
    expected = _figures(world.school, entries)
    GradeEntry.objects.filter(pk=entry.pk).update(held_stale=True)
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM tracking_gradeentry WHERE id = %s FOR UPDATE", [entry.pk])
            assert standing.refresh_held() is False
            assert _figures(world.school, entries) == expected
    finally:
        other.rollback()
        other.close()
    assert standing.refresh_held() is True
    assert held()[entry.pk] == live()[entry.pk]
    assert held()[entry.pk][:2] == (4, entry.current.scale_id)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_leaves_many_standings_stale_has_them_worked_out_after_it(world, client, monkeypatch):
    """A request that wrote (here: any POST) and left BACKGROUND_FROM or more held standings stale queues
    their refresh; fewer are left to the next count."""
    from tracking.standing import held as held_module

    monkeypatch.setattr(held_module, "BACKGROUND_FROM", 3)
    pupils = [f.PupilFactory(school=world.school, year_group=world.y11) for _ in range(3)]
    for pupil in pupils:
        f.GradeEntryFactory(
            pupil=pupil, subject=world.maths, point=world.point, current=f.grade(world.school, "5")
        )
    standing.refresh_held()
    GradeEntry.objects.filter(pupil=pupils[0]).update(held_stale=True)
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert GradeEntry.objects.filter(held_stale=True).count() == 1  # one: left to the next count
    GradeEntry.objects.filter(pupil__in=pupils).update(held_stale=True)
    client.get("/accounts/login/")
    assert GradeEntry.objects.filter(held_stale=True).count() == 3  # a GET writes nothing
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert not GradeEntry.objects.filter(held_stale=True).exists()
    assert held() == live()
