"""A record of every import: who, when, which file, what it would do or did, and every problem."""

from django.db import models


class ImportKind(models.TextChoices):
    CTF = "ctf", "Common Transfer File"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Dry run: nothing saved yet"
    REJECTED = "rejected", "Rejected: nothing saved"
    COMMITTED = "committed", "Imported"
    SUPERSEDED = "superseded", "Dry run not committed"


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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def summary(self):
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.guardians_created} guardians added"
        )
