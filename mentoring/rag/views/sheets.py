"""The monthly Academic RAG: SLT open and date the window, teachers rate, SLT review, mentors record the
breakfast. Actions from it are in views.actions, the printed sheets in views.printing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.lib.shared import page_of
from tracking.models import Subject

from ...models import RagBreakfast
from ...queries import mentors_for
from .. import access, queries, services, words
from ..forms import BreakfastForm, WindowDatesForm

REVIEW_PER_PAGE = 50


def rag_words(school):
    settings = words.settings_for(school)
    return words.labels(settings)


@login_required
def rag_theme_css(request):
    """The school's RAG colours as CSS custom properties (no inline styles under the CSP)."""
    from tracking.school import theme  # noqa: PLC0415 - the colour checks of the school theme

    school = permissions.school_for(request.user)
    rules = []
    if school is not None and permissions.is_staff_member(request.user):
        for rating, colour in words.colours(words.settings_for(school)).items():
            colour = theme.safe_colour(colour)
            if colour:
                rules.append(f"--rag-{rating}:{colour};--rag-{rating}-text:{theme.text_colour_on(colour)};")
    response = HttpResponse(":root{" + "".join(rules) + "}", content_type="text/css")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def rag_home(request):
    """Where the RAG starts: SLT open this month's window and move dates; teachers find their groups."""
    user = request.user
    permissions.require(access.can_see_rag(user))
    school = permissions.school_for(user)
    permissions.require(school is not None)
    today = timezone.localdate()
    runs = access.can_run_rag(user)
    month = services.this_month(today)
    settings = words.settings_for(school)
    open_form, dates_form = None, None
    if runs:
        opens, closes = services.default_dates(settings, month)
        action = request.POST.get("action") if request.method == "POST" else None
        open_form = WindowDatesForm(
            request.POST if action == "open" else None, initial={"opens_on": opens, "closes_on": closes}
        )
        dates_form = WindowDatesForm(request.POST if action == "dates" else None)
        if action is not None:
            form = {"open": open_form, "dates": dates_form}.get(action)
            permissions.require(form is not None)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if action == "open":
                        window = services.rag_window_open(
                            school=school,
                            month=month,
                            opens_on=data["opens_on"],
                            closes_on=data["closes_on"],
                            by=user,
                        )
                        messages.success(request, f"{window} is open from {window.opens_on:%-d %B}.")
                    else:
                        window = permissions.chosen_or_404(
                            access.windows_visible_to(user), request.POST.get("window")
                        )
                        permissions.require(window is not None)
                        services.rag_window_dates_set(
                            window=window, opens_on=data["opens_on"], closes_on=data["closes_on"], by=user
                        )
                        messages.success(request, f"{window}: dates saved.")
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    return redirect("mentoring:rag_home")
    elif request.method == "POST":
        raise Http404("Not found")
    windows = list(
        access.windows_visible_to(user)
        .annotate(
            entry_count=Count("entries", distinct=True),
            red_count=Count("entries", filter=Q(entries__rating="R"), distinct=True),
        )
        .order_by("-month")[:12]
    )
    current = queries.current_window(school, today)
    groups = list(queries.rating_groups(user, current)) if current and access.can_rate(user) else []
    if fmt := exports.requested(request):
        return exports.download_sheets(fmt, _home_sheets(runs, windows, groups, current), name="academic RAG")
    return render(
        request,
        "mentoring/rag/home.html",
        {
            "runs": runs,
            "today": today,
            "month": month,
            "windows": windows,
            "current": current,
            "has_this_month": any(w.month == month for w in windows),
            "open_form": open_form,
            "dates_form": dates_form,
            "groups": groups,
            "mentors": permissions.can_mentor(user),
            "sees_actions": access.can_see_actions(user),
            "rag_words": words.labels(settings),
        },
    )


def _home_sheets(runs, windows, groups, current):
    """The RAG home's tables: the windows (for those who run the RAG), then the user's groups to rate."""
    sheets = []
    if runs:
        rows = [[f"{w.month:%B %Y}", w.entry_count, w.red_count, w.opens_on, w.closes_on] for w in windows]
        sheets.append(("Windows", ["Month", "Ratings", "Red", "Opens", "Closes"], rows))
    if groups or not sheets:
        rows = [[g.name, g.subject.name, g.entered or 0, g.pupil_count] for g in groups]
        sheets.append(("Groups to rate", ["Group", "Subject", "Rated", "Pupils"], rows))
    return sheets


def _sheet_rows(pupils, entries, last, posted=None):
    rows = []
    for pupil in pupils:
        entry = entries.get(pupil.pk)
        rating, comment = (entry.rating, entry.comment) if entry else ("", "")
        if posted is not None and pupil.pk in posted:
            rating, comment = posted[pupil.pk]
        rows.append(
            {"pupil": pupil, "entry": entry, "rating": rating, "comment": comment, "last": last.get(pupil.pk)}
        )
    return rows


@login_required
def rag_sheet(request, window_id, group_id):
    """A teacher rates each mentored pupil in a group (the school's Red / Amber / Green) with a comment."""
    user = request.user
    permissions.require(access.can_rate(user))
    window = access.get_window_or_404(user, window_id)
    group = permissions.chosen_or_404(queries.rating_groups(user, window), group_id)
    permissions.require(group is not None)
    today = timezone.localdate()
    pupils = list(queries.group_pupils(group, window))
    entries = queries.entries_for(window, group.subject, pupils)
    last = queries.entries_for(queries.previous_window(window), group.subject, pupils)
    posted, error = None, None
    if request.method == "POST":
        posted = {
            p.pk: (request.POST.get(f"rating-{p.pk}", ""), request.POST.get(f"comment-{p.pk}", ""))
            for p in pupils
            if f"rating-{p.pk}" in request.POST or f"comment-{p.pk}" in request.POST
        }
        try:
            saved = services.rag_entries_save(
                window=window, subject=group.subject, pupils=pupils, rows=posted, by=user, today=today
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"{group.name}: {saved} rating{'s' if saved != 1 else ''} saved.")
            return redirect("mentoring:rag_sheet", window.pk, group.pk)
    settings = words.settings_for(window.school)
    if fmt := exports.requested(request):
        labels = words.labels(settings)
        rows = [
            [
                row["pupil"].sorted_name, row["pupil"].upn,
                labels.get(row["last"].rating, row["last"].rating) if row["last"] else "",
                labels.get(row["rating"], row["rating"]), row["comment"],
            ]
            for row in _sheet_rows(pupils, entries, last)
        ]  # fmt: skip
        headers = ["Pupil", "UPN", "Last month", "Rating", "Comment"]
        return exports.download(fmt, headers, rows, name=f"{window} {group.name}", sheet="Ratings")
    return render(
        request,
        "mentoring/rag/sheet.html",
        {
            "window": window,
            "group": group,
            "rows": _sheet_rows(pupils, entries, last, posted),
            "editable": window.is_open_on(today),
            "today": today,
            "error": error,
            "choices": words.choices(settings),
            "rag_words": words.labels(settings),
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": group.name},
            ],
        },
        status=400 if error else 200,
    )


@login_required
def rag_review(request, window_id):
    """SLT read every comment (by subject, mentor, red only, changed since last month) and act on one."""
    user = request.user
    permissions.require(access.can_run_rag(user))
    window = access.get_window_or_404(user, window_id)
    school = window.school
    subjects = Subject.objects.filter(school=school).order_by("name")
    mentors = mentors_for(school)
    subject = permissions.chosen_or_404(subjects, request.GET.get("subject"))
    mentor = permissions.chosen_or_404(mentors, request.GET.get("mentor"))
    red, changed = request.GET.get("red") == "1", request.GET.get("changed") == "1"
    entries, previous = queries.review(
        window, subject=subject, mentor=mentor, red_only=red, changed_only=changed
    )
    mentor_names = {m.pk: str(m) for m in mentors}
    if fmt := exports.requested(request):
        rag = rag_words(school)
        last = previous.month.strftime("%B") if previous else "Last month"
        headers = [
            "Pupil",
            "UPN",
            "Form",
            "Subject",
            "Rating",
            last,
            "Comment",
            "Rated by",
            "Mentor",
            "Actions",
        ]
        rows = [
            [
                e.pupil.sorted_name,
                e.pupil.upn,
                e.pupil.form.name if e.pupil.form else "",
                e.subject.name,
                rag.get(e.rating, e.rating),
                rag.get(e.last_rating, e.last_rating or ""),
                e.comment,
                e.by.get_full_name() if e.by else "",
                mentor_names.get(e.mentor_id, ""),
                e.action_count,
            ]
            for e in entries
        ]
        return exports.download(fmt, headers, rows, name=f"{window} comments", sheet="Comments")
    page = page_of(entries, request.GET.get("page"), REVIEW_PER_PAGE)
    return render(
        request,
        "mentoring/rag/review.html",
        {
            "window": window,
            "previous": previous,
            "page_obj": page,
            "subjects": subjects,
            "mentors": mentors,
            "mentor_names": mentor_names,
            "subject": subject,
            "mentor": mentor,
            "red": red,
            "changed": changed,
            "rag_words": rag_words(school),
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": str(window)},
            ],
        },
    )


@login_required
def rag_breakfast(request, window_id):
    """Mentors record their feedback from the month's Mentoring RAG Breakfast; SLT read it all."""
    user = request.user
    window, mentor, runs = access.mentors_window_or_404(user, window_id)
    form = None
    if mentor is not None:
        mine = RagBreakfast.objects.filter(window=window, mentor=mentor).first()
        initial = {"feedback": mine.feedback, "further_actions": mine.further_actions} if mine else None
        form = BreakfastForm(request.POST or None, initial=initial)
    if request.method == "POST":
        permissions.require(mentor is not None)
        if form.is_valid():
            try:
                services.rag_breakfast_save(window=window, mentor=mentor, by=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Breakfast feedback saved.")
                return redirect("mentoring:rag_breakfast", window.pk)
    return render(
        request,
        "mentoring/rag/breakfast.html",
        {
            "window": window,
            "form": form,
            "all_feedback": list(window.breakfasts.select_related("mentor__user")) if runs else None,
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": "RAG Breakfast"},
            ],
        },
    )
