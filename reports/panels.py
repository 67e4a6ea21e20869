"""The family's home panel: each child with their page and their published reports."""

from tracking import permissions

from . import permissions as access


def is_family(user):
    return permissions.is_guardian(user) and not permissions.is_staff_member(user)


def children(user):
    pupils = list(
        permissions.pupils_visible_to(user).select_related("year_group", "form").order_by("legal_first_name")
    )
    counts = {}
    for pupil_id in (
        access.reports_visible_to(user)
        .filter(run__published_at__isnull=False)
        .values_list("pupil_id", flat=True)
    ):
        counts[pupil_id] = counts.get(pupil_id, 0) + 1
    return {"children": [{"pupil": p, "reports": counts.get(p.pk, 0)} for p in pupils]}
