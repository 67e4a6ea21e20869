import pytest
from django.db.models import Count, Value

from tests import factories as f
from tracking.lib.shared import select_shared
from tracking.models import Pupil, Staff, TeachingGroup

pytestmark = pytest.mark.django_db


def test_shared_rows_are_what_select_related_reads_with_each_related_row_built_once(world):
    f.TeachingGroupFactory(school=world.school, subject=world.maths, name="11Ma9")
    groups = TeachingGroup.objects.filter(school=world.school).order_by("name")
    expected = list(groups.select_related("subject", "year_group"))
    found = select_shared(groups, "subject", "year_group")
    assert [(g.pk, g.name, g.subject, g.year_group) for g in found] == [
        (g.pk, g.name, g.subject, g.year_group) for g in expected
    ]
    maths = [g.subject for g in found if g.subject_id == world.maths.pk]
    assert len(maths) > 1 and all(s is maths[0] for s in maths)
    assert all(s.name == world.maths.name and s.scale_id == world.maths.scale_id for s in maths)


def test_shared_rows_follow_nested_keys_and_leave_an_empty_key_empty(world, django_assert_num_queries):
    pupil = f.PupilFactory(school=world.school, form=None)
    with django_assert_num_queries(1):
        pupils = select_shared(Pupil.objects.filter(school=world.school), "form__year_group")
        found = {p.pk: p for p in pupils}
        assert found[pupil.pk].form is None
        assert found[world.child.pk].form.year_group.number == world.child.form.year_group.number
    with django_assert_num_queries(1):
        staff = select_shared(Staff.objects.filter(pk=world.teacher.pk), "user")
        assert staff[0].user.username == world.teacher.user.username


def test_shared_rows_keep_the_querysets_annotations(world):
    groups = TeachingGroup.objects.filter(pk=world.group.pk).annotate(mine=Value(True), n=Count("pupils"))
    [group] = select_shared(groups, "subject")
    assert group.mine is True and group.n == world.group.pupils.count() and group.subject == world.maths


def test_a_page_read_by_id_is_the_page_the_paginator_gives(world):
    from django.core.paginator import Paginator

    from tracking.lib.shared import page_of

    for n in range(5):
        f.PupilFactory(school=world.school, legal_last_name=f"Zed{n}")
    pupils = Pupil.objects.filter(school=world.school).annotate(n=Count("teaching_groups"))
    pupils = pupils.order_by("legal_last_name", "pk")
    for number in (1, 2, "9", "x"):
        expected = Paginator(pupils, 3).get_page(number)
        page = page_of(pupils, number, 3)
        assert [(p.pk, p.n) for p in page] == [(p.pk, p.n) for p in expected]
        assert (page.number, page.paginator.count) == (expected.number, expected.paginator.count)
