"""Mentoring pages: allocation by SLT, the mentor's workspace, the meeting log and its compliance view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError

from . import queries, services, workspace
from .forms import AssignForm, MeetingForm, MentoredYearsForm, SlipForm, UnassignForm
from .rag import words

PER_PAGE = 40
MENTEES_PER_PAGE = 10


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


@login_required
def allocation(request):
    user = request.user
    permissions.require(permissions.can_allocate_mentors(user))
    school = permissions.school_for(user)
    year = queries.current_year(school)
    permissions.require(year is not None)
    year_groups = queries.mentored_year_groups(school)

    action = request.POST.get("action") if request.method == "POST" else None
    years_form = MentoredYearsForm(
        request.POST if action == "years" else None, school=school, initial={"year_groups": list(year_groups)}
    )
    assign_form = AssignForm(request.POST if action == "assign" else None, school=school)
    move_form = AssignForm(request.POST if action == "move" else None, school=school)
    unassign_form = UnassignForm(request.POST if action == "unassign" else None, school=school)
    bound = {"years": years_form, "assign": assign_form, "move": move_form, "unassign": unassign_form}
    if action is not None:
        form = bound.get(action)
        if form is None:
            raise Http404("No such action")
        if form.is_valid():
            try:
                message = _apply(action, form.cleaned_data, school=school, by=user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, message)
                return redirect(request.get_full_path())

    form_filter = permissions.chosen_or_404(
        queries.mentored_forms(school, year, year_groups), request.GET.get("form")
    )
    if fmt := exports.requested(request):
        headers, rows = queries.allocation_export(school, year, year_groups, form=form_filter)
        return exports.download(fmt, headers, rows, name=f"mentor allocation {year}", sheet="Mentors")
    caseloads = list(queries.caseloads(school, year))
    chosen = permissions.chosen_or_404(queries.caseloads(school, year), request.GET.get("mentor"))
    unallocated = queries.unallocated_pupils(school, year, year_groups, form=form_filter)
    page = Paginator(unallocated, PER_PAGE).get_page(request.GET.get("page"))
    allocated = sum(m.caseload for m in caseloads)
    return render(
        request,
        "mentoring/allocation/allocation.html",
        {
            "year": year,
            "year_groups": list(year_groups),
            "years_form": years_form,
            "assign_form": assign_form,
            "move_form": move_form,
            "unassign_form": unassign_form,
            "caseloads": caseloads,
            "allocated": allocated,
            "chosen": chosen,
            "chosen_mentees": list(queries.mentees_of(chosen, year)) if chosen else [],
            "forms": queries.mentored_forms(school, year, year_groups),
            "form_filter": form_filter,
            "page_obj": page,
        },
    )


def _apply(action, data, *, school, by):
    if action == "years":
        settings = services.mentored_years_set(school=school, year_groups=data["year_groups"], by=by)
        names = ", ".join(str(yg) for yg in settings.year_groups.order_by("number"))
        return f"Mentored year groups: {names}."
    if action == "unassign":
        count = services.mentor_unassign(school=school, pupils=data["pupils"], by=by)
        return f"{_plural(count, 'pupil')} no longer {'has' if count == 1 else 'have'} a mentor."
    new, moved, _ = services.mentor_assign(school=school, mentor=data["mentor"], pupils=data["pupils"], by=by)
    parts = [f"{_plural(new, 'pupil')} assigned"] if new else []
    if moved:
        parts.append(f"{_plural(moved, 'mentee')} moved")
    return f"{' and '.join(parts) or 'Nothing changed'}: mentor {data['mentor']}."


def _school_year(user):
    school = permissions.school_for(user)
    year = queries.current_year(school) if school is not None else None
    permissions.require(year is not None)
    return school, year


@login_required
def mentees(request):
    """The mentor's workspace: each mentee's data on one page, those not met this month first."""
    user = request.user
    permissions.require(permissions.can_mentor(user))
    school, year = _school_year(user)
    today = timezone.localdate()
    mentor = permissions.access_for(user).staff
    pupils = workspace.mentees(user, mentor, year, today)
    if fmt := exports.requested(request):
        cards = workspace.cards_for(pupils, school, year, today)
        rag = words.labels(words.settings_for(school))
        headers, rows = workspace.cards_export(cards, school, rag)
        return exports.download(fmt, headers, rows, name="mentees", sheet="Mentees")
    page, not_met = workspace.mentees_page(pupils, request.GET.get("page"), MENTEES_PER_PAGE, today)
    return render(
        request,
        "mentoring/workspace/mentees.html",
        {
            "school": school,
            "year": year,
            "today": today,
            "cards": workspace.cards_for(page.object_list, school, year, today),
            "rag_words": words.labels(words.settings_for(school)),
            "not_met": not_met,
            "page_obj": page,
        },
    )


@login_required
def mentee(request, pupil_id):
    """One mentee's meeting log; their mentor logs a meeting here (SLT and the data manager read it)."""
    user = request.user
    pupil = permissions.get_pupil_or_404(user, pupil_id)
    school, year = _school_year(user)
    mentor = queries.mentor_of(pupil, year)
    staff = permissions.access_for(user).staff
    is_mentor = (
        permissions.can_mentor(user) and mentor is not None and staff is not None and mentor.pk == staff.pk
    )
    permissions.require(is_mentor or permissions.can_see_mentoring_compliance(user))
    today = timezone.localdate()
    form = None
    if is_mentor:
        form = MeetingForm(
            request.POST if request.method == "POST" else None,
            initial={"held_on": today},
            open_slips=queries.open_slips(pupil, mentor),
        )
    if request.method == "POST":
        permissions.require(is_mentor)
        if form.is_valid():
            try:
                services.meeting_log(
                    pupil=pupil,
                    mentor=mentor,
                    data=form.cleaned_data,
                    by=user,
                    today=today,
                    slips=form.cleaned_data.get("slips") or (),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Meeting with {pupil.full_name} logged.")
                return redirect("mentoring:mentee", pupil.pk)
    if fmt := exports.requested(request):
        headers, rows = _meeting_log(queries.meetings_of(pupil))
        return exports.download(fmt, headers, rows, name=f"meetings {pupil.full_name}", sheet="Meetings")
    return render(
        request,
        "mentoring/workspace/mentee.html",
        {
            "pupil": pupil,
            "mentor": mentor,
            "is_mentor": is_mentor,
            "form": form,
            "meetings": list(queries.meetings_of(pupil)),
            "slips": list(queries.slips_about(pupil)),
            "breadcrumbs": [
                {"label": "Your mentees", "url": reverse("mentoring:mentees")},
                {"label": pupil.full_name},
            ]
            if is_mentor
            else [
                {"label": "Meetings this month", "url": reverse("mentoring:compliance")},
                {"label": pupil.full_name},
            ],
        },
    )


def _meeting_log(meetings):
    headers = [
        "Held on", "Kind", "Parents or carers involved", "Discussed", "Targets agreed", "Next steps",
        "Slips discussed", "Mentor",
    ]  # fmt: skip
    rows = [
        [
            m.held_on, m.get_kind_display(), "Yes" if m.parents_involved else "No", m.discussed,
            m.targets_agreed, m.next_steps,
            "; ".join(f"{s.get_kind_display()} ({s.subject.name}, from {s.sent_by})" for s in m.slips.all()),
            str(m.mentor),
        ]
        for m in meetings
    ]  # fmt: skip
    return headers, rows


@login_required
def compliance(request):
    """SLT's view of the monthly meeting rule: mentees not met this month, by mentor."""
    user = request.user
    permissions.require(permissions.can_see_mentoring_compliance(user))
    school, year = _school_year(user)
    today = timezone.localdate()
    rows = queries.compliance(school, year, today)
    if fmt := exports.requested(request):
        headers = ["Mentor", "Mentees", "Not met this month", "Pupil not met", "UPN", "Form", "Last met"]
        out = []
        for row in rows:
            lead = [str(row["mentor"]), row["mentees"], len(row["not_met"])]
            out += [lead + [a.name, a.upn, a.form, a.last_met] for a in row["not_met"]] or [
                lead + ["", "", "", None]
            ]
        return exports.download(fmt, headers, out, name=f"mentor meetings {today:%Y-%m}", sheet="Meetings")
    return render(
        request,
        "mentoring/compliance/compliance.html",
        {
            "rows": rows,
            "today": today,
            "mentees": sum(r["mentees"] for r in rows),
            "not_met": sum(len(r["not_met"]) for r in rows),
        },
    )


SLIPS_PER_PAGE = 25


@login_required
def slips(request):
    """A mentor's inbox of slips (waiting first); a teacher chooses a pupil to send one about."""
    user = request.user
    permissions.require(permissions.can_see_slips(user))
    sends, mentors = permissions.can_send_mentoring_slips(user), permissions.can_mentor(user)
    school, year = _school_year(user)
    if sends and request.GET.get("pupil"):
        pupil = permissions.chosen_or_404(queries.slip_pupils(user, school), request.GET["pupil"])
        return redirect("mentoring:slip_new", pupil.pk)
    staff = permissions.access_for(user).staff
    inbox = (
        Paginator(queries.inbox(staff), SLIPS_PER_PAGE).get_page(request.GET.get("page")) if mentors else None
    )
    return render(
        request,
        "mentoring/slips/slips.html",
        {
            "page_obj": inbox,
            "waiting": queries.inbox(staff).filter(discussed_at__isnull=True).count() if mentors else 0,
            "pupils": list(queries.slip_pupils(user, school)) if sends else None,
            "sent": list(queries.slips_sent(staff)[:20]) if sends else None,
        },
    )


@login_required
def slip_new(request, pupil_id):
    """A teacher sends a slip about a pupil they teach to the pupil's mentor."""
    user = request.user
    permissions.require(permissions.can_send_mentoring_slips(user))
    school, year = _school_year(user)
    pupil = permissions.chosen_or_404(queries.slip_pupils(user, school), pupil_id)
    subjects = permissions.slip_subjects(user, pupil)
    mentor = queries.mentor_of(pupil, year)
    form = SlipForm(request.POST if request.method == "POST" else None, subjects=subjects)
    if request.method == "POST":
        # A subject this teacher does not teach the pupil is out of their scope, like the pupil.
        if request.POST.get("subject"):
            permissions.chosen_or_404(subjects, request.POST["subject"])
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.slip_send(
                    pupil=pupil,
                    subject=data["subject"],
                    kind=data["kind"],
                    message=data["message"],
                    to_improve=data["to_improve"],
                    by=user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Slip sent to {mentor}, {pupil.full_name}'s mentor.")
                return redirect("mentoring:slips")
    return render(
        request,
        "mentoring/slips/slip_new.html",
        {
            "pupil": pupil,
            "mentor": mentor,
            "form": form,
            "breadcrumbs": [
                {"label": "Mentoring slips", "url": reverse("mentoring:slips")},
                {"label": pupil.full_name},
            ],
        },
    )


@login_required
def slip_discussed(request, slip_id):
    """The mentor marks a slip discussed with the pupil (POST only)."""
    user = request.user
    permissions.require(permissions.can_mentor(user) and request.method == "POST")
    slip = permissions.chosen_or_404(queries.inbox(permissions.access_for(user).staff), slip_id)
    services.slip_mark_discussed(slip=slip, by=user)
    messages.success(
        request, f"Slip about {slip.pupil.full_name} marked discussed; it is in the meeting log."
    )
    return redirect("mentoring:slips")
