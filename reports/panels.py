"""The family's home panel: each child with their page and their published reports."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tracking import permissions

from . import access


def is_family(user):
    return permissions.is_guardian(user) and not permissions.is_staff_member(user)


def children(user):
    """Each child with how many reports the family may download, in one query."""
    published = (
        access.reports_visible_to(user)
        .filter(run__published_at__isnull=False, pupil_id=OuterRef("pk"))
        .order_by()
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pupils = (
        permissions.pupils_visible_to(user)
        .select_related("year_group", "form")
        .annotate(report_count=Coalesce(Subquery(published, output_field=IntegerField()), 0))
        .order_by("legal_first_name")
    )
    return {"children": [{"pupil": p, "reports": p.report_count} for p in pupils]}
