"""The audit log's one writer (placeholder: the hash chain is being written)."""

from __future__ import annotations

from typing import Any

from django.db import models

from sunshine.core.models import AuditEntry


def audit_record(
    *, actor: Any, action: str, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry. Every service calls this inside its transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
