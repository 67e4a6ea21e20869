"""The only door to AuditEvent.

Services write with `audit.record(...)` and `audit.record_many(...)`, and retention redacts with
`audit.redact_pupils(...)`. Pages read with `audit.history_for(obj)`, `audit.last_event(...)` and the
grade history in tracking.audit.queries.
"""

from tracking.audit.queries import history_for, last_event
from tracking.audit.services import record, record_many, redact_pupils

__all__ = ("history_for", "last_event", "record", "record_many", "redact_pupils")
