from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracking.lib.errors import DomainError
from tracking.lib.grading import ScaleLookup
from tracking.marksheets import forms, queries, services, windows
from tracking.models import AuditEvent, GradeEntry, GradeScale, GradeValue, SheetReopen

pytestmark = pytest.mark.django_db


def sheet_url(world, group=None):
    return reverse("marksheet", args=[(group or world.group).pk, world.point.pk])


def row_url(world, pupil):
    return reverse("marksheet_row", args=[world.group.pk, world.point.pk, pupil.pk])


def post_data(pupils, **values):
    """A sheet POST: values like child={"current": "5"}; every other collected field posts blank.

    Rows at version 0 were read empty, so what the editor saw (was-*) is blank, as the browser posts.
    """
    data = {}
    for name, (pupil, version) in pupils.items():
        data[f"r-{pupil.pk}-version"] = str(version)
        for field in windows.FIELDS:
            data[f"r-{pupil.pk}-{field}"] = values.get(name, {}).get(field, "")
            if version == 0:
                data[f"r-{pupil.pk}-was-{field}"] = ""
    return data


def lookup_for(school, code):
    scale = GradeScale.objects.get(school=school, code=code)
    return ScaleLookup(scale, list(GradeValue.objects.filter(scale=scale)))


def test_typed_grades_are_normalised_to_the_scale():
    world_school = f.SchoolFactory()
    gcse, alevel = lookup_for(world_school, "gcse"), lookup_for(world_school, "alevel")
    assert forms.clean_value(gcse, "current", "5") == "5"
    assert forms.clean_value(gcse, "current", "5+") == "5+"
    assert forms.clean_value(gcse, "current", " 6 ") == "6"
    assert forms.clean_value(gcse, "current", "") == ""
    assert forms.clean_value(alevel, "predicted", "a*") == "A*"
    assert forms.clean_value(gcse, "security", "h") == "H"
    assert forms.clean_value(gcse, "security", "Low") == "L"
    assert forms.clean_value(gcse, "effort", " 2 ") == "2"


def test_bad_values_say_what_is_allowed():
    gcse = lookup_for(f.SchoolFactory(), "gcse")
    with pytest.raises(DomainError, match="Allowed: 9\\+ … U"):
        forms.clean_value(gcse, "current", "10")
    with pytest.raises(DomainError, match="H, M or L"):
        forms.clean_value(gcse, "security", "X")
    with pytest.raises(DomainError, match="1, 2, 3 or 4"):
        forms.clean_value(gcse, "effort", "5")


def test_saving_a_sheet_writes_every_grade_and_an_audit_row_each(client, world):
    client.force_login(world.teacher.user)
    data = post_data(
        {"child": (world.child, 0), "classmate": (world.classmate, 0)},
        child={"current": "5+", "predicted": " 6 ", "security": "h", "effort": "2", "comment": "Good"},
        classmate={"current": "4"},
    )
    response = client.post(sheet_url(world), data)
    assert response.status_code == 302
    entry = GradeEntry.objects.get(pupil=world.child, point=world.point)
    assert (entry.current.code, entry.predicted.code, entry.security, entry.effort) == ("5+", "6", "H", 2)
    assert (
        entry.version == 1 and entry.teaching_group == world.group and entry.updated_by == world.teacher.user
    )
    events = AuditEvent.objects.filter(action="tracking.grade.created", pupil=world.child)
    assert events.count() == 1
    event = events.get()
    assert event.via == "marksheet" and event.by == world.teacher.user
    assert event.after == {
        "current": "5+",
        "predicted": "6",
        "security": "H",
        "effort": "2",
        "comment": "Good",
    }


def test_a_changed_grade_is_audited_from_old_to_new_and_bumps_the_version(client, world):
    entry = f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, school=world.school, current=None
    )
    entry.current = f.grade(world.school, "4")
    entry.save()
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, entry.version)}, child={"current": "5"})
    data[f"r-{world.child.pk}-was-current"] = "4"
    assert client.post(sheet_url(world), data).status_code == 302
    entry.refresh_from_db()
    assert entry.current.code == "5" and entry.version == 2
    event = AuditEvent.objects.get(action="tracking.grade.changed")
    assert event.before["current"] == "4" and event.after["current"] == "5"


def test_unchanged_cells_write_no_audit_and_keep_the_version(client, world):
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, 0)}, child={"current": "5"})
    client.post(sheet_url(world), data)
    entry = GradeEntry.objects.get(pupil=world.child)
    data = post_data({"child": (world.child, entry.version)}, child={"current": " 5 "})
    client.post(sheet_url(world), data)
    entry.refresh_from_db()
    assert entry.version == 1
    assert AuditEvent.objects.filter(object_type="tracking.gradeentry").count() == 1
    # A blank row that was never filled creates nothing.
    assert not GradeEntry.objects.filter(pupil=world.classmate).exists()


def test_an_invalid_cell_saves_nothing_and_keeps_every_typed_value(client, world):
    client.force_login(world.teacher.user)
    data = post_data(
        {"child": (world.child, 0), "classmate": (world.classmate, 0)},
        child={"current": "5+", "comment": "Kept comment"},
        classmate={"current": "banana", "effort": "9"},
    )
    response = client.post(sheet_url(world), data)
    assert response.status_code == 422
    assert not GradeEntry.objects.exists()
    assert not AuditEvent.objects.exclude(action__startswith="security.").exists()
    html = response.content.decode()
    assert 'value="5+"' in html and 'value="Kept comment"' in html and 'value="banana"' in html
    assert html.count("cell-invalid") == 2
    assert 'aria-invalid="true"' in html
    assert "is not a grade" in html and "Allowed: 9+ … U" in html and "Allowed: 1, 2, 3 or 4" in html
    assert "Not saved: 2 cells need fixing" in html and "This save stored nothing" in html
    # The child's row is fine but waits for the sheet: it says so, and the summary counts it.
    assert "Waiting to be saved: 2 changes you typed" in html
    assert html.count("Not saved yet") == 1


def test_a_second_editor_sees_each_changed_cell_with_both_values_and_chooses(client, world):
    # The teacher opens the empty sheet (version 0); the head of department saves first.
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=f.grade(world.school, "6"))
    client.force_login(world.hod.user)
    client.post(
        sheet_url(world), post_data({"child": (world.child, 0)}, child={"current": "5", "effort": "2"})
    )
    entry = GradeEntry.objects.get(pupil=world.child)
    client.force_login(world.teacher.user)
    mine = post_data({"child": (world.child, 0)}, child={"current": "7", "effort": "2", "comment": "Mine"})
    response = client.post(sheet_url(world), mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: someone else changed 1 cell" in html
    assert "Keep mine: <b>7</b>" in html and "Take theirs: <b>5</b>" in html
    assert html.count("cell-changed") == 1  # effort was changed to the same value: no clash
    entry.refresh_from_db()
    assert entry.current.code == "5" and entry.comment == "" and entry.version == 1
    # Second attempt: take theirs for the grade, keep my comment.
    again = post_data(
        {"child": (world.child, entry.version)}, child={"current": "7", "effort": "2", "comment": "Mine"}
    )
    again.update({f"r-{world.child.pk}-was-{k}": v for k, v in queries.entry_codes(entry).items()})
    again[f"r-{world.child.pk}-use-current"] = "theirs"
    assert client.post(sheet_url(world), again).status_code == 302
    entry.refresh_from_db()
    assert entry.current.code == "5" and entry.comment == "Mine" and entry.version == 2


def test_keeping_mine_after_a_clash_overwrites_theirs(client, world):
    client.force_login(world.hod.user)
    client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"current": "5"}))
    client.force_login(world.teacher.user)
    entry = GradeEntry.objects.get(pupil=world.child)
    data = post_data({"child": (world.child, entry.version)}, child={"current": "7"})
    data[f"r-{world.child.pk}-was-current"] = "5"
    data[f"r-{world.child.pk}-use-current"] = "mine"
    assert client.post(sheet_url(world), data).status_code == 302
    entry.refresh_from_db()
    assert entry.current.code == "7"


def test_edits_to_different_cells_of_one_row_merge_without_a_clash(client, world):
    client.force_login(world.hod.user)
    client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"effort": "1"}))
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, 0)}, child={"current": "6"})
    assert client.post(sheet_url(world), data).status_code == 302
    entry = GradeEntry.objects.get(pupil=world.child)
    assert entry.current.code == "6" and entry.effort == 1 and entry.version == 2


def test_a_row_created_by_someone_else_mid_save_is_a_clash_not_an_error(world, monkeypatch):
    sheet = queries.load_sheet(world.group, world.point, user=world.teacher.user)
    original = services._save_locked
    calls = []

    def racing(*args, **kwargs):
        if not calls:
            calls.append(1)
            f.GradeEntryFactory(
                pupil=world.child,
                subject=world.maths,
                point=world.point,
                school=world.school,
                comment="Theirs",
            )
            raise IntegrityError("grade_entry_unique")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_save_locked", racing)
    rows = {world.child.pk: forms.RowInput(world.child.pk, 0, {"comment": "Mine"}, {}, {})}
    result = services.marksheet_save(sheet=sheet, rows=rows, by=world.teacher.user)
    assert result.conflicts == {world.child.pk: {"comment": "Theirs"}}
    assert GradeEntry.objects.get(pupil=world.child).comment == "Theirs"


def _close(point):
    point.opens_on = timezone.localdate() - timedelta(days=20)
    point.closes_on = timezone.localdate() - timedelta(days=1)
    point.save()


def test_after_the_close_date_the_sheet_is_read_only_for_teachers(client, world):
    _close(world.point)
    client.force_login(world.teacher.user)
    html = client.get(sheet_url(world)).content.decode()
    assert "read-only" in html and "disabled" in html and "Save sheet" not in html
    response = client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"current": "5"}))
    assert response.status_code == 409
    assert not GradeEntry.objects.exists()


def test_a_locked_point_is_read_only_even_inside_its_dates(client, world):
    world.point.is_locked = True
    world.point.save()
    client.force_login(world.hod.user)
    assert "locked for verification" in client.get(sheet_url(world)).content.decode()


def test_the_data_manager_may_still_edit_a_closed_sheet_and_it_is_audited(client, world):
    _close(world.point)
    client.force_login(world.data_manager.user)
    response = client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"current": "5"}))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="tracking.grade.created", by=world.data_manager.user).exists()


def test_reopening_one_sheet_lets_its_teacher_edit_and_is_recorded(client, world):
    _close(world.point)
    client.force_login(world.data_manager.user)
    until = timezone.localdate() + timedelta(days=3)
    url = reverse("marksheet_reopen", args=[world.group.pk, world.point.pk])
    response = client.post(url, {"until": until.isoformat(), "reason": "Pupil joined late"})
    assert response.status_code == 302
    reopen = SheetReopen.objects.get()
    assert reopen.teaching_group == world.group and reopen.by == world.data_manager.user
    event = AuditEvent.objects.get(action="tracking.sheet.reopened")
    assert event.note == "Pupil joined late" and event.after["until"] == until.isoformat()
    client.force_login(world.teacher.user)
    assert "Reopened by the data manager" in client.get(sheet_url(world)).content.decode()
    response = client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"current": "5"}))
    assert response.status_code == 302
    # The other group at the same point stays closed.
    sheet = queries.load_sheet(world.other_group, world.point, user=world.other_teacher.user)
    assert not sheet.editable


def test_reopening_a_whole_point_needs_a_reason_and_covers_every_group(client, world):
    _close(world.point)
    client.force_login(world.data_manager.user)
    url = reverse("point_reopen", args=[world.point.pk])
    until = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert client.post(url, {"until": until, "reason": ""}).status_code == 200
    assert not SheetReopen.objects.exists()
    assert client.post(url, {"until": until, "reason": "Moderation"}).status_code == 302
    assert AuditEvent.objects.filter(action="tracking.point.reopened").count() == 1
    sheet = queries.load_sheet(world.other_group, world.point, user=world.other_teacher.user)
    assert sheet.editable


def test_teachers_cannot_reopen_sheets(client, world):
    _close(world.point)
    client.force_login(world.teacher.user)
    url = reverse("marksheet_reopen", args=[world.group.pk, world.point.pk])
    response = client.post(url, {"until": timezone.localdate().isoformat(), "reason": "Please"})
    assert response.status_code == 404
    assert not SheetReopen.objects.exists()


# Session, user, staff+roles, group, can-edit, point, scale, pupils, targets, entries, history points,
# history entries, reopens, school, year groups, the standing's scale floors and point places (the
# session is written at most once a minute).
SHEET_QUERIES = 18


def _sheet_with(world, n):
    group = f.TeachingGroupFactory(
        school=world.school,
        subject=world.maths,
        year_group=world.y11,
        name=f"11X{n}",
        teachers=[world.teacher],
        pupils=[f.PupilFactory(school=world.school, year_group=world.y11) for _ in range(n)],
    )
    for pupil in group.pupils.all()[: n // 2]:
        f.TargetFactory(pupil=pupil, subject=world.maths, grade=f.grade(world.school, "6"))
        f.GradeEntryFactory(pupil=pupil, subject=world.maths, point=world.point, school=world.school)
    return group


def test_rendering_a_sheet_takes_the_same_number_of_queries_for_2_and_30_pupils(
    client, world, django_assert_num_queries
):
    earlier = f.AssessmentPointFactory(
        school=world.school, academic_year=world.year, year_group=world.y11, sequence=0, name="Y11 Autumn 1"
    )
    small, large = _sheet_with(world, 2), _sheet_with(world, 30)
    for pupil in large.pupils.all():
        f.GradeEntryFactory(pupil=pupil, subject=world.maths, point=earlier, school=world.school)
    client.force_login(world.teacher.user)
    client.get(sheet_url(world, small))  # warm the session
    with django_assert_num_queries(SHEET_QUERIES):
        assert client.get(sheet_url(world, small)).status_code == 200
    with django_assert_num_queries(SHEET_QUERIES):
        response = client.get(sheet_url(world, large))
    assert response.content.decode().count('data-field="current"') >= 30


def test_the_sheet_shows_flags_target_history_and_a_traffic_light(client, world):
    earlier = f.AssessmentPointFactory(
        school=world.school, academic_year=world.year, year_group=world.y11, sequence=0, name="Y11 Autumn 1"
    )
    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=earlier, school=world.school, current=None
    )
    GradeEntry.objects.filter(point=earlier).update(current=f.grade(world.school, "4"))
    world.child.disadvantaged = True
    world.child.save()
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=f.grade(world.school, "6"))
    client.force_login(world.teacher.user)
    client.post(sheet_url(world), post_data({"child": (world.child, 0)}, child={"predicted": "5"}))
    html = client.get(sheet_url(world)).content.decode()
    assert "badge-pp" in html and "Autumn 1" in html
    assert "status-below" in html and "Below target" in html and "−1" in html
    assert 'id="marksheet-config"' in html


def test_the_autosave_endpoint_saves_one_row_and_returns_it(client, world):
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, 0)}, child={"current": "6", "effort": "3"})
    response = client.post(row_url(world, world.child), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<tr") and "cell-saved" in html and "Saved" in html
    assert f'name="r-{world.child.pk}-version" value="1"' in html
    assert AuditEvent.objects.exclude(action__startswith="security.").get().via == "marksheet-autosave"
    # The full-sheet save afterwards, from the fresh version, changes nothing more.
    again = post_data({"child": (world.child, 1)}, child={"current": "6", "effort": "3"})
    client.post(sheet_url(world), again)
    assert GradeEntry.objects.get().version == 1


def test_an_autosaved_row_with_a_bad_value_comes_back_marked_and_unsaved(client, world):
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, 0)}, child={"current": "6", "effort": "7"})
    response = client.post(row_url(world, world.child), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "cell-invalid" in html and 'value="7"' in html and 'value="6"' in html
    assert not GradeEntry.objects.exists()


def test_autosave_after_the_session_ends_is_refused_with_a_signal_to_the_page(client, world, settings):
    settings.STAFF_IDLE_TIMEOUT = -1
    client.force_login(world.teacher.user)
    data = post_data({"child": (world.child, 0)}, child={"current": "6"})
    response = client.post(row_url(world, world.child), data, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Trigger"] == "uplift:session-expired"
    # Already signed out: the autosave still gets a 401, not the login page swapped into the row.
    response = client.post(row_url(world, world.child), data, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Trigger"] == "uplift:session-expired"
    assert not GradeEntry.objects.exists()


def test_my_marksheets_lists_each_open_sheet_with_its_status(client, world):
    five = f.grade(world.school, "5")
    f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        school=world.school,
        current=five,
        predicted=five,
        security="H",
        effort=1,
    )
    closed = f.AssessmentPointFactory(school=world.school, academic_year=world.year, year_group=world.y11)
    _close(closed)
    client.force_login(world.teacher.user)
    response = client.get(reverse("marksheet_list"))
    html = response.content.decode()
    assert sheet_url(world) in html and "In progress" in html and "1 / 2" in html
    assert reverse("marksheet", args=[world.group.pk, closed.pk]) not in html
    assert reverse("marksheet", args=[world.other_group.pk, world.point.pk]) not in html
    f.GradeEntryFactory(
        pupil=world.classmate,
        subject=world.maths,
        point=world.point,
        school=world.school,
        current=five,
        predicted=five,
    )
    # Security and effort count too when the point collects them (the completion page's rule).
    assert "In progress" in client.get(reverse("marksheet_list")).content.decode()
    GradeEntry.objects.filter(point=world.point).update(security="M", effort=2)
    assert "Complete" in client.get(reverse("marksheet_list")).content.decode()
    # The head of department sees the department's groups too.
    client.force_login(world.hod.user)
    html = client.get(reverse("marksheet_list")).content.decode()
    assert reverse("marksheet", args=[world.other_group.pk, world.point.pk]) in html
    assert "Not started" in html


def test_my_marksheets_query_count_does_not_grow_with_groups(client, world, django_assert_num_queries):
    client.force_login(world.hod.user)
    client.get(reverse("marksheet_list"))
    with django_assert_num_queries(10) as before:
        client.get(reverse("marksheet_list"))
    for n in (5, 6, 7):
        _sheet_with(world, n)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("marksheet_list"))


def test_teachers_see_sheets_due_on_the_home_page(client, world):
    client.force_login(world.teacher.user)
    html = client.get(reverse("home")).content.decode()
    assert "Marksheets due" in html and sheet_url(world) in html


def test_slt_and_the_data_manager_can_list_every_sheet_including_closed_ones(client, world):
    closed = f.AssessmentPointFactory(school=world.school, academic_year=world.year, year_group=world.y11)
    _close(closed)
    client.force_login(world.data_manager.user)
    mine = client.get(reverse("marksheet_list"), {"scope": "mine"}).content.decode()
    assert sheet_url(world) not in mine
    everything = client.get(reverse("marksheet_list"), {"scope": "all", "when": "all"}).content.decode()
    assert sheet_url(world) in everything and sheet_url(world, world.english_group) in everything
    assert reverse("marksheet_reopen", args=[world.group.pk, closed.pk]) in everything
    # Teachers cannot widen their list.
    client.force_login(world.teacher.user)
    html = client.get(reverse("marksheet_list"), {"scope": "all"}).content.decode()
    assert sheet_url(world, world.english_group) not in html


def _count_save_queries(world, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sheet = queries.load_sheet(group, world.point, user=world.teacher.user)
    rows = {
        p.pk: forms.RowInput(p.pk, 0, {"current": "5", "effort": "2"}, dict.fromkeys(windows.FIELDS, ""), {})
        for p in sheet.pupils
    }
    rows.update(
        {
            e.pupil_id: forms.RowInput(e.pupil_id, e.version, {"current": "6"}, queries.entry_codes(e), {})
            for e in sheet.entries.values()
        }
    )
    with CaptureQueriesContext(connection) as captured:
        result = services.marksheet_save(sheet=sheet, rows=rows, by=world.teacher.user)
    assert result.ok and result.cells_changed >= len(rows)
    return len(captured)


def test_saving_a_sheet_takes_the_same_number_of_queries_for_2_and_30_pupils(world):
    small = _count_save_queries(world, _sheet_with(world, 2))
    large = _count_save_queries(world, _sheet_with(world, 30))
    assert small == large <= 6  # lock, read, bulk write and audit, whatever the size


def _autosave(client, world, pupil, **values):
    data = post_data({"p": (pupil, 0)}, p=values)
    response = client.post(row_url(world, pupil), data, headers={"HX-Request": "true"})
    assert response.status_code == 200


def _opened(client, world):
    html = client.get(sheet_url(world)).content.decode()
    return html.split('name="opened_at" value="', 1)[1].split('"', 1)[0]


def test_save_sheet_counts_the_values_autosave_already_stored_as_well_as_its_own(client, world):
    client.force_login(world.teacher.user)
    opened = _opened(client, world)
    _autosave(client, world, world.child, current="6", effort="3")  # 2 values, stored as the row was left
    data = post_data(
        {"child": (world.child, 1), "classmate": (world.classmate, 0)}, child={"current": "6", "effort": "3"}
    )
    data.update({f"r-{world.child.pk}-was-{name}": "" for name in windows.FIELDS})
    data.update({f"r-{world.child.pk}-was-current": "6", f"r-{world.child.pk}-was-effort": "3"})
    data.update({f"r-{world.classmate.pk}-current": "5", "opened_at": opened})
    response = client.post(sheet_url(world), data, follow=True)
    assert "Saved. All 3 values you changed are stored: 1 with this save, 2 as you left each row." in (
        response.content.decode()
    )


def test_a_refused_save_says_what_autosave_already_stored_and_what_still_waits(client, world):
    client.force_login(world.teacher.user)
    opened = _opened(client, world)
    _autosave(client, world, world.child, current="6")
    data = post_data({"classmate": (world.classmate, 0)}, classmate={"current": "5", "effort": "9"})
    data["opened_at"] = opened
    response = client.post(sheet_url(world), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Not saved: 1 cell needs fixing" in html
    assert "Waiting to be saved: 1 change you typed" in html
    assert "Already stored: 1 value saved as you left each row (marked ✓)" in html
    assert GradeEntry.objects.get(pupil=world.child).current.code == "6"
    assert not GradeEntry.objects.filter(pupil=world.classmate).exists()


def test_a_forged_or_missing_opening_time_only_drops_the_autosave_count(client, world):
    client.force_login(world.teacher.user)
    _autosave(client, world, world.child, current="6")
    for opened in ("", "yesterday", "2026-11-30T10:00:00"):
        data = post_data({"classmate": (world.classmate, 0)}, classmate={"current": "5"})
        data["opened_at"] = opened
        response = client.post(sheet_url(world), data, follow=True)
        assert (
            "Saved 1 change." in response.content.decode()
            or "nothing had changed" in response.content.decode()
        )


def test_the_data_team_opens_my_marksheets_on_the_whole_school(client, world):
    client.force_login(world.data_manager.user)
    html = client.get(reverse("marksheet_list")).content.decode()
    assert sheet_url(world) in html and sheet_url(world, world.english_group) in html
    assert "All marksheets" in html
    mine = client.get(reverse("marksheet_list"), {"scope": "mine"}).content.decode()
    assert sheet_url(world) not in mine
