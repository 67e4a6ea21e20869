"""The owners' pages: who sees which flags, recording actions, raising flags, editing the rules."""

import pytest
from django.urls import reverse

from interventions import services
from interventions.models import Flag, FlagStatus, InterventionSettings, Rule
from tests import factories as f
from tracking.models import AuditEvent

from .helpers import grade, subjects, use_preset


@pytest.fixture
def flagged(world):
    """Laude run over Y11: child 2 below in maths and off target in English; other_child 2 below in maths."""
    use_preset(world, "laude")
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.english, "5", "6")
    grade(world, world.other_child, world.maths, "5", "7")
    services.rules_run(point=world.point)
    return world


def _rows(client, **params):
    response = client.get(reverse("interventions:flag_list"), params)
    assert response.status_code == 200
    return {(r.pupil_id, r.scope, r.subject_id) for r in response.context["table"].data}


def test_the_maths_head_of_department_sees_the_maths_flags_only(client, flagged):
    w = flagged
    client.force_login(w.hod.user)
    assert _rows(client) == {(w.child.pk, "subject", w.maths.pk), (w.other_child.pk, "subject", w.maths.pk)}


def test_the_form_tutor_sees_the_tutor_flags_of_their_form(client, flagged):
    w = flagged
    client.force_login(w.tutor.user)
    assert _rows(client) == {(w.child.pk, "form_tutor", None)}


def test_a_teacher_who_owns_nothing_sees_an_empty_list(client, flagged):
    client.force_login(flagged.teacher.user)
    assert _rows(client) == set()


def test_senior_leaders_see_every_flag_and_can_filter_by_owner_and_scope(client, flagged):
    w = flagged
    client.force_login(w.slt.user)
    assert len(_rows(client)) == Flag.objects.count()
    assert _rows(client, owner=w.tutor.pk) == {(w.child.pk, "form_tutor", None)}
    subject_rows = _rows(client, scope="subject")
    assert subject_rows and {scope for _, scope, _ in subject_rows} == {"subject"}


def test_closed_flags_leave_the_default_list_but_can_be_filtered_for(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, scope="form_tutor")
    services.flag_action_record(flag=flag, action_text="Talked", status=FlagStatus.CLOSED, by=w.tutor.user)
    client.force_login(w.tutor.user)
    assert _rows(client) == set()
    assert _rows(client, status="closed") == {(w.child.pk, "form_tutor", None)}


def test_the_flag_list_reads_the_same_number_of_queries_however_many_flags(
    client, flagged, django_assert_num_queries
):
    w = flagged
    client.force_login(w.slt.user)
    url = reverse("interventions:flag_list")
    client.get(url)
    with django_assert_num_queries(10) as small:
        client.get(url)
    for _ in range(15):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11, form=f.FormGroupFactory(school=w.school))
        grade(w, pupil, w.maths, "3", "6")
    services.rules_run(point=w.point)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["table"].data) == 18


def test_the_owner_records_an_action_with_a_due_date_and_it_shows_in_the_history(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.hod.user)
    url = reverse("interventions:flag_detail", args=[flag.pk])
    response = client.post(
        url, {"action_text": "Extra maths homework", "action_due": "2026-12-04", "status": "actioned"}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.action_text, str(flag.action_due)) == (
        "actioned",
        "Extra maths homework",
        "2026-12-04",
    )
    page = client.get(url).content.decode()
    assert "Action recorded" in page and "Extra maths homework" in page


def test_marking_actioned_without_saying_what_keeps_the_typed_date_and_saves_nothing(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.hod.user)
    response = client.post(
        reverse("interventions:flag_detail", args=[flag.pk]),
        {"action_text": "", "action_due": "2026-12-04", "status": "closed"},
    )
    assert response.status_code == 200
    assert "Say what was done" in response.content.decode()
    assert 'value="2026-12-04"' in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"
    assert not AuditEvent.objects.filter(action="interventions.flag.action_recorded").exists()


def test_someone_who_cannot_see_a_flag_cannot_post_an_action_to_it(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.tutor.user)
    response = client.post(
        reverse("interventions:flag_detail", args=[flag.pk]), {"status": "closed", "action_text": "x"}
    )
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_teacher_flags_a_pupil_by_hand_and_the_flag_goes_to_the_tutor(client, world):
    client.force_login(world.teacher.user)
    response = client.post(
        reverse("interventions:flag_create", args=[world.child.pk]),
        {"scope": "form_tutor", "level": "2", "reason": "Feared to slip", "subject": ""},
    )
    assert response.status_code == 302
    flag = Flag.objects.get(pupil=world.child)
    assert (flag.owner, flag.level, flag.source, flag.raised_by) == (
        world.tutor,
        2,
        "manual",
        world.teacher.user,
    )
    client.force_login(world.tutor.user)
    assert _rows(client) == {(world.child.pk, "form_tutor", None)}


def test_a_subject_flag_by_hand_without_a_subject_is_refused_and_the_reason_kept(client, world):
    client.force_login(world.teacher.user)
    response = client.post(
        reverse("interventions:flag_create", args=[world.child.pk]),
        {"scope": "subject", "level": "1", "reason": "Feared to slip"},
    )
    assert response.status_code == 200
    assert "Choose the subject" in response.content.decode()
    assert "Feared to slip" in response.content.decode()
    assert not Flag.objects.exists()


def test_the_data_manager_switches_the_active_preset(client, world):
    presets = use_preset(world, "laude") and world.school.rule_presets.all()
    hurworth = presets.get(code="hurworth")
    client.force_login(world.data_manager.user)
    response = client.post(reverse("interventions:rules"), {"preset": hurworth.pk})
    assert response.status_code == 302
    assert InterventionSettings.objects.get(school=world.school).active_preset == hurworth
    assert AuditEvent.objects.filter(action="interventions.preset.activated").exists()
    page = client.get(reverse("interventions:rules")).content.decode()
    assert "Subject: below target" in page


def test_editing_a_rules_thresholds_is_validated_and_audited(client, world):
    use_preset(world, "laude")
    rule = Rule.objects.get(preset__code="laude", code="subject-below-4")
    url = reverse("interventions:rule_edit", args=[rule.pk])
    client.force_login(world.slt.user)
    form = {
        "name": rule.name, "n": "1", "level": "1", "grade_thresholds": "gcse:5, ten:Q",
        "reason_template": "Below {threshold} in {subjekt}", "ks3": "on", "ks4": "on", "is_active": "on",
    }  # fmt: skip
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not a grade on that scale: ten:Q" in page and "Unknown placeholder {subjekt}" in page
    assert 'value="gcse:5, ten:Q"' in page
    rule.refresh_from_db()
    assert rule.grade_thresholds == {"gcse": "4", "ten": "5"}
    form.update(grade_thresholds="gcse:5, ten:5", reason_template="Below {threshold} in {subject}")
    assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert rule.grade_thresholds == {"gcse": "5", "ten": "5"}
    assert AuditEvent.objects.get(action="interventions.rule.changed").before["grade_thresholds"] == {
        "gcse": "4",
        "ten": "5",
    }


def test_off_target_bands_are_edited_as_text_and_overlaps_refused(client, world):
    use_preset(world, "laude")
    rule = Rule.objects.get(preset__code="laude", code="tutor-bands")
    url = reverse("interventions:rule_edit", args=[rule.pk])
    client.force_login(world.data_manager.user)
    form = {"name": rule.name, "bands": "1:1, 2-4:2, 4+:3", "reason_template": rule.reason_template,
            "ks3": "on", "ks4": "on", "ks5": "on", "is_active": "on"}  # fmt: skip
    assert "Bands overlap" in client.post(url, form).content.decode()
    form["bands"] = "1-2:1, 3+:2"
    assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert rule.bands == [[1, 2, 1], [3, None, 2]]
    # The number is the school's own now, whatever the policy said.
    assert rule.set_by_school


def test_parents_get_nothing_here_even_for_their_own_child(client, flagged):
    w = flagged
    client.force_login(w.parent.user)
    flag = Flag.objects.filter(pupil=w.child).first()
    for url in (
        reverse("interventions:flag_list"),
        reverse("interventions:flag_detail", args=[flag.pk]),
        reverse("interventions:flag_create", args=[w.child.pk]),
        reverse("interventions:rules"),
    ):
        assert client.get(url).status_code == 404


def test_another_schools_flags_are_invisible_even_to_its_senior_leaders(client, flagged, other_world):
    client.force_login(other_world.slt.user)
    assert _rows(client, status="") == set()
    flag = Flag.objects.filter(school=flagged.school).first()
    assert client.get(reverse("interventions:flag_detail", args=[flag.pk])).status_code == 404


def test_owners_see_their_open_flags_on_the_home_page(client, flagged):
    client.force_login(flagged.hod.user)
    page = client.get(reverse("home")).content.decode()
    assert "Your open flags" in page and "2 open flags" in page
    client.force_login(flagged.teacher.user)
    assert "Your open flags" not in client.get(reverse("home")).content.decode()


def test_staff_find_a_pupil_they_can_see_to_flag_by_hand(client, world):
    client.force_login(world.tutor.user)
    page = client.get(reverse("interventions:flag_new"), {"q": "Lamb"}).content.decode()
    assert reverse("interventions:flag_create", args=[world.child.pk]) in page
    page = client.get(reverse("interventions:flag_new"), {"q": "Dunn"}).content.decode()
    assert reverse("interventions:flag_create", args=[world.other_child.pk]) not in page


def test_a_head_of_departments_list_and_a_flag_page_read_a_fixed_number_of_queries(
    client, flagged, django_assert_num_queries
):
    w = flagged
    client.force_login(w.hod.user)
    url = reverse("interventions:flag_list")
    client.get(url)
    with django_assert_num_queries(9) as small:
        client.get(url)
    for _ in range(10):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11)
        w.group.pupils.add(pupil)
        grade(w, pupil, w.maths, "3", "6")
    services.rules_run(point=w.point)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["table"].data) >= 12
    flag = Flag.objects.filter(subject=w.maths).first()
    services.flag_action_record(flag=flag, action_text="Catch-up", status="actioned", by=w.hod.user)
    with django_assert_num_queries(9):  # the flag's plan, if it has one: one query for the button
        assert client.get(reverse("interventions:flag_detail", args=[flag.pk])).status_code == 200


def test_the_data_manager_can_run_the_active_rules_for_a_point_now(client, world):
    use_preset(world, "hurworth")
    grade(world, world.child, world.maths, "5", "6")
    client.force_login(world.data_manager.user)
    response = client.post(reverse("interventions:rules"), {"run": "1", "point": world.point.pk}, follow=True)
    assert "1 new flags" in response.content.decode()
    assert Flag.objects.get(pupil=world.child).owner == world.hod
    assert AuditEvent.objects.get(action="interventions.rules.ran").by == world.data_manager.user


def test_the_head_of_year_sees_key_stage_flags_for_their_year_and_not_subject_flags(client, world):
    use_preset(world, "hurworth")
    for subject in [world.maths, world.english, *subjects(world, "History")]:
        grade(world, world.child, subject, "5", "6")
    services.rules_run(point=world.point)
    client.force_login(world.hoy.user)
    assert _rows(client) == {(world.child.pk, "key_stage", None)}
    client.force_login(world.hod.user)
    assert (world.child.pk, "key_stage", None) not in _rows(client)


@pytest.mark.parametrize("template", ["Below in {subject.foo}", "Below in {subject:>50000000}"])
def test_a_reason_template_reaching_into_objects_or_padding_is_refused_not_a_500(client, world, template):
    use_preset(world, "laude")
    rule = Rule.objects.get(preset__code="laude", code="subject-below-4")
    client.force_login(world.slt.user)
    form = {
        "name": rule.name, "n": "1", "level": "1", "grade_thresholds": "gcse:4",
        "reason_template": template, "ks3": "on", "ks4": "on", "is_active": "on",
    }  # fmt: skip
    response = client.post(reverse("interventions:rule_edit", args=[rule.pk]), form)
    assert response.status_code == 200
    assert "Placeholders are bare names" in response.content.decode()
    rule.refresh_from_db()
    assert rule.reason_template != template


def test_the_owner_sets_the_level_on_the_flag_page_and_the_history_shows_it(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.hod.user)
    url = reverse("interventions:flag_detail", args=[flag.pk])
    response = client.post(url, {"level": "3", "action_text": "", "status": "open"}, follow=True)
    page = " ".join(response.content.decode().split())
    flag.refresh_from_db()
    assert (flag.level, flag.level_chosen, flag.status) == (3, True, "open")
    assert "Level set to 3." in page and "Level 1 → 3" in page and "(set by the owner)" in page
    assert not AuditEvent.objects.filter(action="interventions.flag.action_recorded").exists()


def test_a_level_out_of_range_is_refused_and_nothing_is_saved(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.hod.user)
    response = client.post(
        reverse("interventions:flag_detail", args=[flag.pk]), {"level": "7", "status": "open"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    flag.refresh_from_db()
    assert (flag.level, flag.level_chosen) == (1, False)


def test_someone_who_may_not_act_cannot_set_the_level(client, flagged):
    w = flagged
    flag = Flag.objects.get(pupil=w.child, subject=w.maths)
    client.force_login(w.teacher.user)
    response = client.post(
        reverse("interventions:flag_detail", args=[flag.pk]), {"level": "3", "status": "open"}
    )
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.level == 1


def test_the_rules_page_quotes_each_rules_policy_and_says_which_numbers_the_school_set(client, world):
    use_preset(world, "longfield")
    client.force_login(world.data_manager.user)
    page = " ".join(client.get(reverse("interventions:rules")).content.decode().split())
    assert "Manage intervention strategies for global underachievement" in page
    assert page.count("set by your school") == 2
    assert "Assistant headteacher" in page


def test_an_assistant_head_sees_every_key_stage_flag_but_no_subject_flags(client, world):
    aht = f.StaffFactory(school=world.school, user__school=world.school, roles=["aht"])
    use_preset(world, "longfield")
    for subject in [world.maths, world.english, *subjects(world, "History", "Geography")]:
        grade(world, world.child, subject, "4", "6")
    services.rules_run(point=world.point)
    client.force_login(aht.user)
    assert {scope for _, scope, _ in _rows(client)} == {"key_stage"}
    assert client.get(reverse("pupil_detail", args=[world.child.pk])).status_code == 200


def test_a_school_sets_how_far_below_a_subject_counts_for_global_underachievement(client, world):
    use_preset(world, "longfield")
    rule = Rule.objects.get(preset__code="longfield", code="global")
    url = reverse("interventions:rule_edit", args=[rule.pk])
    client.force_login(world.slt.user)
    form = {"name": rule.name, "n": "4", "grades_below": "0", "level": "2",
            "reason_template": rule.reason_template, "ks3": "on", "ks4": "on", "is_active": "on"}  # fmt: skip
    assert "Ensure this value is greater than or equal to 1" in client.post(url, form).content.decode()
    form["grades_below"] = "1"
    assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert (rule.n, rule.grades_below, rule.threshold_text) == (4, 1, "4+ subjects below target")
