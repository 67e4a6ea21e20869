"""Targets: generation, the agree -> publish -> change workflow, raises, curricular targets, pages."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f
from tracking.lib.errors import DomainError
from tracking.models import (
    AuditEvent,
    CurricularTarget,
    GradeEntry,
    RaiseStatus,
    Target,
    TargetRaiseProposal,
    TargetSource,
    TargetStatus,
)
from tracking.targets import generation, queries, services
from tracking.targets.flightpaths import flightpaths_install_defaults

pytestmark = pytest.mark.django_db


def _g(world, code):
    return f.grade(world.school, code)


def _history(target):
    return list(
        AuditEvent.objects.filter(object_type="tracking.target", object_id=str(target.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def paths(world):
    flightpaths_install_defaults(school=world.school)
    return world


# -- generation --------------------------------------------------------------------------------
def test_generation_from_the_flight_path_gives_each_pupil_a_proposed_target_in_each_subject_they_take(paths):
    w = paths
    w.child.ks2_reading, w.child.ks2_maths = 110, 112  # mean 111 -> grade 7 on the default path
    w.child.save()
    result = generation.target_generate(
        school=w.school, year_group=w.y11, source="flightpath", by=w.data_manager.user
    )
    assert result.created == 6  # three pupils, each in a maths and an English group
    targets = {(t.pupil_id, t.subject_id): t for t in Target.objects.select_related("grade")}
    child_maths = targets[(w.child.pk, w.maths.pk)]
    assert child_maths.grade.code == "7"
    assert child_maths.status == TargetStatus.PROPOSED
    assert child_maths.source == TargetSource.FLIGHT_PATH and child_maths.source_detail
    assert child_maths.published_grade is None
    assert _history(child_maths) == ["tracking.target.generated"]


def test_generation_keeps_agreed_and_published_targets_and_skips_pupils_without_ks2(paths):
    w = paths
    published = f.TargetFactory(pupil=w.child, subject=w.maths, grade=_g(w, "9"))
    w.classmate.ks2_reading = w.classmate.ks2_maths = None
    w.classmate.save()
    result = generation.target_generate(school=w.school, year_group=w.y11, source="flightpath", by=None)
    published.refresh_from_db()
    assert published.grade.code == "9" and published.status == TargetStatus.PUBLISHED
    assert result.kept == 1
    assert result.skipped == 2  # classmate's maths and English
    assert not Target.objects.filter(pupil=w.classmate).exists()


def test_a_dry_run_counts_without_saving(paths):
    w = paths
    result = generation.target_generate(
        school=w.school, year_group=w.y11, source="flightpath", by=None, dry_run=True
    )
    assert result.created > 0
    assert not Target.objects.exists()


def test_regenerating_updates_proposed_targets_in_place_with_history(paths):
    w = paths
    generation.target_generate(school=w.school, year_group=w.y11, source="flightpath", by=None)
    target = Target.objects.get(pupil=w.child, subject=w.maths)
    estimates = {(w.child.pk, w.maths.pk): _g(w, "8")}
    result = generation.target_generate(
        school=w.school, year_group=w.y11, source="fft", estimates=estimates, detail="FFT20 estimate", by=None
    )
    assert result.updated == 1
    target.refresh_from_db()
    assert (target.grade.code, target.source, target.source_detail) == ("8", "fft", "FFT20 estimate")
    assert _history(target) == ["tracking.target.generated", "tracking.target.regenerated"]


# -- workflow ----------------------------------------------------------------------------------
def _proposed(world, code="6", pupil=None, subject=None):
    return f.TargetFactory(
        pupil=pupil or world.child,
        subject=subject or world.maths,
        grade=_g(world, code),
        status=TargetStatus.PROPOSED,
        published_grade=None,
    )


def test_slt_agree_then_publish_and_only_publishing_sets_the_published_grade(world):
    target = _proposed(world)
    assert services.target_agree(targets=[target], by=world.slt.user) == 1
    target.refresh_from_db()
    assert target.status == TargetStatus.AGREED and target.published_grade is None
    assert services.target_publish(targets=[target], by=world.slt.user) == 1
    target.refresh_from_db()
    assert target.status == TargetStatus.PUBLISHED and target.published_grade.code == "6"
    events = AuditEvent.objects.filter(object_id=str(target.pk), action="tracking.target.published").get()
    assert events.by == world.slt.user
    assert events.before["status"] == "agreed" and events.after["published_grade"] == "6"


def test_publishing_skips_targets_that_were_never_agreed(world):
    target = _proposed(world)
    assert services.target_publish(targets=[target], by=world.slt.user) == 0
    target.refresh_from_db()
    assert target.published_grade is None


def test_a_change_request_keeps_the_published_grade_until_the_verification_team_decides(world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "6"))
    services.target_request_change(
        target=target, grade=_g(world, "7"), reason="Mocks at 7", by=world.hod.user
    )
    target.refresh_from_db()
    assert target.status == TargetStatus.CHANGE_REQUESTED
    assert target.published_grade.code == "6" and target.requested_grade.code == "7"
    services.target_decide_change(target=target, approve=True, reason="Agreed", by=world.slt.user)
    target.refresh_from_db()
    assert target.status == TargetStatus.PUBLISHED
    assert target.grade.code == "7" and target.published_grade.code == "7"
    assert target.requested_grade is None
    assert _history(target)[-2:] == ["tracking.target.change_requested", "tracking.target.change_approved"]
    approved = AuditEvent.objects.get(object_id=str(target.pk), action="tracking.target.change_approved")
    assert approved.before["grade"] == "6" and approved.after["grade"] == "7"
    assert approved.note == "Agreed" and approved.by == world.slt.user


def test_the_verification_team_may_reject_or_approve_a_different_grade(world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "6"))
    services.target_request_change(
        target=target, grade=_g(world, "4"), reason="Struggling", by=world.hod.user
    )
    services.target_decide_change(
        target=target, approve=False, reason="Too early", by=world.data_manager.user
    )
    target.refresh_from_db()
    assert (target.status, target.grade.code, target.published_grade.code) == ("published", "6", "6")
    services.target_request_change(target=target, grade=_g(world, "4"), reason="Still", by=world.hod.user)
    services.target_decide_change(
        target=target, approve=True, grade=_g(world, "5"), reason="Meet halfway", by=world.slt.user
    )
    target.refresh_from_db()
    assert target.published_grade.code == "5"


def test_a_change_needs_a_reason_and_a_published_target(world):
    target = _proposed(world)
    with pytest.raises(DomainError):
        services.target_request_change(target=target, grade=_g(world, "7"), reason="x", by=world.hod.user)
    published = f.TargetFactory(pupil=world.classmate, subject=world.maths)
    with pytest.raises(DomainError):
        services.target_request_change(target=published, grade=_g(world, "7"), reason="  ", by=world.hod.user)
    with pytest.raises(DomainError):
        services.target_decide_change(target=published, approve=True, reason="no request", by=world.slt.user)


def test_a_teacher_proposes_a_target_for_their_own_pupil_but_cannot_agree_it(client, world):
    client.force_login(world.teacher.user)
    url = reverse("target_detail", args=[world.child.pk, world.maths.pk])
    response = client.post(
        url, {"action": "propose", "propose-grade": _g(world, "7").pk, "propose-reason": ""}
    )
    assert response.status_code == 302
    target = Target.objects.get(pupil=world.child, subject=world.maths)
    assert (target.grade.code, target.source, target.status) == ("7", "teacher", "proposed")
    assert client.post(url, {"action": "agree"}).status_code == 404
    overview = reverse("target_overview") + "?year=11"
    assert client.post(overview, {"action": "agree", "expected": "1"}).status_code == 404
    target.refresh_from_db()
    assert target.status == TargetStatus.PROPOSED


def test_a_teacher_cannot_propose_for_a_pupil_outside_their_groups(client, world):
    client.force_login(world.teacher.user)
    url = reverse("target_detail", args=[world.other_child.pk, world.maths.pk])
    response = client.post(url, {"action": "propose", "propose-grade": _g(world, "7").pk})
    assert response.status_code == 404
    assert not Target.objects.exists()


def test_only_the_head_of_department_requests_and_only_the_verification_team_decides(client, world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "6"))
    url = reverse("target_detail", args=[world.child.pk, world.maths.pk])
    data = {"action": "request", "request-grade": _g(world, "7").pk, "request-reason": "Mocks"}
    for persona in ("teacher", "slt", "data_manager"):
        client.force_login(getattr(world, persona).user)
        assert client.post(url, data).status_code == 404, persona
    client.force_login(world.hod.user)
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.status == TargetStatus.CHANGE_REQUESTED
    decide = {"action": "decide", "decide-decision": "approve", "decide-reason": "ok"}
    for persona in ("teacher", "hod"):
        client.force_login(getattr(world, persona).user)
        assert client.post(url, decide).status_code == 404, persona
    client.force_login(world.data_manager.user)
    assert client.post(url, {**decide, "next": reverse("target_changes")}).status_code == 302
    target.refresh_from_db()
    assert target.published_grade.code == "7"


def test_a_decision_without_a_reason_is_refused_and_the_choices_are_kept(client, world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "6"))
    services.target_request_change(target=target, grade=_g(world, "7"), reason="Mocks", by=world.hod.user)
    client.force_login(world.slt.user)
    url = reverse("target_detail", args=[world.child.pk, world.maths.pk])
    response = client.post(url, {"action": "decide", "decide-decision": "reject", "decide-reason": ""})
    assert response.status_code == 200
    assert 'value="reject" required id="id_decide-decision_1" checked' in response.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.CHANGE_REQUESTED


def test_bulk_agree_and_publish_a_year_group_with_the_count_confirmed(client, world):
    for pupil in (world.child, world.classmate, world.other_child):
        _proposed(world, pupil=pupil)
    client.force_login(world.slt.user)
    url = reverse("target_overview") + "?year=11"
    client.post(url, {"action": "agree", "expected": "2"})  # stale count: nothing happens
    assert Target.objects.filter(status=TargetStatus.AGREED).count() == 0
    client.post(url, {"action": "agree", "expected": "3"})
    assert Target.objects.filter(status=TargetStatus.AGREED).count() == 3
    client.post(url, {"action": "publish", "expected": "3"})
    assert Target.objects.filter(status=TargetStatus.PUBLISHED, published_grade__isnull=False).count() == 3
    assert AuditEvent.objects.filter(action="tracking.target.published").count() == 3


# -- raise proposals ---------------------------------------------------------------------------
def test_a_pupil_above_target_gets_a_raise_proposal_and_the_target_does_not_change(world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "5"))
    f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        current=_g(world, "6"),
        predicted=_g(world, "7"),
    )
    f.GradeEntryFactory(
        pupil=world.classmate, subject=world.maths, point=world.point, predicted=_g(world, "5")
    )
    f.TargetFactory(pupil=world.classmate, subject=world.maths, grade=_g(world, "5"))
    assert services.targets_propose_raises(point=world.point) == 1
    proposal = TargetRaiseProposal.objects.get()
    assert proposal.proposed_grade.code == "7" and proposal.status == RaiseStatus.OPEN
    target.refresh_from_db()
    assert target.grade.code == "5" and target.published_grade.code == "5"
    assert target.status == TargetStatus.PUBLISHED
    assert services.targets_propose_raises(point=world.point) == 0  # never twice


def test_accepting_a_raise_goes_back_through_agree_and_publish(world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "5"))
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, predicted=_g(world, "6"))
    services.targets_propose_raises(point=world.point)
    proposal = TargetRaiseProposal.objects.get()
    services.target_raise_accept(proposal=proposal, by=world.hod.user)
    target.refresh_from_db()
    assert (target.grade.code, target.status, target.source) == ("6", "proposed", "raised")
    assert target.published_grade.code == "5"  # families still see the published grade
    services.target_agree(targets=[target], by=world.slt.user)
    services.target_publish(targets=[target], by=world.slt.user)
    target.refresh_from_db()
    assert target.published_grade.code == "6"
    assert _history(target)[-4:] == [
        "tracking.target.raise_proposed",
        "tracking.target.raise_accepted",
        "tracking.target.agreed",
        "tracking.target.published",
    ]


def test_dismissing_a_raise_needs_a_reason(client, world):
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "5"))
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, predicted=_g(world, "6"))
    services.targets_propose_raises(point=world.point)
    proposal = TargetRaiseProposal.objects.get()
    client.force_login(world.hod.user)
    client.post(reverse("target_raises"), {"action": "dismiss", "proposal": proposal.pk, "reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == RaiseStatus.OPEN
    client.post(reverse("target_raises"), {"action": "dismiss", "proposal": proposal.pk, "reason": "One-off"})
    proposal.refresh_from_db()
    assert proposal.status == RaiseStatus.DISMISSED


def test_the_data_manager_runs_the_above_target_check_for_a_point_and_a_teacher_cannot(client, world):
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "5"))
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, predicted=_g(world, "7"))
    client.force_login(world.teacher.user)
    assert (
        client.post(reverse("target_raises"), {"action": "run", "point": world.point.pk}).status_code == 404
    )
    client.force_login(world.data_manager.user)
    client.post(reverse("target_raises"), {"action": "run", "point": world.point.pk})
    assert TargetRaiseProposal.objects.count() == 1
    client.force_login(world.slt.user)
    assert "Lamb" in client.get(reverse("target_raises")).content.decode()


def test_ks3_raises_compare_with_the_expected_grade_on_the_flight_path(world):
    flightpaths_install_defaults(school=world.school)
    y8 = f.YearGroupFactory(school=world.school, number=8)
    pupil = f.PupilFactory(school=world.school, year_group=y8)
    point = f.AssessmentPointFactory(school=world.school, year_group=y8, sequence=3, name="Y8 Summer")
    target = f.TargetFactory(pupil=pupil, subject=world.maths, grade=_g(world, "6"))
    # End of Y8 the default path expects 2 grades below target: a 4 is on track, a 6 is 2 above.
    GradeEntry.objects.create(
        school=world.school, pupil=pupil, subject=world.maths, point=point, current=_g(world, "4")
    )
    assert services.targets_propose_raises(point=point) == 0
    GradeEntry.objects.filter(pupil=pupil).update(current=_g(world, "6"))
    assert services.targets_propose_raises(point=point) == 1
    assert TargetRaiseProposal.objects.get().proposed_grade.code == "8"
    target.refresh_from_db()
    assert target.grade.code == "6"


# -- parents and curricular targets ------------------------------------------------------------
def test_parents_see_only_published_targets_and_shared_curricular_targets(client, world):
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "8"))
    english = f.TargetFactory(
        pupil=world.child, subject=world.english, grade=_g(world, "3"), status="agreed", published_grade=None
    )
    maths = Target.objects.get(pupil=world.child, subject=world.maths)
    services.target_request_change(target=maths, grade=_g(world, "2"), reason="secret", by=world.hod.user)
    services.curricular_target_create(
        pupil=world.child,
        text="Shared with home",
        horizon="term",
        review_on=date(2027, 1, 1),
        by=world.teacher.user,
    )
    services.curricular_target_create(
        pupil=world.child,
        text="Staff eyes only",
        horizon="term",
        review_on=date(2027, 1, 1),
        share_with_family=False,
        by=world.teacher.user,
    )
    client.force_login(world.parent.user)
    page = client.get(reverse("pupil_detail", args=[world.child.pk])).content.decode()
    assert "Shared with home" in page and "Staff eyes only" not in page
    assert "<strong>8</strong>" in page  # published maths grade, though a change to 2 is pending
    assert "<strong>2</strong>" not in page and "secret" not in page
    assert "English Language" not in page.split('id="targets-h"')[1].split("</section>")[0]
    assert english.status == "agreed"
    assert [c.text for c in queries.curricular_targets_for(world.child, family=True)] == ["Shared with home"]


def test_a_class_curricular_target_reaches_every_pupil_in_the_group(client, world):
    client.force_login(world.teacher.user)
    response = client.post(
        reverse("curricular_target_new", args=["group", world.group.pk]),
        {
            "text": "Check units in every answer",
            "horizon": "lessons",
            "review_on": "2027-01-10",
            "share_with_family": "on",
        },
    )
    assert response.status_code == 302
    target = CurricularTarget.objects.get()
    assert target.subject == world.maths and target.created_by == world.teacher.user
    assert [c.text for c in queries.curricular_targets_for(world.classmate, family=True)] == [
        "Check units in every answer"
    ]
    assert queries.curricular_targets_for(world.other_child) == []


def test_an_empty_curricular_target_is_refused_with_the_typed_values_kept(client, world):
    client.force_login(world.teacher.user)
    response = client.post(
        reverse("curricular_target_new", args=["pupil", world.child.pk]),
        {"text": "", "horizon": "term", "review_on": "2027-02-01"},
    )
    assert response.status_code == 200
    assert "2027-02-01" in response.content.decode()
    assert not CurricularTarget.objects.exists()


# -- pages -------------------------------------------------------------------------------------
# Session, user, access, school, years, subjects (once for the filter and the grid), pupil count, a page
# of pupils, their targets, status counts, nav and messages: whatever the number of pupils (2 or 20 here;
# 300 in a real year).
APPROVAL_QUERIES = 11


def _year_of(world, n):
    for i in range(n):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, legal_last_name=f"Zed{i}")
        for subject in (world.maths, world.english):
            f.TargetFactory(pupil=pupil, subject=subject, status="proposed", published_grade=None)


def test_the_approval_screen_runs_a_fixed_number_of_queries_whatever_the_year_size(
    client, world, django_assert_num_queries
):
    client.force_login(world.slt.user)
    url = reverse("target_overview") + "?year=11"
    _year_of(world, 2)
    client.get(url)  # warm caches (session, content types)
    with django_assert_num_queries(APPROVAL_QUERIES):
        assert client.get(url).status_code == 200
    _year_of(world, 18)
    with django_assert_num_queries(APPROVAL_QUERIES):
        response = client.get(url)
    assert "Zed17" in response.content.decode()


def test_the_approval_screen_pages_a_big_year_and_the_counts_cover_all_of_it(client, world):
    _year_of(world, 55)
    client.force_login(world.slt.user)
    url = reverse("target_overview") + "?year=11"
    first = client.get(url).content.decode()
    assert "Showing 1–50 of 55" in first
    assert first.count('class="target-cell') == 100
    assert "Agree all <strong>110</strong> proposed targets" in first
    second = client.get(url + "&page=2").content.decode()
    assert second.count('class="target-cell') == 10 and "Showing 51–55 of 55" in second


def test_a_teacher_sees_only_their_groups_targets_on_the_approval_screen(client, world):
    _proposed(world, "7")
    _proposed(world, "4", pupil=world.other_child)
    client.force_login(world.teacher.user)
    page = client.get(reverse("target_overview") + "?year=11").content.decode()
    assert "Lamb" in page and "Dunn" not in page
    assert 'value="agree"' not in page
    client.force_login(world.slt.user)
    assert 'value="agree"' in client.get(reverse("target_overview") + "?year=11").content.decode()


def test_the_history_page_shows_who_changed_what_and_why(client, world):
    target = f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "6"))
    services.target_request_change(
        target=target, grade=_g(world, "7"), reason="Mocks at 7", by=world.hod.user
    )
    client.force_login(world.slt.user)
    page = client.get(reverse("target_detail", args=[world.child.pk, world.maths.pk])).content.decode()
    assert "Change requested" in page and "Mocks at 7" in page and "asks 7" in page


def test_the_data_manager_previews_then_generates_a_year_from_the_flight_paths(client, world):
    flightpaths_install_defaults(school=world.school)
    client.force_login(world.data_manager.user)
    form = {"year_group": world.y11.pk, "source": "flightpath"}
    preview = client.post(reverse("target_generate"), form).content.decode()
    assert "Generate 6 targets" in preview and not Target.objects.exists()
    response = client.post(reverse("target_generate"), {**form, "confirm": "1"})
    assert response.status_code == 302 and "year=11" in response["Location"]
    assert Target.objects.filter(status=TargetStatus.PROPOSED, source=TargetSource.FLIGHT_PATH).count() == 6
    assert (
        AuditEvent.objects.filter(action="tracking.target.generated", by=world.data_manager.user).count() == 6
    )


def test_a_head_of_department_cannot_request_changes_outside_their_department(client, world):
    f.TargetFactory(pupil=world.child, subject=world.english, grade=_g(world, "6"))
    client.force_login(world.hod.user)
    url = reverse("target_detail", args=[world.child.pk, world.english.pk])
    data = {"action": "request", "request-grade": _g(world, "7").pk, "request-reason": "Mocks"}
    assert client.post(url, data).status_code == 404
    assert Target.objects.get(pupil=world.child, subject=world.english).status == TargetStatus.PUBLISHED


def test_the_head_of_department_sees_their_subjects_targets_and_not_others(client, world):
    f.TargetFactory(pupil=world.other_child, subject=world.maths, grade=_g(world, "4"))
    f.TargetFactory(pupil=world.other_child, subject=world.english, grade=_g(world, "3"))
    client.force_login(world.hod.user)
    page = client.get(reverse("target_overview") + "?year=11").content.decode()
    assert "Dunn" in page and ">MA<" in page and ">EN<" not in page


def test_generation_never_overwrites_a_teachers_own_proposal(paths):
    w = paths
    services.target_propose(pupil=w.child, subject=w.maths, grade=_g(w, "9"), by=w.teacher.user)
    result = generation.target_generate(school=w.school, year_group=w.y11, source="flightpath", by=None)
    assert result.kept == 1
    assert Target.objects.get(pupil=w.child, subject=w.maths).grade.code == "9"


def test_a_head_of_year_sees_published_targets_for_their_year_only(client, world):
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "7"))
    _proposed(world, "4", pupil=world.other_child)
    client.force_login(world.hoy.user)
    page = client.get(reverse("target_overview") + "?year=11").content.decode()
    assert "Lamb" in page and "Dunn" not in page


def test_a_cycle_reaching_its_health_check_proposes_raises_for_its_points(world):
    from tracking.cycle.services import cycle_create, cycle_enter_stage

    f.TargetFactory(pupil=world.child, subject=world.maths, grade=_g(world, "5"))
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, predicted=_g(world, "7"))
    cycle = cycle_create(school=world.school, academic_year=world.year, name="Autumn 2", points=[world.point])
    for stage in ("input", "verification"):
        cycle_enter_stage(cycle_id=cycle.pk, stage=stage, respect_hold=False)
    assert not TargetRaiseProposal.objects.exists()
    cycle_enter_stage(cycle_id=cycle.pk, stage="health_check", respect_hold=False)
    assert TargetRaiseProposal.objects.get().proposed_grade.code == "7"
    assert Target.objects.get(pupil=world.child, subject=world.maths).grade.code == "5"


def _change_requests(world, n):
    for i in range(n):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, legal_last_name=f"Req{i}")
        target = f.TargetFactory(pupil=pupil, subject=world.maths, grade=_g(world, "6"))
        services.target_request_change(target=target, grade=_g(world, "7"), reason="Mocks", by=world.hod.user)


def test_the_change_request_queue_reads_a_fixed_number_of_queries_however_many_requests(
    client, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.data_manager.user)
    url = reverse("target_changes")
    _change_requests(world, 2)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assert len(few.captured_queries) <= 10  # measured on PostgreSQL
    _change_requests(world, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="decide-grade"') == 10


def test_the_generate_page_starts_on_the_youngest_year_with_fft_fields_kept_for_fft(client, world):
    year7 = f.YearGroupFactory(school=world.school, number=7)
    f.PupilFactory(school=world.school, year_group=year7)  # pickers offer years with pupils on roll
    client.force_login(world.data_manager.user)
    html = client.get(reverse("target_generate")).content.decode()
    year_select = html.split('name="year_group"', 1)[1].split("</select>", 1)[0]
    assert "---------" not in year_select
    assert '<option value="' in year_select and "selected>Year 7</option>" in year_select
    before, fft_block = html.split('data-show-when="source" data-show-value="fft"', 1)
    assert 'name="source"' in before and 'name="fft_file"' not in before
    assert 'name="fft_label"' in fft_block and 'name="fft_file"' in fft_block


def test_the_approval_counts_cover_the_chosen_years_targets_and_no_leavers(client, world):
    _year_of(world, 3)
    y10, y9 = (
        f.YearGroupFactory(school=world.school, number=10),
        f.YearGroupFactory(school=world.school, number=9),
    )
    younger = f.PupilFactory(school=world.school, year_group=y10, legal_last_name="Young")
    f.TargetFactory(pupil=younger, subject=world.maths, status="proposed", published_grade=None)
    for year in (
        world.y11,
        y9,
    ):  # a leaver's targets count nowhere, and a year of only leavers is not offered
        leaver = f.PupilFactory(school=world.school, year_group=year, is_active=False)
        f.TargetFactory(pupil=leaver, subject=world.maths, status="proposed", published_grade=None)
    client.force_login(world.slt.user)
    page = client.get(reverse("target_overview") + "?year=11").content.decode()
    assert "Agree all <strong>6</strong> proposed targets" in page
    assert (
        "Agree all <strong>1</strong> proposed targets"
        in client.get(reverse("target_overview") + "?year=10").content.decode()
    )
    assert client.get(reverse("target_overview") + "?year=9").status_code == 404
