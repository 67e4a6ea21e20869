"""Every write in interventions: running the rules, raising and actioning flags, evaluating impact."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.models import AssessmentPoint

from . import queries
from .models import (
    Flag,
    FlagSource,
    FlagStatus,
    InterventionSettings,
    Outcome,
    Rule,
    Scope,
)
from .routing import DEFAULT_OWNER, Routing
from .rules import evaluate


@dataclass
class RunResult:
    pupils: int = 0
    raised: int = 0
    updated: int = 0
    unchanged: int = 0
    cleared: int = 0


@transaction.atomic
def rules_run(*, point, now=None, cycle_id=None, by=None):
    """Run the school's active rules for every pupil in the point's year group; returns a RunResult.

    One pass over prefetched data, one flag per pupil per owner level (see rules.merge_per_owner).
    Re-running for the same point raises nothing twice: a flag still open is brought up to date
    (reason, owner, and level unless its owner chose one); actioned and closed flags are left alone.
    A flag nobody has touched whose pupil no longer meets any rule is cleared (closed, marked
    `cleared_by_rules`), and reopened if a later re-run catches the pupil again.
    """
    now = now or timezone.now()
    rules = queries.active_rules(point.school_id)
    if not rules:
        return RunResult()
    data = queries.point_data(point)
    by_id = {rule.pk: rule for rule, _ in rules}
    specs = [spec for _, spec in rules]
    routing = Routing(point.school_id)
    key_stage = point.year_group.key_stage
    existing = defaultdict(list)
    for flag in Flag.objects.filter(point=point, source=FlagSource.RULE).only(*RUN_FIELDS).order_by("pk"):
        existing[(flag.pupil_id, flag.scope, flag.subject_id)].append(flag)
    result = RunResult(pupils=len(data.facts))
    new, changed, proposed = [], [], set()
    for facts in data.facts:
        form_id, year_group_id = data.pupils[facts.pupil_id]
        for proposal in evaluate(facts, specs):
            rule = by_id[proposal.rule_id]
            department_id = data.subjects[proposal.subject_id][1] if proposal.subject_id else None
            owner_id = routing.owner_for(
                rule.owner,
                department_id=department_id,
                year_group_id=year_group_id,
                key_stage=key_stage,
                form_id=form_id,
            )
            key = (facts.pupil_id, proposal.scope, proposal.subject_id)
            proposed.add(key)
            flag = _flag_to_update(existing.get(key, ()), rule.pk)
            reason = proposal.reason[:300]
            if flag is None:
                new.append(
                    Flag(
                        school_id=point.school_id,
                        pupil_id=facts.pupil_id,
                        point=point,
                        cycle_id=cycle_id,
                        subject_id=proposal.subject_id,
                        scope=proposal.scope,
                        level=proposal.level,
                        reason=reason,
                        rule=rule,
                        owner_id=owner_id,
                        source=FlagSource.RULE,
                        raised_at=now,
                    )
                )
                continue
            reopened = flag.cleared_by_rules  # caught again after a re-run had cleared it
            if reopened:
                flag.status, flag.closed_at, flag.cleared_by_rules = FlagStatus.OPEN, None, False
            elif flag.status != FlagStatus.OPEN:
                result.unchanged += 1
                continue
            level = flag.level if flag.level_chosen else proposal.level
            now_is = (level, reason, owner_id, rule.pk)
            if not reopened and now_is == (flag.level, flag.reason, flag.owner_id, flag.rule_id):
                result.unchanged += 1
                continue
            flag.level, flag.reason, flag.owner_id, flag.rule_id = level, reason, owner_id, rule.pk
            changed.append(flag)
    cleared = _clear_recovered(existing, proposed, {facts.pupil_id for facts in data.facts}, now)
    _insert_flags(new)
    Flag.objects.bulk_update(
        changed + cleared,
        ["level", "reason", "owner", "rule", "status", "closed_at", "cleared_by_rules"],
        batch_size=1000,
    )
    # One audit row per run, not per flag: a run raises thousands of flags, and each flag carries
    # its own rule, point and raised_at. Hand-raised flags and every action are audited one by one.
    audit.record(
        action="interventions.rules.ran",
        obj=point,
        by=by,
        via="rules" if by is None else "screen",
        after={
            "raised": len(new),
            "updated": len(changed),
            "cleared": len(cleared),
            "cycle": cycle_id,
            "rules": sorted(by_id),
        },
    )
    result.raised, result.updated, result.cleared = len(new), len(changed), len(cleared)
    return result


RUN_FIELDS = (
    "id", "pupil_id", "scope", "rule_id", "subject_id", "level", "level_chosen", "reason", "owner_id",
    "status", "action_text", "closed_at", "cleared_by_rules",
)  # fmt: skip


def _flag_to_update(flags, rule_id):
    """Of a pupil's rule flags for one owner level at this point (one, bar data from before flags
    were merged per owner), the one a new run updates: the same rule's, else the first."""
    for flag in flags:
        if flag.rule_id == rule_id:
            return flag
    return flags[0] if flags else None


def _clear_recovered(existing, proposed, pupil_ids, now):
    """Open rule flags nobody has acted on, for pupils this run evaluated and no rule caught again."""
    cleared = []
    for key, flags in existing.items():
        if key in proposed or key[0] not in pupil_ids:
            continue
        for flag in flags:
            untouched = not (flag.action_text or flag.level_chosen)
            if flag.status == FlagStatus.OPEN and untouched:
                flag.status, flag.closed_at, flag.cleared_by_rules = FlagStatus.CLOSED, now, True
                cleared.append(flag)
    return cleared


def _insert_flags(flags):
    """Insert new rule flags. On PostgreSQL one INSERT ... SELECT FROM unnest(arrays): a run can raise
    thousands of flags and Django's bulk_create spends most of the rules' time building its SQL."""
    if connection.vendor != "postgresql" or not flags:
        Flag.objects.bulk_create(flags, batch_size=1000)
        return
    first = flags[0]
    columns = {
        "pupil": ("int", [f.pupil_id for f in flags]),
        "subject": ("int", [f.subject_id for f in flags]),
        "scope": ("text", [f.scope for f in flags]),
        "level": ("int", [f.level for f in flags]),
        "reason": ("text", [f.reason for f in flags]),
        "rule": ("int", [f.rule_id for f in flags]),
        "owner": ("int", [f.owner_id for f in flags]),
    }
    column = {name: Flag._meta.get_field(name).column for name in columns}
    unnest = ", ".join(f"%s::{kind}[]" for kind, _ in columns.values())
    names = ", ".join(f"t_{name}" for name in columns)
    sql = (
        f"INSERT INTO {Flag._meta.db_table} (school_id, point_id, cycle_id, status, source, raised_at, "
        f"action_text, outcome, outcome_detail, level_chosen, cleared_by_rules, "
        f"{', '.join(column[name] for name in columns)}) "
        f"SELECT %s, %s, %s, %s, %s, %s, '', '', '{{}}'::jsonb, false, false, {names} "
        f"FROM unnest({unnest}) AS t({names})"
    )
    params = [
        first.school_id,
        first.point_id,
        first.cycle_id,
        FlagStatus.OPEN,
        FlagSource.RULE,
        first.raised_at,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [values for _, values in columns.values()])


def latest_point_for(pupil, today=None):
    """The point a hand-raised flag belongs to: the pupil's year group's latest point to have opened."""
    today = today or timezone.localdate()
    return (
        AssessmentPoint.objects.filter(
            school_id=pupil.school_id,
            year_group_id=pupil.year_group_id,
            academic_year__is_current=True,
            opens_on__lte=today,
        )
        .order_by("-sequence")
        .first()
    )


@transaction.atomic
def flag_raise(*, pupil, scope, level, reason, by, subject=None, point=None, now=None):
    """Flag a pupil by hand ("feared to slip"), routed to an owner as a rule's flag would be."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "Say why the pupil needs intervention.")
    if level not in (1, 2, 3):
        raise DomainError("bad_level", "The level must be 1, 2 or 3.")
    if scope == Scope.SUBJECT and subject is None:
        raise DomainError("subject_required", "Choose the subject this flag is about.")
    if scope != Scope.SUBJECT:
        subject = None
    point = point or latest_point_for(pupil)
    if point is None:
        raise DomainError(
            "no_point", f"Year {pupil.year_group.number} has no assessment point this year to flag against."
        )
    routing = Routing(pupil.school_id)
    owner_id = routing.owner_for(
        DEFAULT_OWNER[scope],
        department_id=subject.department_id if subject else None,
        year_group_id=pupil.year_group_id,
        key_stage=pupil.year_group.key_stage,
        form_id=pupil.form_id,
    )
    flag = Flag.objects.create(
        school_id=pupil.school_id,
        pupil=pupil,
        point=point,
        subject=subject,
        scope=scope,
        level=level,
        reason=reason[:300],
        owner_id=owner_id,
        source=FlagSource.MANUAL,
        raised_at=now or timezone.now(),
        raised_by=by,
    )
    audit.record(
        action="interventions.flag.raised",
        obj=flag,
        by=by,
        via="manual",
        pupil=pupil,
        after={"level": level, "reason": flag.reason, "owner": owner_id, "scope": scope},
    )
    return flag


@transaction.atomic
def flag_level_set(*, flag, level, by):
    """The owner sets the flag's level (Laude: "each department should decide upon the level of
    intervention that each student should receive"); re-runs of the rules keep it. Audited."""
    if level not in (1, 2, 3):
        raise DomainError("bad_level", "The level must be 1, 2 or 3.")
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.level == level and flag.level_chosen:
        return flag
    before = {"level": flag.level, "chosen": flag.level_chosen}
    flag.level, flag.level_chosen = level, True
    flag.save(update_fields=["level", "level_chosen"])
    audit.record(
        action="interventions.flag.level_set",
        obj=flag,
        by=by,
        pupil=flag.pupil,
        before=before,
        after={"level": level, "chosen": True},
    )
    return flag


@transaction.atomic
def flag_action_record(*, flag, action_text, status, by, action_due=None, level=None, now=None):
    """Record what the owner did (or will do by a date), and move the flag on or close it.

    A `level` different from the flag's is the owner choosing it (see flag_level_set)."""
    action_text = (action_text or "").strip()
    now = now or timezone.now()
    if status not in FlagStatus.values:
        raise DomainError("bad_status", "Choose open, actioned or closed.")
    if status != FlagStatus.OPEN and not action_text and not flag.action_text:
        raise DomainError("action_required", "Say what was done before marking the flag actioned or closed.")
    if level is not None and level != flag.level:
        flag_level_set(flag=flag, level=level, by=by)
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    before = {
        "status": flag.status,
        "action_text": flag.action_text,
        "action_due": flag.action_due.isoformat() if flag.action_due else None,
    }
    if action_text:
        flag.action_text = action_text
    flag.action_due = action_due
    if status == FlagStatus.ACTIONED and flag.status != FlagStatus.ACTIONED:
        flag.actioned_at = now
    if status == FlagStatus.CLOSED:
        flag.closed_at = flag.closed_at or now
        flag.actioned_at = flag.actioned_at or now
    elif flag.status == FlagStatus.CLOSED:
        flag.closed_at = None
    flag.status = status
    flag.cleared_by_rules = False
    after = {
        "status": flag.status,
        "action_text": flag.action_text,
        "action_due": flag.action_due.isoformat() if flag.action_due else None,
    }
    if after == before:  # only the level changed, or nothing did
        return flag
    flag.save(
        update_fields=["action_text", "action_due", "actioned_at", "closed_at", "status", "cleared_by_rules"]
    )
    audit.record(
        action="interventions.flag.action_recorded",
        obj=flag,
        by=by,
        pupil=flag.pupil,
        before=before,
        after=after,
    )
    return flag


def _compare(before, after):
    if before is None or after is None:
        return Outcome.NO_DATA
    if after > before:
        return Outcome.IMPROVED
    if after < before:
        return Outcome.DECLINED
    return Outcome.SAME


def _mean(values):
    return sum(values) / len(values) if values else None


@transaction.atomic
def impact_evaluate(*, point, now=None):
    """For flags raised at `point`, compare each pupil's grade at the next locked point with the grade then.

    Only a locked point's grades count (verified or being verified, as plan impact measures): a window
    still open for entry leaves the flags "no data yet" until it locks. Subject flags compare that
    subject; key-stage and tutor flags the mean points across subjects graded at both points. Stores
    improved / same / declined / no data on each flag. Returns a count per outcome.
    """
    now = now or timezone.now()
    flags = list(Flag.objects.filter(point=point))
    later = queries.next_locked_point(point)
    pupil_ids = {f.pupil_id for f in flags}
    before = queries.grades_by_pupil_subject(point, pupil_ids)
    after = queries.grades_by_pupil_subject(later, pupil_ids) if later else {}
    counts = {outcome: 0 for outcome in Outcome.values}
    subjects_of = {}
    for pupil_id, subject_id in before:
        if (pupil_id, subject_id) in after:
            subjects_of.setdefault(pupil_id, []).append(subject_id)
    for flag in flags:
        if flag.subject_id:
            b = before.get((flag.pupil_id, flag.subject_id))
            a = after.get((flag.pupil_id, flag.subject_id))
            outcome = _compare(b[1] if b else None, a[1] if a else None)
            detail = {"before": b[0] if b else None, "after": a[0] if a else None}
        else:
            common = subjects_of.get(flag.pupil_id, [])
            b_mean = _mean([before[(flag.pupil_id, s)][1] for s in common])
            a_mean = _mean([after[(flag.pupil_id, s)][1] for s in common])
            outcome = _compare(b_mean, a_mean)
            detail = {
                "before": str(round(Decimal(b_mean), 2)) if b_mean is not None else None,
                "after": str(round(Decimal(a_mean), 2)) if a_mean is not None else None,
                "subjects": len(common),
            }
        detail["next_point"] = later.pk if later else None
        flag.outcome, flag.outcome_detail, flag.evaluated_at = outcome, detail, now
        counts[outcome] += 1
    Flag.objects.bulk_update(flags, ["outcome", "outcome_detail", "evaluated_at"], batch_size=1000)
    return counts


@transaction.atomic
def preset_activate(*, school, preset, by):
    if preset.school_id != school.pk:
        raise DomainError("wrong_school", "That preset belongs to another school.")
    settings, _ = InterventionSettings.objects.select_for_update().get_or_create(school=school)
    before = {"preset": settings.active_preset.code if settings.active_preset else None}
    settings.active_preset = preset
    settings.save(update_fields=["active_preset"])
    audit.record(
        action="interventions.preset.activated",
        obj=settings,
        by=by,
        before=before,
        after={"preset": preset.code},
    )
    return settings


RULE_EDITABLE = (
    "name",
    "n",
    "grades_below",
    "grade_thresholds",
    "bands",
    "level",
    "reason_template",
    "ks3",
    "ks4",
    "ks5",
    "is_active",
)


THRESHOLDS = {"n", "grades_below", "grade_thresholds", "bands"}


@transaction.atomic
def rule_update(*, rule, by, **changes):
    """Save validated changes to a rule (validation lives in forms.RuleForm); audited before/after."""
    unknown = set(changes) - set(RULE_EDITABLE)
    if unknown:
        raise DomainError("not_editable", f"These cannot be edited: {', '.join(sorted(unknown))}.")
    rule = Rule.objects.select_for_update().select_related("preset").get(pk=rule.pk)
    changes = {name: value for name, value in changes.items() if getattr(rule, name) != value}
    if not changes:
        return rule
    if set(changes) & THRESHOLDS and not rule.set_by_school:
        # The policy's quote no longer backs the number: it is the school's own now.
        changes["set_by_school"] = True
    before = {name: getattr(rule, name) for name in changes}
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.save(update_fields=list(changes))
    audit.record(
        action="interventions.rule.changed",
        obj=rule,
        by=by,
        school=rule.preset.school,
        before=before,
        after={name: getattr(rule, name) for name in changes},
    )
    return rule
