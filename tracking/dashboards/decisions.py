"""Decisions waiting on a leader's home page: what each part of Uplift has queued for them to decide.

Each app registers the queues it owns (tracking here; interventions and mentoring in their
AppConfig.ready(), since tracking never imports them). A queue is a queryset of the rows waiting, from
the app's own permission scope, and a link to the page where the decision is made. Every queue a user
has is counted in ONE query, however many there are and however long they grow.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from tracking import permissions
from tracking.models import (
    DepartmentSignOff,
    ImportJob,
    ImportStatus,
    RaiseStatus,
    ReopenRequestStatus,
    Role,
    SheetReturn,
)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str  # what is waiting, as a plural noun phrase ("Target change requests")
    allowed: object  # callable(user) -> bool
    rows: object  # callable(user) -> QuerySet of the rows waiting, scoped to what the user may see
    url: object  # callable(user) -> the page where the decision is made
    order: int = 100


@dataclass
class Waiting:
    key: str
    label: str
    count: int
    url: str


_queues = []


def register(key, label, *, allowed, rows, url, order=100):
    _queues.append(Queue(key, label, allowed, rows, url, order))


def queues_for(user):
    return sorted((q for q in _queues if q.allowed(user)), key=lambda q: q.order)


def has_decisions(user):
    return bool(queues_for(user))


def _counted(querysets):
    """Each queryset's row count, from one SELECT of scalar subqueries (an empty scope costs nothing)."""
    parts, params, counts = [], [], [0] * len(querysets)
    wanted = []
    for index, queryset in enumerate(querysets):
        try:
            sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{index})")
        params.extend(sql_params)
        wanted.append(index)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            for index, value in zip(wanted, cursor.fetchone(), strict=True):
                counts[index] = value
    return counts


def waiting_for(user):
    """[Waiting] for every queue the user decides, in the registered order."""
    queues = queues_for(user)
    counts = _counted([queue.rows(user) for queue in queues])
    return [
        Waiting(queue.key, queue.label, count, queue.url(user) if count else "")
        for queue, count in zip(queues, counts, strict=True)
    ]


def panel(user):
    items = waiting_for(user)
    return {"waiting": [i for i in items if i.count], "clear": [i for i in items if not i.count]}


# -- tracking's own queues -------------------------------------------------------------------------


def _target_changes(user):
    return permissions.target_changes_visible_to(user)


def _raises(user):
    return permissions.raises_visible_to(user).filter(status=RaiseStatus.OPEN)


def _failed_tasks(user):
    return permissions.failed_tasks_visible_to(user).filter(retried_at__isnull=True)


def _imports(user, statuses):
    """The school's import jobs in these statuses that are still the latest attempt of their kind."""
    school = permissions.school_for(user)
    later = ImportJob.objects.filter(
        school_id=OuterRef("school_id"), kind=OuterRef("kind"), pk__gt=OuterRef("pk")
    )
    return ImportJob.objects.filter(school=school, status__in=statuses).exclude(Exists(later))


def _imports_failed(user):
    return _imports(user, [ImportStatus.REJECTED])


def _imports_waiting(user):
    return _imports(user, [ImportStatus.PREVIEWED, ImportStatus.MAPPING])


def _reopen_requests(user):
    return permissions.reopen_requests_visible_to(user).filter(status=ReopenRequestStatus.PENDING)


def _verifying_cycles(user):
    return permissions.cycles_visible_to(user).filter(stage="verification", academic_year__is_current=True)


def _sheets_sent_back(user):
    return SheetReturn.objects.filter(
        cycle__in=_verifying_cycles(user),
        resolved_at__isnull=True,
        teaching_group__subject__department__in=permissions.health_departments_for(user),
    )


def _sign_offs_due(user):
    """Departments a head of department has still to sign off in a cycle at verification (SLT: theirs)."""
    by_slt = permissions.signs_off_as_slt(user)
    signed = DepartmentSignOff.objects.filter(
        cycle__in=_verifying_cycles(user), department=OuterRef("pk"), by_slt=by_slt, status="verified"
    )
    return (
        permissions.health_departments_for(user)
        .filter(Exists(_verifying_cycles(user).filter(school_id=OuterRef("school_id"))))
        .exclude(Exists(signed))
    )


def _verify_url(user):
    cycle = _verifying_cycles(user).order_by("input_on").values_list("pk", flat=True).first()
    return reverse("cycle_verify", args=[cycle]) if cycle else reverse("cycle_calendar")


def _heads_department(user):
    access = permissions.access_for(user)
    return Role.HEAD_OF_DEPARTMENT in access.roles and bool(access.department_ids)


def _leads_verification(user):
    return permissions.signs_off_as_slt(user) or _heads_department(user)


def rag_due_by():
    """Open RAG actions count as due a week ahead: overdue ones and those due in the next seven days."""
    return timezone.localdate() + timedelta(days=7)


def register_tracking_queues():
    register(
        "target_changes",
        "Target change requests",
        allowed=permissions.is_verification_team,
        rows=_target_changes,
        url=lambda user: reverse("target_changes"),
        order=10,
    )
    register(
        "raises",
        "Proposed target raises",
        allowed=permissions.can_review_raises,
        rows=_raises,
        url=lambda user: reverse("target_raises"),
        order=20,
    )
    register(
        "sign_offs",
        "Departments to sign off at verification",
        allowed=_leads_verification,
        rows=_sign_offs_due,
        url=_verify_url,
        order=30,
    )
    register(
        "failed_tasks",
        "Failed background tasks",
        allowed=permissions.is_data_manager,
        rows=_failed_tasks,
        url=lambda user: reverse("failed_tasks"),
        order=60,
    )
    register(
        "reopen_requests",
        "Requests to reopen verified marksheets",
        allowed=permissions.is_data_manager,
        rows=_reopen_requests,
        url=lambda user: reverse("reopen_requests"),
        order=65,
    )
    register(
        "imports_failed",
        "Imports that failed (the latest of their kind)",
        allowed=permissions.can_import,
        rows=_imports_failed,
        url=lambda user: reverse("import_list"),
        order=70,
    )
    register(
        "imports_waiting",
        "Imports waiting to be committed or mapped",
        allowed=permissions.can_import,
        rows=_imports_waiting,
        url=lambda user: reverse("import_list"),
        order=71,
    )
    register(
        "sheets_sent_back",
        "Marksheets sent back at verification, still open",
        allowed=lambda user: permissions.is_data_manager(user) or _heads_department(user),
        rows=_sheets_sent_back,
        url=_verify_url,
        order=80,
    )
