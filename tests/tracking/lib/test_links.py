from django.urls import reverse

from tracking.lib.links import url_for_pk


def test_a_row_link_is_what_reverse_gives():
    assert url_for_pk("pupil_detail", 1234) == reverse("pupil_detail", args=[1234])
    assert url_for_pk("group_detail", "7") == reverse("group_detail", args=[7])
