"""Admin registrations for core, one module per piece."""

from sunshine.core.admin import audit, calendar, local_rules, supervision, uploads  # noqa: F401
from sunshine.core.admin.audited import AuditedModelAdmin

__all__ = ["AuditedModelAdmin"]
