"""The audit trail: who changed what, when, from what to what, through which screen."""

from django.db import models


class AuditEvent(models.Model):
    # Empty for installation-wide events, e.g. a failed sign-in with a name no account has.
    school = models.ForeignKey(
        "tracking.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        "tracking.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60, help_text="e.g. tracking.grade.changed")
    via = models.CharField(max_length=40, blank=True, help_text="Screen, import or scheduler")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    pupil = models.ForeignKey(
        "tracking.Pupil", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["school", "action"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
