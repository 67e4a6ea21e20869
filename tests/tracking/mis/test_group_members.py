"""Class (teaching-group membership) imports that take pupils out (issue 14).

Unticked, a groups file only ever adds. Ticked "This file lists every member of these classes", a
pupil in a class the file lists but on none of its rows leaves that class: the dry run lists every
such membership first, the commit removes them in one transaction, and each removal is audited.
Classes the file does not mention, and a class the file gives no pupils for, keep their pupils."""

import io

import pytest
from django.core.management import CommandError, call_command

from tracking.mis.kinds import spreadsheet_import
from tracking.models import AuditEvent, ImportJob, ImportStatus, TeachingGroup

pytestmark = pytest.mark.django_db

ADA, BEN, CY = "A801200005010", "P801200005011", "B801200005001"
REPLACE = {"replace_members": True}


@pytest.fixture
def w(world):
    """world.child (Ada), world.classmate (Ben) and world.other_child (Cy) with real DfE UPNs.
    11Ma1 holds Ada and Ben; 11En1 holds all three."""
    for pupil, upn in ((world.child, ADA), (world.classmate, BEN), (world.other_child, CY)):
        pupil.upn = upn
        pupil.save(update_fields=["upn"])
    return world


def run(school, text, *, commit=True, options=None, by=None):
    return spreadsheet_import(
        school=school, kind="groups", raw=text.encode(), file_name="classes.csv", by=by, commit=commit,
        options=options,
    )  # fmt: skip


def members(group):
    return set(TeachingGroup.objects.get(pk=group.pk).pupils.values_list("upn", flat=True))


ONLY_ADA = f"Class,Subject,UPN\n11Ma1,MA,{ADA}\n"


def test_an_unticked_groups_import_never_takes_a_pupil_out(w):
    job = run(w.school, ONLY_ADA)
    assert job.status == ImportStatus.COMMITTED, job.problems
    assert members(w.group) == {ADA, BEN}
    assert not AuditEvent.objects.filter(action="tracking.group.member_removed").exists()


def test_a_file_listing_every_member_takes_out_the_pupils_not_in_it_and_audits_each(w):
    dry = run(w.school, ONLY_ADA, commit=False, options=REPLACE)
    assert dry.status == ImportStatus.PREVIEWED, dry.problems
    assert [c for c in dry.changes if c["action"] == "remove"] == [
        {"key": "11Ma1", "name": w.classmate.sorted_name, "action": "remove", "detail": f"Removes {BEN}"}
    ]
    assert (dry.updated, members(w.group)) == (1, {ADA, BEN})  # the dry run saved nothing

    job = run(w.school, ONLY_ADA, options=REPLACE, by=w.data_manager.user)
    assert job.status == ImportStatus.COMMITTED, job.problems
    assert members(w.group) == {ADA}
    assert members(w.english_group) == {ADA, BEN, CY}  # not in the file: left alone
    event = AuditEvent.objects.get(action="tracking.group.member_removed")
    assert (event.pupil, event.by, event.object_id) == (w.classmate, w.data_manager.user, str(w.group.pk))
    assert event.before == {"group": "11Ma1", "upn": BEN}

    again = run(w.school, ONLY_ADA, options=REPLACE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_class_given_only_teachers_keeps_its_pupils_and_says_so(w):
    w.teacher.code = "JSM"
    w.teacher.save()
    text = f"Class,Subject,UPN,Teacher\n11Ma1,MA,{ADA},\n11En1,EN,,JSM\n"
    job = run(w.school, text, options=REPLACE)
    assert job.status == ImportStatus.COMMITTED, job.problems
    assert members(w.group) == {ADA}
    assert members(w.english_group) == {ADA, BEN, CY}
    assert job.notes == ["11En1 has no pupils in the file, so none were taken out of it."]


def test_a_file_with_a_bad_row_takes_no_one_out(w):
    text = ONLY_ADA + "11Ma1,MA,X801200005099\n"
    job = run(w.school, text, options=REPLACE)
    assert job.status == ImportStatus.REJECTED
    assert job.problems[0][0] == "Line 3"
    assert members(w.group) == {ADA, BEN}
    assert not AuditEvent.objects.filter(action="tracking.group.member_removed").exists()


def test_a_file_without_a_upn_column_cannot_list_every_member(w):
    w.teacher.code = "JSM"
    w.teacher.save()
    job = run(w.school, "Class,Subject,Teacher\n11Ma1,MA,JSM\n", options=REPLACE)
    assert job.problems == [["file", "To remove pupils not in the file, the file needs a UPN column."]]
    assert members(w.group) == {ADA, BEN}


def _upload(text):
    handle = io.BytesIO(text.encode())
    handle.name = "classes.csv"
    return handle


def test_the_data_manager_ticks_the_option_sees_who_would_leave_then_commits(w, login):
    client = login(w.data_manager.user)
    form = client.get("/imports/new/groups/").content.decode()
    assert "This file lists every member of these classes (remove pupils not in it)" in form
    assert "checked" not in form.split('name="replace_members"')[1].split(">")[0]
    response = client.post("/imports/new/groups/", {"file": _upload(ONLY_ADA), "replace_members": "on"})
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "1 membership would be removed" in page
    assert w.classmate.sorted_name in page and BEN in page
    assert members(w.group) == {ADA, BEN}
    client.post(f"/imports/{job.pk}/commit/")
    assert members(w.group) == {ADA}
    done = ImportJob.objects.get(status=ImportStatus.COMMITTED)
    assert done.options == REPLACE
    assert "1 membership removed" in client.get(f"/imports/{done.pk}/").content.decode()


def test_an_upload_without_the_tick_removes_no_one(w, login):
    client = login(w.data_manager.user)
    response = client.post("/imports/new/groups/", {"file": _upload(ONLY_ADA)})
    job = ImportJob.objects.get()
    assert job.options == {}
    assert "would be removed" not in client.get(response["Location"]).content.decode()
    client.post(f"/imports/{job.pk}/commit/")
    assert members(w.group) == {ADA, BEN}


def test_the_command_takes_pupils_out_only_with_replace_members(w, tmp_path):
    path = tmp_path / "classes.csv"
    path.write_text(ONLY_ADA)
    out = io.StringIO()
    call_command("import_file", "groups", str(path), "--school", w.school.slug, stdout=out)
    assert members(w.group) == {ADA, BEN}
    out = io.StringIO()
    args = ("import_file", "groups", str(path), "--school", w.school.slug, "--replace-members")
    call_command(*args, "--dry-run", stdout=out)
    assert "1 membership would be removed." in out.getvalue()
    assert f"11Ma1: {w.classmate.sorted_name} ({BEN})" in out.getvalue()
    assert members(w.group) == {ADA, BEN}
    call_command(*args, stdout=io.StringIO())
    assert members(w.group) == {ADA}
    with pytest.raises(CommandError, match="groups import only"):
        call_command("import_file", "pupils", str(path), "--school", w.school.slug, "--replace-members")
