"""The only door to AuditEvent: `audit.record(...)` and `audit.record_many(...)` for services,
`audit.history_for(obj)` and the grade history in `tracking.audit.queries` for pages."""

from tracking.audit.queries import history_for
from tracking.audit.services import record, record_many

__all__ = ("history_for", "record", "record_many")
