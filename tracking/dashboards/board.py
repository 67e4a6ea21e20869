"""The staffroom Data Board: a read-only screen that signs in with a link, not a person's login.

The link is signed with the site's secret and carries the school and its `board_key`; the data manager
turns the board on, gets a new link (every old link stops working at once) or turns it off. The link
opens the board page and nothing else: no session is made, and the page links nowhere.
"""

import secrets

from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare

from tracking import audit
from tracking.models import School

SALT = "tracking.dashboards.board"


def board_token(school):
    """The token for the school's board link ("" when the board is off)."""
    if not school.board_key:
        return ""
    return signing.dumps([school.pk, school.board_key], salt=SALT)


def school_for_token(token):
    """The school whose board this token opens, or None (bad, forged, old or switched-off links)."""
    try:
        school_id, key = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(school_id, int) or not isinstance(key, str) or not key:
        return None
    school = School.objects.filter(pk=school_id).first()
    if school is None or not constant_time_compare(school.board_key, key):
        return None
    return school


def _save(school, by, action, before, after):
    with transaction.atomic():
        school.save(update_fields=["board_key", "board_shows_pupils"])
        audit.record(
            action=action, obj=school, by=by, before=before, after=after, via="data board", school=school
        )


def board_link_rotate(*, school, by):
    """Turn the board on with a new link; any earlier link stops working."""
    was_on = bool(school.board_key)
    school.board_key = secrets.token_urlsafe(24)
    _save(school, by, "tracking.data_board.link_changed", {"on": was_on}, {"on": True})


def board_switch_off(*, school, by):
    was_on = bool(school.board_key)
    school.board_key = ""
    _save(school, by, "tracking.data_board.switched_off", {"on": was_on}, {"on": False})


def board_names_pupils_set(*, school, shows_pupils, by):
    before = school.board_shows_pupils
    school.board_shows_pupils = bool(shows_pupils)
    _save(
        school,
        by,
        "tracking.data_board.names_pupils_changed",
        {"names_pupils": before},
        {"names_pupils": school.board_shows_pupils},
    )
