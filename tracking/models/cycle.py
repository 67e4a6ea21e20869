"""The six-week tracking cycle, the school-year scheduler's ledger and Celery's failure log.

One cycle per data uplift: the assessment points of every year group that share a half term's
collection window move through the stages together (the data manager runs one calendar, heads of
department verify one uplift at a time).
"""

from django.db import models


class Stage(models.TextChoices):
    PLANNED = "planned", "Planned"
    INPUT = "input", "Data input"
    VERIFICATION = "verification", "Verification"
    HEALTH_CHECK = "health_check", "Health check"
    ACTIONS = "actions", "Actions"
    EVALUATION = "evaluation", "Impact evaluation"
    CLOSED = "closed", "Closed"


# The order a cycle moves through; each stage after PLANNED has a date on the cycle.
STAGE_ORDER = [
    Stage.PLANNED,
    Stage.INPUT,
    Stage.VERIFICATION,
    Stage.HEALTH_CHECK,
    Stage.ACTIONS,
    Stage.EVALUATION,
    Stage.CLOSED,
]


class TrackingCycle(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="cycles")
    academic_year = models.ForeignKey(
        "tracking.AcademicYear", on_delete=models.CASCADE, related_name="cycles"
    )
    name = models.CharField(max_length=60, help_text="e.g. Autumn 2 data uplift")
    points = models.ManyToManyField("tracking.AssessmentPoint", related_name="cycles")
    stage = models.CharField(max_length=15, choices=Stage.choices, default=Stage.PLANNED)
    input_on = models.DateField("input opens")
    verification_on = models.DateField("verification (window locks)")
    health_check_on = models.DateField("health checks")
    actions_on = models.DateField("actions")
    evaluation_on = models.DateField("impact evaluation")
    closes_on = models.DateField("cycle closes")
    is_held = models.BooleanField(default=False, help_text="A held cycle is skipped by the scheduler.")
    held_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year__starts_on", "input_on", "pk"]

    def __str__(self):
        return f"{self.name} {self.academic_year}"

    def date_for(self, stage):
        return getattr(self, f"{'closes' if stage == Stage.CLOSED else stage}_on")

    @property
    def stage_index(self):
        return STAGE_ORDER.index(self.stage)

    @property
    def next_stage(self):
        index = self.stage_index
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class CycleTransition(models.Model):
    """Every stage change a cycle made: when, from what, to what, by whom (blank: the scheduler)."""

    cycle = models.ForeignKey(TrackingCycle, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=15, choices=Stage.choices)
    to_stage = models.CharField(max_length=15, choices=Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=20, default="scheduler", help_text="scheduler, manual or fast-forward")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # A cycle enters each stage once: a second scheduler racing the first cannot repeat it.
            models.UniqueConstraint(fields=["cycle", "to_stage"], name="cycle_transition_once_per_stage"),
        ]

    def __str__(self):
        return f"{self.cycle}: {self.from_stage} → {self.to_stage}"

    @property
    def by_label(self):
        return self.by.display_name if self.by_id else "Scheduler"


class SignOffStatus(models.TextChoices):
    VERIFIED = "verified", "Verified"
    RETURNED = "returned", "Sent back"


class DepartmentSignOff(models.Model):
    """A head of department's or senior leader's word on one department's data in one cycle."""

    cycle = models.ForeignKey(TrackingCycle, on_delete=models.CASCADE, related_name="signoffs")
    department = models.ForeignKey("tracking.Department", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=SignOffStatus.choices)
    by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    by_slt = models.BooleanField(default=False)
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "department", "by_slt"], name="signoff_one_per_department_and_level"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.get_status_display()} ({self.cycle})"


class SheetReturn(models.Model):
    """A teaching group's marksheet sent back at verification: it reopens for its teachers only."""

    cycle = models.ForeignKey(TrackingCycle, on_delete=models.CASCADE, related_name="sheet_returns")
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.CASCADE, related_name="+")
    teaching_group = models.ForeignKey("tracking.TeachingGroup", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "teaching_group"],
                condition=models.Q(resolved_at__isnull=True),
                name="sheet_return_one_open_per_sheet",
            ),
        ]

    def __str__(self):
        return f"{self.teaching_group} sent back ({self.cycle})"


class HealthCheck(models.Model):
    """One department's numbers for one cycle, computed from the grades and stored as a snapshot."""

    cycle = models.ForeignKey(TrackingCycle, on_delete=models.CASCADE, related_name="health_checks")
    department = models.ForeignKey("tracking.Department", on_delete=models.CASCADE, related_name="+")
    generated_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["department__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], name="health_check_one_per_department")
        ]

    def __str__(self):
        return f"{self.department} {self.cycle}"


class CycleNotification(models.Model):
    """An email sent for a cycle's stage: a retried task never sends the same one twice."""

    cycle = models.ForeignKey(TrackingCycle, on_delete=models.CASCADE, related_name="notifications")
    stage = models.CharField(max_length=15, choices=Stage.choices)
    user = models.ForeignKey("tracking.User", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "stage", "user"], name="cycle_notification_once"),
        ]

    def __str__(self):
        return f"{self.stage} email to {self.user} ({self.cycle})"


class ScheduledEventRun(models.Model):
    """The scheduler's ledger: an event key appears here once it has run (exactly once)."""

    key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField()
    ran_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self):
        return self.key


class PendingTask(models.Model):
    """A task that could not be queued (broker down); the next scheduler run queues it again."""

    task_name = models.CharField(max_length=200)
    school = models.ForeignKey(
        "tracking.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school the task works for, when its arguments name one.",
    )
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.task_name} (pending)"


class FailedTask(models.Model):
    """A Celery task that failed for good (retries spent), for the data manager to see and retry."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    school = models.ForeignKey(
        "tracking.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school the task worked for; blank for tasks that serve no one school.",
    )
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    exception = models.TextField()
    traceback = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.task_name} {self.at:%Y-%m-%d %H:%M}"
