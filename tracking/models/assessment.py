"""Assessment points (data uplifts) and the grades collected at them."""

from django.db import models


class AssessmentPoint(models.Model):
    """A named collection point for one year group, e.g. "Y11 Autumn 1", with its window."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="assessment_points")
    academic_year = models.ForeignKey(
        "tracking.AcademicYear", on_delete=models.CASCADE, related_name="assessment_points"
    )
    year_group = models.ForeignKey("tracking.YearGroup", on_delete=models.PROTECT, related_name="points")
    half_term = models.ForeignKey(
        "tracking.HalfTerm", on_delete=models.SET_NULL, null=True, blank=True, related_name="points"
    )
    name = models.CharField(max_length=60)
    sequence = models.PositiveSmallIntegerField(help_text="Order within the year")
    opens_on = models.DateField()
    closes_on = models.DateField()
    collects_current = models.BooleanField(default=True)
    collects_predicted = models.BooleanField(default=True)
    collects_security = models.BooleanField(default=True)
    collects_effort = models.BooleanField(default=True)
    collects_comment = models.BooleanField(default=True)
    is_locked = models.BooleanField(
        default=False, help_text="Locked for verification: read-only for teachers whatever the dates say."
    )

    class Meta:
        ordering = ["academic_year__starts_on", "year_group__number", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "year_group", "sequence"], name="assessment_point_unique_sequence"
            ),
        ]

    def __str__(self):
        return self.name


class Security(models.TextChoices):
    """How secure the pupil is within the grade (Longfield policy)."""

    HIGH = "H", "High"
    MIDDLE = "M", "Middle"
    LOW = "L", "Low"


HELD_FIELDS = ("held_step", "held_scale", "held_diff", "held_stale")


class GradeEntry(models.Model):
    """One pupil's grades in one subject at one assessment point."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="grades")
    subject = models.ForeignKey("tracking.Subject", on_delete=models.PROTECT, related_name="grades")
    point = models.ForeignKey(AssessmentPoint, on_delete=models.PROTECT, related_name="grades")
    teaching_group = models.ForeignKey(
        "tracking.TeachingGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="grades"
    )
    current = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    predicted = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    security = models.CharField(max_length=1, choices=Security.choices, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 (excellent) to 4 (poor)")
    comment = models.CharField(max_length=500, blank=True)
    # What families see: the grades as they stood when the data was last verified (the cycle passing
    # verification, or a reopened sheet verified again). Edits after that reach families only once the
    # sheet is verified again. Empty verified_at: never verified, so families see nothing yet.
    verified_current = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_predicted = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_security = models.CharField(max_length=1, choices=Security.choices, blank=True)
    verified_effort = models.PositiveSmallIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: a save names the version it read, so a second editor sees the clash.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The standing's pieces no school setting changes, held for counting many grades at once
    # (tracking/standing/held.py): the grade that counts' whole-grade step and scale (a GradeScale id)
    # and its difference from the grade expected now. Written only by standing.refresh_held; triggers
    # mark a row stale when anything they are worked out from changes.
    held_step = models.SmallIntegerField(null=True, editable=False)
    held_scale = models.IntegerField(null=True, editable=False)
    held_diff = models.SmallIntegerField(null=True, editable=False)
    held_stale = models.BooleanField(default=True, db_default=True, editable=False)

    class Meta:
        verbose_name_plural = "grade entries"
        constraints = [
            models.UniqueConstraint(fields=["pupil", "subject", "point"], name="grade_entry_unique"),
        ]
        indexes = [
            # Every column the dashboards count a point's grades by (standing.held_sql): the grades are
            # read from the index alone, not row by row from the table. It begins as a (point, subject)
            # index.
            models.Index(
                fields=["point", "subject", "pupil", "school", "held_step", "held_scale", "held_diff"],
                name="grade_entry_held",
            ),
            models.Index(fields=["pupil", "subject"]),
            # The stale held standings, found without reading the others.
            models.Index(
                fields=["held_stale"], condition=models.Q(held_stale=True), name="grade_entry_stale"
            ),
        ]

    def __str__(self):
        return f"{self.pupil} {self.subject} {self.point}"

    def save(self, *args, **kwargs):
        # The held standing is written only by standing.refresh_held: a row read before it was worked
        # out again must not write the old one back.
        saving = self.pk is not None and not self._state.adding
        if saving and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in HELD_FIELDS and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def changed_since_verified(self):
        """Verified, and edited since: families still see the verified grades."""
        return self.verified_at is not None and (
            self.current_id != self.verified_current_id
            or self.predicted_id != self.verified_predicted_id
            or self.security != self.verified_security
            or self.effort != self.verified_effort
        )


class SheetReopen(models.Model):
    """The data manager reopens a closed marksheet (one group) or a whole point (group empty) until a date."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(AssessmentPoint, on_delete=models.CASCADE, related_name="reopens")
    teaching_group = models.ForeignKey(
        "tracking.TeachingGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reopens",
        help_text="Empty: every sheet at the point is reopened.",
    )
    until = models.DateField(help_text="Teachers may edit up to and including this day.")
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["point", "until"])]

    def __str__(self):
        return f"{self.point} {self.teaching_group or 'all groups'} until {self.until}"


class ReopenRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the data manager"
    APPROVED = "approved", "Reopened"
    DECLINED = "declined", "Declined"


class ReopenRequest(models.Model):
    """A teacher or head of department asks the data manager to reopen a verified (locked) marksheet.

    The data manager approves (the sheet reopens until a date, as a SheetReopen) or declines with a note;
    the requester sees the outcome."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(AssessmentPoint, on_delete=models.CASCADE, related_name="reopen_requests")
    teaching_group = models.ForeignKey(
        "tracking.TeachingGroup", on_delete=models.CASCADE, related_name="reopen_requests"
    )
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReopenRequestStatus.choices, default=ReopenRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("the data manager's note", max_length=300, blank=True)
    reopen = models.ForeignKey(
        SheetReopen, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "teaching_group"],
                condition=models.Q(status="pending"),
                name="reopen_request_one_waiting_per_sheet",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return f"{self.teaching_group} at {self.point}: {self.get_status_display()}"
