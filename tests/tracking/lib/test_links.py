from django.urls import reverse

from tracking.lib.links import url_for_pk


def test_a_row_link_is_what_reverse_gives():
    assert url_for_pk("pupil_detail", 1234) == reverse("pupil_detail", args=[1234])
    assert url_for_pk("group_detail", "7") == reverse("group_detail", args=[7])


def test_a_two_id_link_is_what_reverse_gives():
    from tracking.lib.links import url_for_pks

    assert url_for_pks("marksheet", 12, 345) == reverse("marksheet", args=[12, 345])
    assert url_for_pks("marksheet_reopen", "7", 8) == reverse("marksheet_reopen", args=[7, 8])
