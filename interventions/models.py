"""Intervention rules (data a school edits) and the flags they raise for named owners."""

from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    SUBJECT = "subject", "Subject"
    KEY_STAGE = "key_stage", "Key stage"
    FORM_TUTOR = "form_tutor", "Form tutor"


class Kind(models.TextChoices):
    BELOW_TARGET_BY = "below_target_by", "Below target by at least N grades (per subject)"
    BELOW_GRADE = "below_grade", "Working below a grade (per subject)"
    ANY_BELOW_TARGET = "any_below_target", "Below target in any subject (per subject)"
    COUNT_BELOW_TARGET = "count_below_target", "Below target in at least N subjects"
    COUNT_BELOW_GRADE = "count_below_grade", "Below a grade in at least N subjects"
    OFF_TARGET_BANDS = "off_target_bands", "Number of subjects off target sets the level"


PER_SUBJECT_KINDS = {Kind.BELOW_TARGET_BY, Kind.BELOW_GRADE, Kind.ANY_BELOW_TARGET}
GRADE_KINDS = {Kind.BELOW_GRADE, Kind.COUNT_BELOW_GRADE}


SCALE_WORDS = {"gcse": "GCSE", "ten": "Spanish", "alevel": "A level", "btec": "BTEC", "ks3": "KS3"}


class Owner(models.TextChoices):
    HEAD_OF_DEPARTMENT = "hod", "Head of the subject's department"
    KS_COORDINATOR = "ks_coordinator", "Key-stage coordinator (else head of year)"
    HEAD_OF_YEAR = "head_of_year", "Head of year (else key-stage coordinator)"
    FORM_TUTOR = "form_tutor", "Form tutor"
    ASSISTANT_HEAD = "assistant_head", "Assistant headteacher (else head of year)"
    RAISING_ACHIEVEMENT = "raising_ach", "Raising achievement coordinator (else head of year)"


class RulePreset(models.Model):
    """A school's named set of rules, e.g. its copy of the Laude policy."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="rule_presets")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="rule_preset_unique_code")]

    def __str__(self):
        return self.name


class Rule(models.Model):
    preset = models.ForeignKey(RulePreset, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.CharField(max_length=16, choices=Owner.choices)
    ks3 = models.BooleanField("applies in KS3", default=True)
    ks4 = models.BooleanField("applies in KS4", default=True)
    ks5 = models.BooleanField("applies in KS5", default=True)
    n = models.PositiveSmallIntegerField(
        default=1, help_text="Grades below target (per-subject rules) or number of subjects (count rules)."
    )
    grades_below = models.PositiveSmallIntegerField(
        default=1,
        help_text="For a rule counting subjects below target: how far below a subject must be to count.",
    )
    # {scale code: grade code}, e.g. {"gcse": "4", "ten": "5", "alevel": "E"}: below that grade counts.
    grade_thresholds = models.JSONField(default=dict, blank=True)
    # [[min subjects, max subjects or null, level], ...] for off-target bands.
    bands = models.JSONField(default=list, blank=True)
    level = models.PositiveSmallIntegerField(default=1, help_text="Intervention level 1-3")
    reason_template = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Where the rule comes from: the policy's own words, and how Uplift reads them where it had to.
    policy_quote = models.TextField(blank=True)
    policy_note = models.CharField(max_length=300, blank=True)
    # The policy names no number (or the school changed it): the threshold is the school's own.
    set_by_school = models.BooleanField(default=False)

    class Meta:
        ordering = ["preset", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["preset", "code"], name="rule_unique_code")]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .rules import check_template, parse_bands

        errors = {}
        if self.kind in PER_SUBJECT_KINDS and self.scope != Scope.SUBJECT:
            errors["scope"] = "A per-subject rule raises subject flags: choose the subject scope."
        if self.kind not in PER_SUBJECT_KINDS and self.scope == Scope.SUBJECT:
            errors["scope"] = "A rule that counts subjects raises key-stage or form-tutor flags."
        if self.kind in GRADE_KINDS and not self.grade_thresholds:
            errors["grade_thresholds"] = 'Give a grade per scale, e.g. {"gcse": "4", "ten": "5"}.'
        if self.kind == Kind.OFF_TARGET_BANDS:
            try:
                text = ", ".join(f"{lo}-{hi}:{lv}" if hi else f"{lo}+:{lv}" for lo, hi, lv in self.bands)
                if not parse_bands(text):
                    errors["bands"] = "Give at least one band, e.g. [[1, 1, 1], [2, 3, 2]]."
            except (TypeError, ValueError) as error:
                errors["bands"] = str(error)
        if self.level not in (1, 2, 3):
            errors["level"] = "The level must be 1, 2 or 3."
        try:
            check_template(self.reason_template)
        except ValueError as error:
            errors["reason_template"] = str(error)
        if not (self.ks3 or self.ks4 or self.ks5):
            errors["ks3"] = "A rule must apply in at least one key stage."
        if errors:
            raise ValidationError(errors)

    @property
    def threshold_text(self):
        """The rule's threshold in words for the rules page, e.g. "3+ subjects below GCSE 4 / Spanish 5"."""
        grades = " / ".join(
            f"{SCALE_WORDS.get(scale, scale)} {code}" for scale, code in self.grade_thresholds.items()
        )
        if self.kind == Kind.BELOW_TARGET_BY:
            return f"{self.n}+ grade{'s' if self.n != 1 else ''} below target"
        if self.kind == Kind.ANY_BELOW_TARGET:
            return "Any grade below target"
        if self.kind == Kind.BELOW_GRADE:
            return f"Below {grades}"
        if self.kind == Kind.COUNT_BELOW_TARGET:
            if self.grades_below > 1:
                return f"{self.n}+ subjects {self.grades_below}+ grades below target"
            return f"{self.n}+ subjects below target"
        if self.kind == Kind.COUNT_BELOW_GRADE:
            return f"{self.n}+ subject{'s' if self.n != 1 else ''} below {grades}"
        bands = []
        for low, high, level in self.bands:
            counts = f"{low}+" if high is None else (f"{low}" if low == high else f"{low}–{high}")
            bands.append(f"{counts} off target → L{level}")
        return "; ".join(bands)

    @property
    def key_stages(self):
        return frozenset(ks for ks, on in ((3, self.ks3), (4, self.ks4), (5, self.ks5)) if on)


class InterventionSettings(models.Model):
    """Per-school choice of the active preset."""

    school = models.OneToOneField(
        "tracking.School", on_delete=models.CASCADE, related_name="intervention_settings"
    )
    active_preset = models.ForeignKey(RulePreset, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name_plural = "intervention settings"

    def __str__(self):
        return f"{self.school}: {self.active_preset or 'no preset'}"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIONED = "actioned", "Actioned"
    CLOSED = "closed", "Closed"


class FlagSource(models.TextChoices):
    RULE = "rule", "Rule"
    MANUAL = "manual", "Raised by hand"


class Outcome(models.TextChoices):
    IMPROVED = "improved", "Improved"
    SAME = "same", "No change"
    DECLINED = "declined", "Declined"
    NO_DATA = "no_data", "No data yet"


class Flag(models.Model):
    """One pupil who needs action, why, at what level, and whose job it is."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="flags")
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.CASCADE, related_name="flags")
    # The tracking cycle that raised it, kept as a plain id so interventions need not know its model.
    cycle_id = models.PositiveIntegerField(null=True, blank=True)
    subject = models.ForeignKey(
        "tracking.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=12, choices=Scope.choices)
    level = models.PositiveSmallIntegerField(default=1)
    # The owner set the level (Laude: "each department should decide upon the level of
    # intervention"); a re-run of the rules keeps it.
    level_chosen = models.BooleanField(default=False)
    reason = models.CharField(max_length=300)
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags")
    owner = models.ForeignKey(
        "tracking.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_flags"
    )
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    source = models.CharField(max_length=10, choices=FlagSource.choices, default=FlagSource.RULE)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_text = models.TextField(blank=True)
    action_due = models.DateField(null=True, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Closed by a re-run of its point's rules that found the pupil no longer met them, before anyone
    # acted; a later re-run that catches the pupil again reopens it.
    cleared_by_rules = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # {"before": "4", "after": "5", "next_point": id} or means across subjects.
    outcome_detail = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-level", "pk"]
        constraints = [
            # A rule re-run for the same point updates its flags rather than adding new ones.
            models.UniqueConstraint(
                fields=["point", "pupil", "rule", "subject"],
                condition=Q(rule__isnull=False, subject__isnull=False),
                name="flag_unique_rule_subject",
            ),
            models.UniqueConstraint(
                fields=["point", "pupil", "rule"],
                condition=Q(rule__isnull=False, subject__isnull=True),
                name="flag_unique_rule_pupil",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self):
        return f"{self.pupil}: {self.reason}"


# Plans, sessions and agreements live in their feature packages; importing them here registers them.
from .agreements.models import ExamAgreement  # noqa: E402
from .plans.models import Plan, PlanReview, TargetGroup  # noqa: E402
from .sessions.models import Allocation, Session, SessionRequest, SessionSettings, TimetableIssue  # noqa: E402

__all__ = [
    "Allocation",
    "ExamAgreement",
    "Plan",
    "PlanReview",
    "Session",
    "SessionRequest",
    "SessionSettings",
    "TargetGroup",
    "TimetableIssue",
]
