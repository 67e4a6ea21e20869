from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from tracking import permissions
from tracking.lib import exports, pdf
from tracking.lib.errors import DomainError
from tracking.models import Pupil, Staff, Subject

from .. import paper
from . import access, queries, services
from .allocate import BUCKET_LABELS
from .forms import FollowUpForm, RequestForm, SessionForm
from .models import Allocation, AllocationStatus, Attendance, SessionRequest, TimetableIssue

REQUESTS_PER_PAGE = 50


def _week(request):
    return queries.parse_week(request.GET.get("week") or request.POST.get("week"), timezone.localdate())


def _weeks_nav(week):
    return {"week": week, "prev_week": week - timedelta(days=7), "next_week": week + timedelta(days=7),
            "week_end": week + timedelta(days=4)}  # fmt: skip


@login_required
def session_week(request):
    """The week's sessions: registers for their leaders, the sign-up sheet, and (SENCo) new slots."""
    user = request.user
    permissions.require(access.can_request(user))
    week = _week(request)
    school = permissions.school_for(user)
    can_allocate = access.can_allocate(user)
    form = None
    if can_allocate:
        form = SessionForm(
            request.POST or None,
            subjects=Subject.objects.filter(school=school).order_by("name"),
            staff=Staff.objects.filter(school=school).select_related("user"),
            initial={"date": week},
        )
        if request.method == "POST" and form.is_valid():
            try:
                session = services.session_create(school=school, by=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Session added: {session}.")
                return redirect(f"{request.path}?week={queries.monday_of(session.date).isoformat()}")
    elif request.method == "POST":
        permissions.require(False)
    sessions = queries.week_sessions(school, week).annotate(
        placed=Count("allocations", filter=Q(allocations__status=AllocationStatus.CONFIRMED)),
        proposed=Count("allocations", filter=Q(allocations__status=AllocationStatus.PROPOSED)),
    )
    if fmt := exports.requested(request):
        headers = ["Date", "Starts", "Ends", "Session", "Kind", "Advertised", "Room", "Leader", "Places"]
        headers += ["Confirmed", "Proposed"]
        rows = [
            [s.date, s.starts_at, s.ends_at, s.title, s.get_kind_display(), "Yes" if s.advertised else "No",
             s.room, str(s.leader or ""), s.capacity, s.placed, s.proposed]
            for s in sessions
        ]  # fmt: skip
        return exports.download(fmt, headers, rows, name=f"sessions {week.isoformat()}", sheet="Sessions")
    staff = permissions.access_for(user).staff
    rows = [
        {"session": s, "can_register": can_allocate or (staff is not None and s.leader_id == staff.pk)}
        for s in sessions
    ]
    return render(
        request,
        "interventions/sessions/week.html",
        {
            **_weeks_nav(week),
            "rows": rows,
            "form": form,
            "can_allocate": can_allocate,
            "can_follow_up": access.can_follow_up(user),
        },
    )


@login_required
def request_new(request):
    """A teacher asks for sessions for named pupils: from one of their groups, or pupils they can see."""
    user = request.user
    permissions.require(access.can_request(user))
    groups = (
        permissions.groups_visible_to(user).filter(academic_year__is_current=True).select_related("subject")
    )
    group = None
    if request.GET.get("group", "").isdigit():
        group = groups.filter(pk=request.GET["group"]).first()
    school = permissions.school_for(user)
    if group is not None:
        pupils = group.pupils.filter(is_active=True).order_by("legal_last_name", "legal_first_name")
    else:
        pupils = Pupil.objects.none()
    week = queries.monday_of(timezone.localdate()) + timedelta(days=7)
    subjects = Subject.objects.filter(school=school)
    if not permissions.is_whole_school(user):
        subjects = permissions.subjects_visible_to(user)
    form = RequestForm(
        request.POST or None,
        subjects=subjects.order_by("name"),
        pupils=permissions.pupils_visible_to(user).filter(pk__in=pupils.values("pk")),
        initial={"subject": group.subject_id if group else None, "week_start": week},
    )
    if request.method == "POST":
        permissions.require(group is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.request_create(
                    pupils=list(data["pupils"]),
                    subject=data["subject"],
                    kind=data["kind"],
                    reason=data["reason"],
                    week_start=data["week_start"],
                    by=user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                n = len(result.created)
                text = f"{n} request{'s' if n != 1 else ''} sent to the SENCo."
                if result.skipped:
                    text += f" Already requested: {', '.join(p.full_name for p in result.skipped)}."
                messages.success(request, text)
                return redirect("interventions:session_requests")
    # The options as the template wrote them, from plain values: a whole-school reader at 6,000 pupils
    # has some 1,900 groups, and the template engine's loop over them cost more than the rest of the page.
    group_options = format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        (
            (pk, mark_safe(" selected") if group is not None and pk == group.pk else "", name, subject)
            for pk, name, subject in groups.values_list("pk", "name", "subject__name")
        ),
    )
    return render(
        request,
        "interventions/sessions/request_new.html",
        {"form": form, "group_options": group_options, "group": group},
    )


@login_required
def session_requests(request):
    user = request.user
    permissions.require(access.can_request(user))
    week = _week(request) if request.GET.get("week") else None
    requests = SessionRequest.objects.filter(school_id__in=permissions.access_for(user).school_ids)
    if not access.can_allocate(user):
        requests = requests.filter(requested_by=user)
    if week:
        requests = requests.filter(week_start=week)
    requests = requests.select_related("pupil__form", "subject", "requested_by").order_by(
        "-week_start", "status"
    )
    if fmt := exports.requested(request):
        headers = [
            "Week of",
            "Pupil",
            "UPN",
            "Form",
            "Subject",
            "Kind",
            "Reason",
            "Asked by",
            "Status",
            "Not placed because",
        ]
        rows = [
            [
                r.week_start,
                r.pupil.sorted_name,
                r.pupil.upn,
                r.pupil.form.name if r.pupil.form else "",
                r.subject.name,
                r.get_kind_display(),
                r.reason,
                r.requested_by.display_name if r.requested_by else "",
                r.get_status_display(),
                r.unplaced_reason if r.status != "placed" else "",
            ]
            for r in requests
        ]
        return exports.download(fmt, headers, rows, name="session requests")
    return render(
        request,
        "interventions/sessions/requests.html",
        {
            # Paged like every list: a busy term's requests would otherwise all be written out.
            "page_obj": Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page")),
            "week": week,
            "can_allocate": access.can_allocate(user),
        },
    )


@login_required
def allocation(request):
    """The assistant SENCo's page: run the allocation, review the proposal, confirm or discard it."""
    user = request.user
    permissions.require(access.can_allocate(user))
    school = permissions.school_for(user)
    week = _week(request)
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "propose":
                result = services.allocation_propose(school=school, week_start=week, by=user)
                messages.success(
                    request,
                    f"Proposal: {result.placed} placed, {result.unplaced} without a place. "
                    "Review, then confirm.",
                )
            elif step == "confirm":
                n = services.allocation_confirm(school=school, week_start=week, by=user)
                messages.success(request, f"{n} places confirmed. Timetables go out on Monday.")
            elif step == "discard":
                services.allocation_discard(school=school, week_start=week, by=user)
                messages.success(request, "Proposal discarded.")
            else:
                permissions.require(False)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}?week={week.isoformat()}")
    sessions = list(
        queries.week_sessions(school, week).prefetch_related(
            _allocations_prefetch()
        )
    )  # fmt: skip
    requests = SessionRequest.objects.filter(school=school, week_start=week).select_related(
        "pupil__form", "subject"
    )
    waiting = [r for r in requests if r.status in ("pending", "unplaced")]
    placed_ids = {a.request_id for s in sessions for a in s.week_allocations}
    unplaced = [r for r in waiting if r.unplaced_reason and r.pk not in placed_ids]
    proposed = sum(1 for s in sessions for a in s.week_allocations if a.status == AllocationStatus.PROPOSED)
    if fmt := exports.requested(request):
        return exports.download(
            fmt,
            ALLOCATION_HEADERS,
            _allocation_rows(sessions, unplaced),
            name=f"allocation {week.isoformat()}",
        )
    return render(
        request,
        "interventions/sessions/allocation.html",
        {
            **_weeks_nav(week),
            "sessions": sessions,
            "waiting": len(waiting),
            "unplaced": unplaced,
            "proposed": proposed,
            "buckets": BUCKET_LABELS,
            "limit": queries.weekly_limit(school),
            "issued": TimetableIssue.objects.filter(school=school, week_start=week).first(),
        },
    )


ALLOCATION_HEADERS = [
    "Session",
    "Date",
    "Starts",
    "Ends",
    "Room",
    "Pupil",
    "UPN",
    "Form",
    "Bucket",
    "Status",
    "Without a place because",
]


def _allocation_rows(sessions, unplaced):
    """The allocation result as the page shows it: each place by session, then the pupils without one."""
    rows = []
    for s in sessions:
        for a in s.week_allocations:
            form = a.pupil.form.name if a.pupil.form else ""
            rows.append(
                [s.title, s.date, s.starts_at, s.ends_at, s.room, a.pupil.sorted_name, a.pupil.upn, form,
                 a.bucket, a.get_status_display(), ""]
            )  # fmt: skip
    for r in unplaced:
        form = r.pupil.form.name if r.pupil.form else ""
        rows.append(
            ["", r.week_start, None, None, "", r.pupil.sorted_name, r.pupil.upn, form, None,
             "Without a place", f"{r.subject.name} ({r.get_kind_display().lower()}): {r.unplaced_reason}"]
        )  # fmt: skip
    return rows


def _allocations_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "allocations",
        queryset=Allocation.objects.select_related("pupil__form", "request").order_by(
            "bucket", "pupil__legal_last_name"
        ),
        to_attr="week_allocations",
    )


@login_required
def register(request, pk):
    """Take a session's register: built for a phone in the leader's hand."""
    user = request.user
    session = access.get_register_session_or_404(user, pk)
    rows = queries.register_rows(session)
    now = timezone.now()
    if request.method == "POST":
        marks = {}
        for row in rows:
            value = request.POST.get(f"mark-{row.pk}", "")
            if value:
                marks[row.pk] = value
        try:
            n = services.register_mark(session=session, marks=marks, by=user, now=now)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            absent = sum(1 for v in marks.values() if v == Attendance.ABSENT)
            messages.success(
                request, f"Register saved ({n} change{'s' if n != 1 else ''}; {absent} absent to follow up)."
            )
            return redirect("interventions:register", pk=session.pk)
    settings = queries.settings_for(session.school)
    return render(
        request,
        "interventions/sessions/register.html",
        {
            "session": session,
            "rows": rows,
            "marks": Attendance.choices[1:],
            "settings": settings,
            "is_open": services.register_is_open(session, now),
            "opens_at": services.register_opens_at(session),
        },
    )


@login_required
def follow_ups(request):
    user = request.user
    pupils = access.follow_up_pupils(user)
    permissions.require(pupils is not None)
    show_all = request.GET.get("all") == "1"
    if request.method == "POST":
        allocation_id = request.POST.get("allocation", "")
        found = queries.follow_ups(pupils, open_only=False).filter(
            pk=allocation_id if allocation_id.isdigit() else 0
        )
        target = found.first()
        permissions.require(target is not None)
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_record(allocation=target, note=form.cleaned_data["note"], by=user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Follow-up recorded for {target.pupil.full_name}.")
        else:
            messages.error(request, "Say what was done about the absence.")
        return redirect("interventions:follow_ups")
    rows = list(queries.follow_ups(pupils, open_only=not show_all)[:300])
    return render(
        request,
        "interventions/sessions/follow_ups.html",
        {"rows": rows, "show_all": show_all, "is_slt": permissions.is_slt(user)},
    )


@login_required
def timetable_pdf(request, form_pk):
    """A form's intervention timetable for the week, for tutor time."""
    user = request.user
    form = access.get_form_or_404(user, form_pk)
    week = _week(request)
    pupils = list(form.pupils.filter(is_active=True).order_by("legal_last_name", "legal_first_name"))
    rows = queries.timetable_rows(pupils, week)
    content = pdf.render_pdf(
        "interventions/sessions/timetable_pdf.html",
        {
            "form": form, "week": week, "week_end": week + timedelta(days=4),
            "pupils": [(p, rows.get(p.pk, [])) for p in pupils], "school": form.school,
            "issued": TimetableIssue.objects.filter(school=form.school, week_start=week).first(),
        },
    )  # fmt: skip
    return paper.download(content, "application/pdf", f"interventions-{form.name}-{week:%Y-%m-%d}.pdf")


@login_required
def signup_sheet(request):
    """The week's advertised sessions, each with blank lines for pupils to sign up."""
    user = request.user
    permissions.require(access.can_request(user))
    week = _week(request)
    school = permissions.school_for(user)
    sessions = list(queries.week_sessions(school, week).filter(advertised=True))
    content = pdf.render_pdf(
        "interventions/sessions/signup_pdf.html",
        {"sessions": sessions, "week": week, "school": school, "lines": range(12)},
    )
    return paper.download(content, "application/pdf", f"sign-up-{week:%Y-%m-%d}.pdf")
