"""Each report page opens in a fixed number of queries, whatever the size of the school."""

import pytest
from django.urls import reverse

from tests.reports.helpers import finished_run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "name", "cap"),
    [
        ("data_manager", "reports:settings", 20),
        ("slt", "reports:run_list", 20),
        ("tutor", "reports:comments", 20),
        ("mentor", "reports:comments", 20),
        ("parent", "home", 25),
    ],
)
def test_report_pages_open_within_their_query_cap(
    client, world, persona, name, cap, django_assert_max_num_queries
):
    for _ in range(3):
        finished_run(world, form=world.form)  # more runs and reports must not mean more queries
    client.force_login(getattr(world, persona).user)
    with django_assert_max_num_queries(cap):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_the_run_page_does_not_grow_with_its_pupils(client, world, django_assert_max_num_queries):
    from tests import factories as f

    for n in range(12):
        f.PupilFactory(school=world.school, year_group=world.y11, form=world.form, legal_first_name=f"P{n}")
    run = finished_run(world)
    client.force_login(world.slt.user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 200
