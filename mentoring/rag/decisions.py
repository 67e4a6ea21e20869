"""The RAG actions queue on SLT's decisions-waiting panel: actions not done and due within the week."""

from django.urls import reverse

from tracking import permissions
from tracking.dashboards import decisions

from ..models import ActionStatus
from .access import actions_visible_to


def actions_due(user):
    return (
        actions_visible_to(user).exclude(status=ActionStatus.DONE).filter(due_on__lte=decisions.rag_due_by())
    )


def register():
    decisions.register(
        "rag_actions",
        "RAG actions overdue or due this week",
        allowed=permissions.is_slt,
        rows=actions_due,
        url=lambda user: reverse("mentoring:rag_actions"),
        order=50,
    )
