"""Termly reports to families: which fields each kind shows, report runs (batches) and each pupil's PDF."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models


class ReportStorage(FileSystemStorage):
    """Report PDFs live outside MEDIA_URL's public space: only a permission-checked view serves them.

    The folder follows MEDIA_ROOT as it is now (tests point it at a temporary directory).
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "reports")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_storage = ReportStorage()


def report_storage():
    return _storage


class Kind(models.TextChoices):
    TERMLY_KS3 = "termly_ks3", "Termly progress report (Key Stage 3)"
    TERMLY_KS4 = "termly_ks4", "Termly progress report (Key Stage 4)"
    YEAR11 = "year11", "Year 11 termly report"
    END_OF_YEAR = "end_of_year", "End-of-year report"


class Field(models.TextChoices):
    """Parts a report may show; the data manager picks them per kind (ReportLayout)."""

    TEACHER = "teacher", "Teacher"
    TARGET = "target", "Target grade"
    EXPECTED = "expected", "Grade expected now"
    CURRENT = "current", "Current grade"
    PREDICTED = "predicted", "Predicted grade"
    SECURITY = "security", "How secure the grade is"
    STANDING = "standing", "Progress against the grade expected now"
    EFFORT = "effort", "Effort and attitude to learning"
    SUBJECT_COMMENT = "subject_comment", "Subject teacher's comment"
    ACHIEVED = "achieved", "Target achieved?"
    CHART = "chart", "Progress chart"
    ATTENDANCE = "attendance", "Attendance"
    INTERVENTIONS = "interventions", "Support and sessions planned"
    TUTOR_COMMENT = "tutor_comment", "Form tutor's comment"
    MENTOR_COMMENT = "mentor_comment", "Academic mentor's comment"


SUBJECT_FIELDS = (
    Field.TEACHER,
    Field.TARGET,
    Field.EXPECTED,
    Field.CURRENT,
    Field.PREDICTED,
    Field.SECURITY,
    Field.STANDING,
    Field.EFFORT,
    Field.ACHIEVED,
    Field.SUBJECT_COMMENT,
)

# What each kind shows until the data manager chooses otherwise (the seed policies: Longfield's Year 11
# report has target, predicted, security and interventions; Laude's end of year says if targets were met).
DEFAULT_FIELDS = {
    Kind.TERMLY_KS3: [
        Field.TEACHER, Field.TARGET, Field.EXPECTED, Field.CURRENT, Field.STANDING, Field.EFFORT,
        Field.CHART, Field.ATTENDANCE, Field.TUTOR_COMMENT,
    ],
    Kind.TERMLY_KS4: [
        Field.TEACHER, Field.TARGET, Field.EXPECTED, Field.CURRENT, Field.PREDICTED, Field.STANDING,
        Field.EFFORT, Field.CHART, Field.ATTENDANCE, Field.INTERVENTIONS, Field.TUTOR_COMMENT,
    ],
    Kind.YEAR11: [
        Field.TEACHER, Field.TARGET, Field.CURRENT, Field.PREDICTED, Field.SECURITY, Field.STANDING,
        Field.EFFORT, Field.CHART, Field.ATTENDANCE, Field.INTERVENTIONS, Field.TUTOR_COMMENT,
        Field.MENTOR_COMMENT,
    ],
    Kind.END_OF_YEAR: [
        Field.TEACHER, Field.TARGET, Field.EXPECTED, Field.CURRENT, Field.STANDING, Field.ACHIEVED,
        Field.EFFORT, Field.SUBJECT_COMMENT, Field.CHART, Field.ATTENDANCE, Field.TUTOR_COMMENT,
    ],
}  # fmt: skip


class ReportLayout(models.Model):
    """The fields one kind of report shows at one school (chosen by the data manager)."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    fields = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="report_layout_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.school}"


class ReportComment(models.Model):
    """A form tutor's or academic mentor's comment for a pupil's report at an assessment point."""

    class Role(models.TextChoices):
        TUTOR = "tutor", "Form tutor"
        MENTOR = "mentor", "Academic mentor"

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="report_comments")
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=6, choices=Role.choices)
    text = models.TextField(max_length=1200)
    by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "point", "role"], name="report_comment_unique_role")
        ]

    def __str__(self):
        return f"{self.get_role_display()} on {self.pupil} at {self.point}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Finished"


class ReportRun(models.Model):
    """One batch: a kind of report for a year group (or one form), from the grades at one point.

    Regenerating is explicit: a new run with the next `version` replaces the old one (`replaces`).
    """

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    point = models.ForeignKey("tracking.AssessmentPoint", on_delete=models.PROTECT, related_name="+")
    year_group = models.ForeignKey("tracking.YearGroup", on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey(
        "tracking.FormGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fields = models.JSONField(default=list, help_text="The kind's fields when the run was made.")
    version = models.PositiveSmallIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey("tracking.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Wall time from start to the ZIP.")
    zip_file = models.FileField(storage=report_storage, blank=True)
    print_file = models.FileField(storage=report_storage, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        scope = self.form or self.year_group
        return f"{self.get_kind_display()}, {scope}, {self.point} (v{self.version})"

    @property
    def scope_name(self):
        return f"Form {self.form.name}" if self.form_id else str(self.year_group)


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    DONE = "done", "Made"
    FAILED = "failed", "Failed"


class PupilReport(models.Model):
    """One pupil's report in a run: the data it was built from, frozen, and the PDF made from it."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="reports")
    pupil = models.ForeignKey("tracking.Pupil", on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    error = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(storage=report_storage, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "pupil__legal_last_name", "pupil__legal_first_name"]
        constraints = [models.UniqueConstraint(fields=["run", "pupil"], name="pupil_report_once_per_run")]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self):
        return f"{self.pupil} · {self.run}"

    @property
    def file_name(self):
        pupil = self.data.get("pupil", {})
        name = f"{pupil.get('last_name', 'pupil')}-{pupil.get('first_name', self.pupil_id)}"
        return f"{name}-{self.run.point.name}-report.pdf".replace(" ", "-").lower()
