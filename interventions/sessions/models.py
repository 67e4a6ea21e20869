"""Intervention sessions (Longfield): requests, slots, allocation, registers and reward points."""

from django.db import models


class Kind(models.TextChoices):
    AFTER_SCHOOL = "after_school", "After school"
    LUNCHTIME = "lunchtime", "Lunchtime"


class SessionSettings(models.Model):
    """What each school sets for itself: the weekly limit and the reward goal."""

    school = models.OneToOneField(
        "tracking.School", on_delete=models.CASCADE, related_name="session_settings"
    )
    weekly_limit = models.PositiveSmallIntegerField(
        default=3, help_text="Most sessions a pupil may be in a week, so nobody is overwhelmed."
    )
    reward_goal = models.CharField(max_length=80, default="Passport to the Prom")
    reward_goal_points = models.PositiveSmallIntegerField(default=30)
    points_per_session = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name_plural = "session settings"

    def __str__(self):
        return f"{self.school}: sessions"


class Session(models.Model):
    """One dated slot: a subject (or any), a time, a room and how many it holds."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(
        "tracking.Subject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave blank for a session open to any subject.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=100)
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    room = models.CharField(max_length=40)
    capacity = models.PositiveSmallIntegerField(default=10)
    leader = models.ForeignKey(
        "tracking.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    advertised = models.BooleanField(default=False, help_text="Shown on the printable sign-up sheet.")

    class Meta:
        ordering = ["date", "starts_at", "room", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_capacity_positive"),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self):
        return f"{self.title} · {self.date:%a %d %b} {self.starts_at:%H:%M} · {self.room}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for allocation"
    PLACED = "placed", "Placed"
    UNPLACED = "unplaced", "No place this week"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SessionRequest(models.Model):
    """A teacher asks the assistant SENCo for a pupil to have a session in a week."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="session_requests")
    subject = models.ForeignKey("tracking.Subject", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    week_start = models.DateField(help_text="The Monday of the week asked for.")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    unplaced_reason = models.CharField(max_length=120, blank=True)
    requested_by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["week_start", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "subject", "kind", "week_start"], name="session_request_once_a_week"
            )
        ]
        indexes = [models.Index(fields=["school", "week_start", "status"])]

    def __str__(self):
        return f"{self.pupil}: {self.subject} ({self.get_kind_display()})"


class AllocationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"


class Attendance(models.TextChoices):
    NOT_TAKEN = "", "Not taken"
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    ABSENT = "absent", "Absent"


class Allocation(models.Model):
    """A pupil's place in a session; its register mark and, for an absence, the follow-up."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="allocations")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="session_allocations")
    request = models.ForeignKey(
        SessionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations"
    )
    status = models.CharField(
        max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.PROPOSED
    )
    bucket = models.PositiveSmallIntegerField(default=3)
    attendance = models.CharField(max_length=8, choices=Attendance.choices, blank=True)
    points = models.PositiveSmallIntegerField(default=0)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_up_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "pupil"], name="allocation_once_per_session")
        ]
        indexes = [models.Index(fields=["pupil", "status"]), models.Index(fields=["school", "attendance"])]

    def __str__(self):
        return f"{self.pupil} in {self.session}"


class TimetableIssue(models.Model):
    """The Monday scheduler's record that a week's intervention timetables were issued."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    issued_at = models.DateTimeField()
    sessions = models.PositiveIntegerField(default=0)
    places = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "week_start"], name="timetable_issue_once_a_week")
        ]

    def __str__(self):
        return f"{self.school}: week of {self.week_start}"
