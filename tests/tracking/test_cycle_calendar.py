"""The calendar per school year: the data manager edits a cycle's stage dates; earlier years stay
readable through a year selector."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import factories as f
from tracking.cycle import services
from tracking.models import AuditEvent, Stage

pytestmark = pytest.mark.django_db

FIELDS = ["input_on", "verification_on", "health_check_on", "actions_on", "evaluation_on", "closes_on"]
START = date.today() + timedelta(days=14)


@pytest.fixture
def cycle(world):
    return services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Spring 1",
        points=[world.point],
        dates=services.default_dates(START),
    )


def _form(cycle, **changes):
    data = {name: getattr(cycle, name).isoformat() for name in FIELDS}
    data.update({k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()})
    return data


def test_the_data_manager_moves_a_stage_still_to_come_and_it_is_audited(world, cycle, client):
    old = cycle.health_check_on
    new = old + timedelta(days=2)
    client.force_login(world.data_manager.user)
    response = client.post(reverse("cycle_dates", args=[cycle.pk]), _form(cycle, health_check_on=new))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.health_check_on == new
    event = AuditEvent.objects.get(action="tracking.cycle.dates_changed")
    assert event.by == world.data_manager.user
    assert event.before == {"health_check_on": old.isoformat()}
    assert event.after == {"health_check_on": new.isoformat()}


def test_dates_out_of_order_are_refused_with_a_message_and_the_typed_values_kept(world, cycle, client):
    client.force_login(world.data_manager.user)
    typed = cycle.input_on + timedelta(days=30)  # after health check and actions
    response = client.post(reverse("cycle_dates", args=[cycle.pk]), _form(cycle, verification_on=typed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Health check must come after verification" in page
    assert f'value="{typed.isoformat()}"' in page
    cycle.refresh_from_db()
    assert cycle.verification_on != typed
    assert not AuditEvent.objects.filter(action="tracking.cycle.dates_changed").exists()


def test_a_stage_that_already_happened_cannot_move(world, cycle, client):
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)  # now at input
    cycle.refresh_from_db()
    errors = services.cycle_dates_errors(
        cycle, {**_dates(cycle), "input_on": cycle.input_on + timedelta(days=1)}
    )
    assert "already happened" in errors["input_on"]
    # The page shows the date but ignores anything posted for it.
    client.force_login(world.data_manager.user)
    posted = _form(cycle, input_on=cycle.input_on - timedelta(days=5))
    response = client.post(reverse("cycle_dates", args=[cycle.pk]), posted)
    assert response.status_code == 302
    assert cycle.input_on == type(cycle).objects.get(pk=cycle.pk).input_on


def test_a_stage_to_come_cannot_be_moved_into_the_past(world, cycle):
    yesterday = date.today() - timedelta(days=1)
    with pytest.raises(services.CycleDatesInvalid) as error:
        services.cycle_dates_change(cycle=cycle, dates={**_dates(cycle), "input_on": yesterday}, by=None)
    assert "in the past" in error.value.errors["input_on"]


def test_a_missing_date_is_refused(world, cycle, client):
    client.force_login(world.data_manager.user)
    response = client.post(reverse("cycle_dates", args=[cycle.pk]), _form(cycle, actions_on=""))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_a_stage_entered_while_the_form_was_open_is_caught_by_the_service(world, cycle):
    stale = type(cycle).objects.get(pk=cycle.pk)
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    with pytest.raises(services.CycleDatesInvalid) as error:
        services.cycle_dates_change(
            cycle=stale, dates={**_dates(stale), "input_on": START + timedelta(days=1)}, by=None
        )
    assert "input_on" in error.value.errors


def test_saving_unchanged_dates_changes_and_audits_nothing(world, cycle):
    assert services.cycle_dates_change(cycle=cycle, dates=_dates(cycle), by=world.data_manager.user) == []
    assert not AuditEvent.objects.filter(action="tracking.cycle.dates_changed").exists()


def test_the_scheduler_follows_the_new_dates(world, cycle):
    from tracking.cycle import scheduler

    later = cycle.input_on + timedelta(days=3)
    services.cycle_dates_change(cycle=cycle, dates={**_dates(cycle), "input_on": later}, by=None)
    cycle.refresh_from_db()
    assert (
        scheduler.run_due(
            services.due_at(cycle, Stage.INPUT) - timedelta(hours=1), sources=[services.cycle_events]
        )
        == []
    )
    assert scheduler.run_due(services.due_at(cycle, Stage.INPUT), sources=[services.cycle_events]) == [
        f"cycle:{cycle.pk}:input"
    ]


def test_the_calendar_offers_earlier_years_that_have_cycles(world, cycle, client):
    last_year = f.AcademicYearFactory(
        school=world.school,
        name="2019/20",
        starts_on=date(2019, 9, 1),
        ends_on=date(2020, 7, 31),
        is_current=False,
    )
    point = f.AssessmentPointFactory(
        school=world.school, academic_year=last_year, year_group=world.y11, name="Y11 Autumn 2 2019"
    )
    old = services.cycle_create(
        school=world.school,
        academic_year=last_year,
        name="Old uplift",
        points=[point],
        dates=services.default_dates(date(2019, 11, 4)),
    )
    client.force_login(world.slt.user)
    page = client.get(reverse("cycle_calendar")).content.decode()
    assert "Spring 1" in page and "Old uplift" not in page
    assert 'name="year"' in page and "2019/20" in page
    page = client.get(reverse("cycle_calendar"), {"year": last_year.pk}).content.decode()
    assert "Old uplift" in page and "Spring 1" not in page
    assert old.name in page


def test_the_calendar_hides_the_year_selector_with_one_year_and_other_schools_years(
    world, other_world, cycle, client
):
    services.cycle_create(
        school=other_world.school,
        academic_year=other_world.year,
        name="Hillside uplift",
        points=[other_world.point],
    )
    client.force_login(world.data_manager.user)
    page = client.get(reverse("cycle_calendar"), {"year": other_world.year.pk}).content.decode()
    assert 'name="year"' not in page
    assert "Hillside uplift" not in page and "Spring 1" in page


def test_only_the_data_manager_may_edit_dates(world, cycle, client):
    for persona in ("slt", "hod", "teacher"):
        client.force_login(getattr(world, persona).user)
        assert client.post(reverse("cycle_dates", args=[cycle.pk]), _form(cycle)).status_code == 404


def test_another_schools_data_manager_cannot_edit_this_cycle(other_world, cycle, client):
    client.force_login(other_world.data_manager.user)
    assert client.get(reverse("cycle_dates", args=[cycle.pk])).status_code == 404


def _dates(cycle):
    return {name: getattr(cycle, name) for name in FIELDS}


def test_default_dates_skip_weekends_and_holidays_counting_school_weeks():
    autumn2, spring1 = (date(2026, 11, 3), date(2026, 12, 18)), (date(2027, 1, 5), date(2027, 2, 12))
    days = services.SchoolDays([autumn2, spring1], until=date(2027, 8, 31))
    dates = services.default_dates(date(2026, 11, 21), date(2026, 12, 16), school_days=days)
    assert dates["input_on"] == date(2026, 11, 23)  # a Saturday opening starts on the Monday
    assert dates["verification_on"] == date(2026, 12, 17)  # the day after the window closes
    assert dates["health_check_on"] == date(2027, 1, 8)  # five school days on, over Christmas
    assert dates["actions_on"] == date(2027, 1, 15)
    assert dates["evaluation_on"] == date(2027, 1, 22)  # three school weeks after verification
    assert dates["closes_on"] == date(2027, 1, 29)
    # After the last school year the school has set up, every weekday counts.
    assert days.on_or_after(date(2027, 9, 4)) == date(2027, 9, 6)
