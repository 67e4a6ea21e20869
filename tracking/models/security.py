"""Outstanding sign-in failures and password-reset requests, for throttling.

Rows are short-lived: a successful sign-in or password reset clears an account's failures, and rows
older than the longest throttle window are pruned. The security log (AuditEvent) keeps the history.
"""

from django.db import models
from django.utils import timezone


class SignInAttempt(models.Model):
    class Kind(models.TextChoices):
        FAILURE = "failure", "Failed sign-in"
        RESET = "reset", "Password reset request"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # As typed (lower-cased): an unknown name is throttled exactly like a real one, so nothing here
    # tells a guesser which accounts exist.
    username = models.CharField(max_length=254)
    address = models.GenericIPAddressField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "username", "at"]),
            models.Index(fields=["kind", "address", "at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"
