"""The audit log is deliberately NOT registered in the Django admin.

三员分立: the Django admin is the system administrator's tool, and the system
administrator must not read (let alone edit) the log that records what they did. Only
the audit administrator reads it, through ``core:audit-list`` (``views/audit.py``,
guarded by ``sunshine.orgs.access.can_read_audit``). ``AuditEntry`` and ``AuditHead``
are append-only in code as well (``AuditImmutableError``).
"""
