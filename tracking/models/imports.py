"""A record of every import: who, when, which file, what it would do or did, and every problem."""

from django.db import models


class ImportKind(models.TextChoices):
    CTF = "ctf", "Common Transfer File"
    PUPILS = "pupils", "Pupils"
    STAFF = "staff", "Staff"
    GUARDIANS = "guardians", "Parents and carers"
    GROUPS = "groups", "Teaching groups and their pupils"
    KS2 = "ks2", "KS2 results"
    FFT = "fft", "FFT estimates"
    ATTENDANCE = "attendance", "Attendance"
    GRADES = "grades", "Historical grades"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Waiting for its columns to be chosen"
    QUEUED = "queued", "Waiting to run"
    RUNNING = "running", "Running"
    PREVIEWED = "previewed", "Dry run: nothing saved yet"
    REJECTED = "rejected", "Rejected: nothing saved"
    COMMITTED = "committed", "Imported"
    SUPERSEDED = "superseded", "Dry run not committed"


# Statuses a job is still working toward (the page polls for progress while in them).
IMPORT_IN_PROGRESS = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportJob(models.Model):
    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200)
    by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices)
    # The uploaded file, kept from the dry run until it is committed so the data manager does not
    # upload it twice (and what is committed is exactly what was previewed); cleared afterwards.
    content = models.BinaryField(blank=True, default=b"")
    version = models.CharField(max_length=20, blank=True, help_text="e.g. the file's CTFversion")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    guardians_created = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True, help_text="[[where, message], ...]")
    changes = models.JSONField(default=list, blank=True, help_text="What was (or would be) done, per pupil")
    notes = models.JSONField(
        default=list, blank=True, help_text="Rows kept out, such as unmapped KS2 results"
    )
    # Spreadsheet imports: which column of the file fills which field ({field: header}).
    mapping = models.JSONField(default=dict, blank=True)
    # What the data manager chose for this one file, e.g. {"replace_members": true}: never remembered.
    options = models.JSONField(default=dict, blank=True)
    commit_requested = models.BooleanField(
        default=False, help_text="A background job commits when it runs (else it is a dry run)"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text="Progress of a background job")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def in_progress(self):
        return self.status in IMPORT_IN_PROGRESS

    @property
    def percent_done(self):
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0

    @property
    def summary(self):
        if self.kind != ImportKind.CTF:
            return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.guardians_created} guardians added"
        )


class ImportMapping(models.Model):
    """The columns a school's files use for one kind of import, remembered from its last import."""

    school = models.ForeignKey("tracking.School", on_delete=models.CASCADE, related_name="import_mappings")
    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    columns = models.JSONField(default=dict, help_text="{field: the file's column header}")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="import_mapping_unique_kind")]

    def __str__(self):
        return f"{self.school}: {self.get_kind_display()} columns"
