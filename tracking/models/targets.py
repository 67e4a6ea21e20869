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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "subject"], name="target_unique")]
        indexes = [models.Index(fields=["subject", "status"])]

    def __str__(self):
        return f"{self.pupil} {self.subject}: {self.grade}"
