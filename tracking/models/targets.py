"""Targets: the end-of-key-stage grade each pupil aims for in each subject."""

from django.db import models


class TargetSource(models.TextChoices):
    FLIGHT_PATH = "flightpath", "KS2 flight path"
    FFT = "fft", "FFT estimate"
    TEACHER = "teacher", "Set by teacher"
    RAISED = "raised", "Raised after review"
    IMPORTED = "imported", "Imported"


class TargetStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed by SLT"
    PUBLISHED = "published", "Published"
    CHANGE_REQUESTED = "change_requested", "Change requested"


class Target(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="targets")
    subject = models.ForeignKey("tracking.Subject", on_delete=models.PROTECT, related_name="targets")
    grade = models.ForeignKey("tracking.GradeValue", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=TargetSource.choices)
    source_detail = models.CharField(max_length=100, blank=True, help_text="e.g. FFT20, flight path name")
    status = models.CharField(max_length=20, choices=TargetStatus.choices, default=TargetStatus.PROPOSED)
    # The grade parents, reports and middle leaders see: only ever set when a target is published.
    published_grade = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A head of department's pending change to a published target; the published grade stays
    # visible until the Data Verification Team decides.
    requested_grade = models.ForeignKey(
        "tracking.GradeValue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request_reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "subject"], name="target_unique")]
        indexes = [
            models.Index(fields=["subject", "status"]),
            # The published target of a pupil's subject from the index alone, as the dashboards count
            # grades against it (standing.standing_sql joins it once per grade).
            models.Index(fields=["pupil", "subject", "published_grade"], name="target_counting"),
        ]

    def __str__(self):
        return f"{self.pupil} {self.subject}: {self.grade}"


class FlightPath(models.Model):
    """A subject's flight path: KS2 prior attainment -> end-of-KS4 grade, and the KS3 steps toward it.

    Data, not code: the data manager edits it (admin, or the CSV upload on the flight paths page).
    `gap_y7`... are how many whole grades below the KS4 target a pupil is expected to be at the END
    of that year; tracking.standing works out the grade expected at each assessment point from them.
    """

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    subject = models.OneToOneField("tracking.Subject", on_delete=models.CASCADE, related_name="flight_path")
    name = models.CharField(max_length=100, default="National expectations (KS2)")
    gap_y7 = models.PositiveSmallIntegerField("grades below target at end of Y7", default=3)
    gap_y8 = models.PositiveSmallIntegerField("grades below target at end of Y8", default=2)
    gap_y9 = models.PositiveSmallIntegerField("grades below target at end of Y9", default=1)
    gap_y10 = models.PositiveSmallIntegerField("grades below target at end of Y10", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["subject__name"]

    def __str__(self):
        return f"{self.subject}: {self.name}"


class FlightPathRow(models.Model):
    """Pupils whose mean KS2 scaled score is at least `ks2_from` (up to the next row) aim for `grade`."""

    flight_path = models.ForeignKey(FlightPath, on_delete=models.CASCADE, related_name="rows")
    ks2_from = models.PositiveSmallIntegerField("mean KS2 scaled score from")
    grade = models.ForeignKey("tracking.GradeValue", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["flight_path", "ks2_from"]
        constraints = [
            models.UniqueConstraint(fields=["flight_path", "ks2_from"], name="flight_path_row_unique"),
        ]

    def __str__(self):
        return f"{self.ks2_from}+ -> {self.grade}"


class RaiseStatus(models.TextChoices):
    OPEN = "open", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class TargetRaiseProposal(models.Model):
    """A pupil was above target at a point: someone should consider raising it (never done silently)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="raise_proposals")
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.CASCADE, related_name="+")
    achieved = models.ForeignKey("tracking.GradeValue", on_delete=models.PROTECT, related_name="+")
    proposed_grade = models.ForeignKey("tracking.GradeValue", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=RaiseStatus.choices, default=RaiseStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["target", "point"], name="raise_proposal_unique_point"),
        ]

    def __str__(self):
        return f"Raise {self.target} to {self.proposed_grade}"


class Horizon(models.TextChoices):
    LESSONS = "lessons", "Next few lessons"
    HALF_TERM = "half_term", "This half term"
    TERM = "term", "This term"


class CurricularTarget(models.Model):
    """A short target in words ("use evidence from the text in every paragraph") for a pupil or a class."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(
        "tracking.Pupil", on_delete=models.CASCADE, null=True, blank=True, related_name="curricular_targets"
    )
    teaching_group = models.ForeignKey(
        "tracking.TeachingGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="curricular_targets",
    )
    form = models.ForeignKey(
        "tracking.FormGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="curricular_targets",
    )
    subject = models.ForeignKey(
        "tracking.Subject", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=300)
    horizon = models.CharField(max_length=10, choices=Horizon.choices, default=Horizon.HALF_TERM)
    review_on = models.DateField()
    share_with_family = models.BooleanField(
        default=True, help_text="Shown to parents and carers and printed on reports."
    )
    created_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(pupil__isnull=False, teaching_group__isnull=True, form__isnull=True)
                    | models.Q(pupil__isnull=True, teaching_group__isnull=False, form__isnull=True)
                    | models.Q(pupil__isnull=True, teaching_group__isnull=True, form__isnull=False)
                ),
                name="curricular_target_one_owner",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def owner(self):
        return self.pupil or self.teaching_group or self.form
