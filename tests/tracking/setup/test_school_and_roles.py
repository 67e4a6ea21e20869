"""The data manager sets the school's words, colours and thresholds, and gives and takes staff roles,
in the app: each change audited, bad input refused with nothing saved, other schools' staff a 404."""

import pytest

from tests import factories as f
from tracking import standing
from tracking.models import AuditEvent, Role, School, StaffRole

pytestmark = pytest.mark.django_db

WORDS = {
    "label_above": "Flying",
    "label_on": "On track",
    "label_below": "Needs a push",
    "label_well_below": "Let's talk",
    "colour_above": "#1d70b8",
    "colour_on": "#00703c",
    "colour_below": "#b35900",
    "colour_well_below": "#5a3d8a",
    "above_by": 1,
    "below_by": 1,
    "well_below_by": 2,
    "floor_scale_code": "gcse",
    "floor_step": 4,
    "fsm_ever_years": 6,
    "retention_years": "",
}


def test_the_schools_words_reach_every_badge_and_the_change_is_audited(world, login):
    client = login(world.data_manager.user)
    assert client.post("/setup/school/", WORDS)["Location"] == "/setup/school/"
    school = School.objects.get(pk=world.school.pk)
    assert (school.label_well_below, school.colour_well_below) == ("Let's talk", "#5a3d8a")
    assert standing.label(standing.WELL_BELOW, school) == "Let's talk"
    event = AuditEvent.objects.get(action="tracking.school.settings_changed")
    assert event.before["label_well_below"] == "Well below target"
    assert event.after == {
        "label_above": "Flying",
        "label_on": "On track",
        "label_below": "Needs a push",
        "label_well_below": "Let's talk",
        "colour_well_below": "#5a3d8a",
    }
    page = client.get("/setup/school/").content.decode()
    assert "Let&#x27;s talk" in page and 'data-standing="well-below"' in page
    assert "#5a3d8a" in client.get("/theme.css").content.decode()
    # Saving the same again changes nothing and records nothing.
    client.post("/setup/school/", WORDS)
    assert AuditEvent.objects.filter(action="tracking.school.settings_changed").count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour_on": "#zzzzzz"}, "Give a colour as # and six hex digits"),
        ({"colour_on": "red;}body{display:none"}, "at most 7 characters"),
        ({"label_on": "   "}, "This field is required."),
        ({"well_below_by": 1}, "Well below must start further under than below does."),
        ({"below_by": 0}, "At least one grade."),
        ({"floor_scale_code": "nonsense"}, "Select a valid choice."),
    ],
)
def test_bad_settings_save_nothing_and_say_why(world, login, change, message):
    client = login(world.data_manager.user)
    response = client.post("/setup/school/", {**WORDS, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    school = School.objects.get(pk=world.school.pk)
    assert school.label_on == "On target" and school.colour_on == "#00703c" and school.well_below_by == 2
    assert not AuditEvent.objects.filter(action="tracking.school.settings_changed").exists()


def test_a_role_is_given_within_the_school_and_taken_away_audited(world, login):
    client = login(world.data_manager.user)
    teacher = world.other_teacher
    url = f"/setup/staff/{teacher.pk}/"
    response = client.post(url, {"role": Role.HEAD_OF_DEPARTMENT, "department": world.english.department_id})
    assert response.status_code == 302
    role = StaffRole.objects.get(staff=teacher, role=Role.HEAD_OF_DEPARTMENT)
    assert role.department == world.english.department
    added = AuditEvent.objects.get(action="tracking.staffrole.added")
    assert added.after["role"] == "hod" and added.via == "set-up" and added.school == world.school
    # The same role twice is refused.
    again = client.post(url, {"role": Role.HEAD_OF_DEPARTMENT, "department": world.english.department_id})
    assert "already has this role" in again.content.decode()
    assert client.post(f"{url}roles/{role.pk}/remove/").status_code == 302
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    removed = AuditEvent.objects.get(action="tracking.staffrole.deleted")
    assert removed.before["role"] == "hod" and removed.school == world.school


def test_a_role_scoped_to_another_schools_department_or_the_wrong_scope_is_refused(world, login):
    other = f.SchoolFactory(name="Elsewhere", slug="elsewhere")
    their_department = f.DepartmentFactory(school=other, name="Their maths")
    client = login(world.data_manager.user)
    url = f"/setup/staff/{world.other_teacher.pk}/"
    for body in (
        {"role": Role.HEAD_OF_DEPARTMENT, "department": their_department.pk},
        {"role": Role.HEAD_OF_DEPARTMENT},  # a head of department needs their department
        {"role": Role.TEACHER, "department": world.english.department_id},  # only a HoD has one
        {"role": "superuser"},
    ):
        response = client.post(url, body)
        assert response.status_code == 200, body
        assert "There is a problem" in response.content.decode()
    assert not StaffRole.objects.filter(staff=world.other_teacher).exclude(role=Role.TEACHER).exists()
    assert not AuditEvent.objects.filter(action="tracking.staffrole.added").exists()


def test_the_last_data_manager_keeps_the_role(world, login):
    client = login(world.data_manager.user)
    mine = StaffRole.objects.get(staff=world.data_manager, role=Role.DATA_MANAGER)
    response = client.post(f"/setup/staff/{world.data_manager.pk}/roles/{mine.pk}/remove/", follow=True)
    assert "only data manager keeps the role" in response.content.decode()
    assert StaffRole.objects.filter(pk=mine.pk).exists()


def test_other_schools_staff_and_roles_are_a_404(world, login):
    other = f.SchoolFactory(name="Elsewhere", slug="elsewhere")
    stranger = f.StaffFactory(school=other, user__school=other, roles=[Role.SLT])
    role = stranger.roles.get()
    client = login(world.data_manager.user)
    assert client.get(f"/setup/staff/{stranger.pk}/").status_code == 404
    assert client.post(f"/setup/staff/{stranger.pk}/", {"role": Role.TEACHER}).status_code == 404
    assert client.post(f"/setup/staff/{stranger.pk}/roles/{role.pk}/remove/").status_code == 404
    # Someone else's role id under one of our staff is a 404 too.
    assert client.post(f"/setup/staff/{world.teacher.pk}/roles/{role.pk}/remove/").status_code == 404
    assert StaffRole.objects.filter(pk=role.pk).exists()
    assert stranger.user.get_full_name() not in client.get("/setup/staff/?q=").content.decode()


def test_the_staff_list_searches_filters_and_exports(world, login):
    client = login(world.data_manager.user)
    page = client.get("/setup/staff/", {"role": Role.HEAD_OF_DEPARTMENT}).content.decode()
    assert str(world.hod) in page and str(world.other_teacher) not in page
    response = client.get("/setup/staff/", {"q": world.teacher.user.last_name, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Name,Staff code,Email,Roles"
    assert str(world.teacher) in body
    xlsx = client.get("/setup/staff/", {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def _scale_body(scale, changes=None, name=None):
    values = list(scale.values.order_by("-rank"))
    body = {
        "scale-name": name or scale.name,
        "grades-TOTAL_FORMS": len(values),
        "grades-INITIAL_FORMS": len(values),
    }
    for i, value in enumerate(values):
        aliases, points = (changes or {}).get(value.code, (value.aliases, value.points))
        body |= {f"grades-{i}-id": value.pk, f"grades-{i}-aliases": aliases, f"grades-{i}-points": points}
    return body


def test_a_scales_spellings_and_points_are_edited_and_audited_codes_and_order_kept(world, login):
    scale = world.maths.scale
    top = scale.values.order_by("-rank").first()
    order = list(scale.values.order_by("-rank").values_list("code", "rank", "step"))
    client = login(world.data_manager.user)
    page = client.get(f"/setup/scales/{scale.pk}/").content.decode()
    assert "Used by English Language, Mathematics." in page
    body = _scale_body(scale, {top.code: (" Nine ,  Top ", "9.50")}, name="GCSE (9 to 1)")
    assert client.post(f"/setup/scales/{scale.pk}/", body)["Location"] == "/setup/scales/"
    top.refresh_from_db()
    scale.refresh_from_db()
    assert (scale.name, top.aliases, str(top.points)) == ("GCSE (9 to 1)", "Nine,Top", "9.50")
    assert list(scale.values.order_by("-rank").values_list("code", "rank", "step")) == order
    event = AuditEvent.objects.get(action="tracking.scale.changed")
    assert event.after[top.code] == {"aliases": "Nine,Top", "points": "9.50"}
    assert event.after["name"] == "GCSE (9 to 1)" and len(event.after) == 2
    # Saving it unchanged records nothing more.
    client.post(f"/setup/scales/{scale.pk}/", _scale_body(scale))
    assert AuditEvent.objects.filter(action="tracking.scale.changed").count() == 1


def test_bad_or_hostile_scale_edits_save_nothing_and_other_schools_scales_are_a_404(world, login):
    scale = world.maths.scale
    top = scale.values.order_by("-rank").first()
    count = scale.values.count()
    client = login(world.data_manager.user)
    response = client.post(f"/setup/scales/{scale.pk}/", _scale_body(scale, {top.code: ("", "-1")}))
    assert response.status_code == 200 and "Points cannot be negative." in response.content.decode()
    other = f.SchoolFactory(name="Elsewhere", slug="elsewhere")
    stranger = f.SubjectFactory(school=other).scale
    foreign = stranger.values.order_by("-rank").first()
    foreign_points = foreign.points
    # Another school's grade named in the form: not a 500, and that grade is untouched.
    body = _scale_body(scale) | {"grades-0-id": foreign.pk, "grades-0-points": "0"}
    assert client.post(f"/setup/scales/{scale.pk}/", body).status_code in (200, 302)
    # More forms than grades: the extra is ignored; no grade is added.
    body = _scale_body(scale)
    n = body["grades-TOTAL_FORMS"]
    body |= {"grades-TOTAL_FORMS": n + 1, f"grades-{n}-aliases": "x", f"grades-{n}-points": "1"}
    assert client.post(f"/setup/scales/{scale.pk}/", body).status_code == 302
    assert scale.values.count() == count
    assert client.get(f"/setup/scales/{stranger.pk}/").status_code == 404
    assert client.post(f"/setup/scales/{stranger.pk}/", _scale_body(stranger, name="Mine")).status_code == 404
    foreign.refresh_from_db()
    top.refresh_from_db()
    assert foreign.points == foreign_points and top.points >= 0
    assert not AuditEvent.objects.filter(action="tracking.scale.changed").exists()
