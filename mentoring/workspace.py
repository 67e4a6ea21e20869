"""What a mentor sees of each mentee on one page, read in a fixed number of queries.

Every grade judgement comes from tracking.standing (the grade that counts, the target that counts,
the grade expected now, the standing). Intervention plans, this week's sessions and the Agreement for
Examination Success are read when the interventions app has those tables, so they appear on the
page as soon as they exist and nothing is shown for them before.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Max, OuterRef, Q, Subquery, Value, When

from tracking import permissions, standing
from tracking.lib import percentages
from tracking.lib.shared import select_shared
from tracking.models import GradeEntry, Pupil, Target

from .models import MentorAssignment
from .rag import queries


def month_start(day):
    return day.replace(day=1)


def week_of(day):
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _model(label):
    """An interventions table if this installation has it (plans and sessions land separately)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def mentees(user, mentor, year, today):
    """A mentor's mentees this year that `user` may see, not met this month first, then by name.

    Each pupil carries `last_met` (the latest meeting with any mentor) and `met_this_month`.
    """
    assigned = MentorAssignment.objects.filter(mentor=mentor, academic_year=year).values("pupil_id")
    return (
        _with_meetings(permissions.pupils_visible_to(user).filter(pk__in=assigned), today)
        .select_related("form", "year_group")
        .order_by("met_this_month", "legal_last_name", "legal_first_name", "pk")
    )


def _with_meetings(pupils, today):
    return pupils.annotate(last_met=Max("mentor_meetings__held_on")).annotate(
        met_this_month=Case(
            When(last_met__gte=month_start(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def mentees_page(pupils, number, per_page, today):
    """(page, not met this month) of `mentees`: their order and who was met are read once (the count,
    the page and the "not met" count come from it), then the page's pupils by id, so the access
    subqueries are planned once rather than three times."""
    order = list(pupils.values_list("pk", "met_this_month"))
    page = Paginator([pk for pk, _ in order], per_page).get_page(number)
    found = _with_meetings(Pupil.objects.filter(pk__in=page.object_list), today).select_related(
        "form", "year_group"
    )
    by_id = {pupil.pk: pupil for pupil in found}
    page.object_list = [by_id[pk] for pk in page.object_list]
    return page, sum(1 for _, met in order if not met)


@dataclass
class SubjectLine:
    subject: object
    entry: object  # the latest GradeEntry with a grade, or None
    standing: object  # tracking.standing.Standing, or None without a grade
    target: object  # the Target row (published grade counts; a pending one is labelled)
    rating: object = None  # the latest Academic RAG entry in this subject

    @property
    def published(self):
        return standing.counting_target(self.target)

    @property
    def pending(self):
        return standing.pending_target(self.target)


@dataclass
class Card:
    pupil: object
    subjects: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    session_absences: int = 0
    agreement: object = None
    has_agreements: bool = False
    ratings: dict = field(default_factory=dict)  # {subject_id: RagEntry} from the latest RAG
    actions: list = field(default_factory=list)  # RAG actions not yet done

    @property
    def below_count(self):
        return sum(1 for line in self.subjects if line.standing is not None and line.standing.is_below)


CARDS_EXPORT_HEADERS = [
    "Pupil",
    "UPN",
    "Form",
    "Met this month",
    "Last meeting",
    "Attendance (%)",
    "Subject",
    "Target",
    "Current",
    "Predicted",
    "Expected now",
    "Standing",
    "Point",
    "Latest RAG",
    "RAG comment",
]


def _target_text(line):
    text = line.published.code if line.published else ""
    return f"{text} ({line.pending.code} pending)".strip() if line.pending else text


def cards_export(cards, school, rag_labels):
    """(headers, rows) of the workspace: a row for each mentee's subject (one for a mentee without
    any). The standing's words are the school's, from tracking.standing."""
    rows = []
    for card in cards:
        p = card.pupil
        lead = [
            p.sorted_name,
            p.upn,
            p.form.name if p.form else "",
            "Yes" if p.met_this_month else "No",
            p.last_met,
            percentages.percent_value(p.attendance),
        ]
        lines = []
        for line in card.subjects:
            entry, result, rating = line.entry, line.standing, line.rating
            lines.append(
                lead
                + [
                    line.subject.name,
                    _target_text(line),
                    entry.current.code if entry and entry.current else "",
                    entry.predicted.code if entry and entry.predicted else "",
                    result.expected.code if result and result.expected else "",
                    standing.label(result.status, school) if result else "No grade yet",
                    entry.point.name if entry else "",
                    rag_labels.get(rating.rating, rating.rating) if rating else "",
                    rating.comment if rating else "",
                ]
            )
        rows += lines or [lead + [""] * 9]
    return CARDS_EXPORT_HEADERS, rows


def latest_entries(pupil_ids, year):
    """Each pupil's latest graded entry this year in each subject (one query): subjects dropped in an
    earlier year do not linger on the page."""
    graded = (Q(current__isnull=False) | Q(predicted__isnull=False)) & Q(point__academic_year=year)
    latest = (
        GradeEntry.objects.filter(graded, pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"))
        .order_by("-point__academic_year__starts_on", "-point__sequence", "-pk")
        .values("pk")[:1]
    )
    # Each subject and point built once, not once per entry.
    return select_shared(
        GradeEntry.objects.filter(graded, pupil_id__in=pupil_ids).filter(pk=Subquery(latest)),
        "subject",
        "point",
    )


def cards_for(pupils, school, year, today):
    """The workspace card of each pupil, in the given order. Fixed query count for any number."""
    pupils = list(pupils)
    ids = [p.pk for p in pupils]
    cards = {p.pk: Card(pupil=p) for p in pupils}
    if not ids:
        return []
    book = standing.Book(school)
    entries = [book.fill_grades(entry, "current", "predicted") for entry in latest_entries(ids, year)]
    # With a grade read, the book holds every grade: targets take theirs from it rather than three
    # joins each (joined when there is none: reading the book for targets alone is a query more).
    relations = ("grade", "published_grade", "requested_grade")
    rows = Target.objects.filter(pupil_id__in=ids)
    targets = {
        (t.pupil_id, t.subject_id): book.fill_grades(t, *relations) if entries else t
        for t in select_shared(rows, "subject", *(() if entries else relations))
    }
    seen = set()
    for entry in entries:
        target = targets.get((entry.pupil_id, entry.subject_id))
        cards[entry.pupil_id].subjects.append(
            SubjectLine(entry.subject, entry, book.judge_entry(entry, target), target)
        )
        seen.add((entry.pupil_id, entry.subject_id))
    for key, target in targets.items():
        if key not in seen:
            cards[key[0]].subjects.append(SubjectLine(target.subject, None, None, target))
    for card in cards.values():
        card.subjects.sort(key=lambda line: (line.subject.name, line.subject.pk))
    _add_interventions(cards, ids, year, today)
    _add_rag(cards, ids, school)
    return [cards[pk] for pk in ids]


def _add_rag(cards, ids, school):
    _, ratings = queries.latest_ratings(ids, school)
    for pupil_id, by_subject in ratings.items():
        cards[pupil_id].ratings = by_subject
        for line in cards[pupil_id].subjects:
            line.rating = by_subject.get(line.subject.pk)
    for action in queries.actions_for(ids).exclude(status="done"):
        cards[action.pupil_id].actions.append(action)


def _add_interventions(cards, ids, year, today):
    flag = _model("interventions.Flag")
    if flag is not None:
        for row in (
            flag.objects.filter(pupil_id__in=ids, status="open")
            .select_related("subject", "owner__user")
            .order_by("-level", "-raised_at", "pk")
        ):
            cards[row.pupil_id].flags.append(row)
    plan = _model("interventions.Plan")
    if plan is not None:
        for row in (
            plan.objects.filter(pupil_id__in=ids, status="active")
            .select_related("owner__user")
            .order_by("-level", "start_date", "pk")
        ):
            cards[row.pupil_id].plans.append(row)
    allocation = _model("interventions.Allocation")
    if allocation is not None:
        monday, sunday = week_of(today)
        rows = (
            allocation.objects.filter(pupil_id__in=ids)
            .filter(
                Q(session__date__range=(monday, sunday))
                | Q(attendance="absent", session__date__range=(year.starts_on, today))
            )
            .select_related("session__subject")
            .order_by("session__date", "session__starts_at", "pk")
        )
        for row in rows:
            card = cards[row.pupil_id]
            if row.attendance == "absent" and row.session.date <= today:
                card.session_absences += 1
            if monday <= row.session.date <= sunday:
                card.sessions.append(row)
    agreement = _model("interventions.ExamAgreement")
    if agreement is not None:
        for card in cards.values():
            card.has_agreements = True
        for row in agreement.objects.filter(pupil_id__in=ids, academic_year=year):
            cards[row.pupil_id].agreement = row
