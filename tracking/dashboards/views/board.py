"""The staffroom Data Board: its settings for the data manager, and the read-only screen its link opens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tracking import permissions, standing
from tracking.dashboards import board, queries
from tracking.dashboards.forms import BoardSettingsForm
from tracking.dashboards.views.cohort import dress, headline_labels
from tracking.models import GradeEntry
from tracking.school import theme

BOARD_RELOAD_SECONDS = 300  # five cycles of the five 12-second slides (static/css/board.css)


@login_required
def board_settings(request):
    """The data manager turns the staffroom Data Board on or off, changes its link and what it names."""
    permissions.require(permissions.can_manage_data_board(request.user))
    school = permissions.school_for(request.user)
    form = BoardSettingsForm(request.POST or None, initial={"shows_pupils": school.board_shows_pupils})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "new_link":
            board.board_link_rotate(school=school, by=request.user)
            messages.success(request, "The Data Board has a new link. Any earlier link no longer works.")
        elif action == "off":
            board.board_switch_off(school=school, by=request.user)
            messages.success(request, "The Data Board is off. Its link no longer works.")
        elif action == "names" and form.is_valid():
            board.board_names_pupils_set(
                school=school, shows_pupils=form.cleaned_data["shows_pupils"], by=request.user
            )
            messages.success(request, "Saved what the Data Board shows.")
        else:
            messages.error(request, "Nothing was changed: choose one of the buttons.")
        return redirect("data_board_settings")
    token = board.board_token(school)
    return render(
        request,
        "tracking/dashboards/board_settings.html",
        {
            "school": school,
            "form": form,
            "link": request.build_absolute_uri(reverse("data_board", args=[token])) if token else "",
        },
    )


def _board_school(token):
    school = board.school_for_token(token)
    if school is None:
        raise Http404("No such board")
    return school


def _board_headers(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never send it on
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def data_board(request, token):
    """The staffroom screen: the school's headline figures, cycling, read-only, opened by its signed link.

    No login and no session: the link opens this page and its colours, nothing else.
    """
    school = _board_school(token)
    entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    headline = queries.headline(school, entries)
    labels = {s: standing.label(s, school) for s in standing.STATUSES}
    dress(headline.total, labels, school)
    dress(headline.years, labels, school)
    improved = None
    if school.board_shows_pupils and headline.term is not None:
        _term, points = queries.latest_uplift(school)
        improved = queries.most_improved(school, entries, points)
    response = render(
        request,
        "tracking/dashboards/board.html",
        {
            "school": school,
            "h": headline,
            "labels": labels,
            "count_labels": headline_labels(school, standing.Thresholds.of(school)),
            "improved": improved,
            "token": token,
            "refresh_seconds": BOARD_RELOAD_SECONDS,
        },
    )
    return _board_headers(response)


@require_GET
def data_board_colours(request, token):
    """The board's school's standing colours (the signed-in theme stylesheet needs a login)."""
    response = HttpResponse(theme.css_for(_board_school(token)), content_type="text/css")
    return _board_headers(response)
