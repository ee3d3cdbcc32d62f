"""Core models, one module per piece of shared machinery."""

from sunshine.core.models.audit import AuditEntry, AuditHead

__all__ = ["AuditEntry", "AuditHead"]
