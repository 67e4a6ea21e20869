"""A list of ids bound as one parameter finds exactly those rows, on this database's own form."""

import pytest

from tests import factories as f
from tracking.lib.db import id_table
from tracking.models import Pupil

pytestmark = pytest.mark.django_db


def test_an_id_table_finds_exactly_the_ids_given_in_one_parameter(world):
    wanted = [world.child.pk, world.other_child.pk, 987654321]
    f.PupilFactory(school=world.school)  # one more that is not asked for
    found = Pupil.objects.filter(pk__in=id_table(wanted))
    assert set(found.values_list("pk", flat=True)) == {world.child.pk, world.other_child.pk}
    sql, params = found.query.sql_with_params()
    assert len(params) == 1 and "IN (SELECT" in sql  # every id in one parameter
    assert not Pupil.objects.filter(pk__in=id_table([])).exists()
