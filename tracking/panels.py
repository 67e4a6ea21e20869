"""Home-page panels for tracking's own roles."""

from django.db.models import Count, Q

from . import permissions, queries
from .models import Role


def children(user):
    pupils = permissions.pupils_visible_to(user).select_related("year_group", "form")
    return {"children": list(pupils)}


def teaches_groups(user):
    return permissions.groups_taught_by(user).exists()


def my_groups(user):
    return {"groups": list(queries.groups_with_counts(permissions.groups_taught_by(user)))}


def tutors_form(user):
    return permissions.has_role(user, Role.FORM_TUTOR) and not permissions.is_whole_school(user)


def my_form(user):
    access = permissions.access_for(user)
    forms = (
        permissions.forms_visible_to(user)
        .filter(tutors=access.staff)
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__is_active=True)))
    )
    return {"forms": list(forms.select_related("year_group"))}


def school_summary(user):
    pupils = permissions.pupils_visible_to(user)
    summary = pupils.aggregate(
        total=Count("pk"),
        disadvantaged=Count("pk", filter=Q(disadvantaged=True)),
        sen=Count("pk", filter=~Q(sen_status="N")),
        eal=Count("pk", filter=Q(eal=True)),
    )
    by_year = pupils.values("year_group__number").annotate(n=Count("pk")).order_by("year_group__number")
    return {"summary": summary, "by_year": list(by_year)}
