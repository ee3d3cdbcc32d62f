"""The one base class of every ModelAdmin the system administrator can write through.

Django's admin calls ``log_addition`` / ``log_change`` / ``log_deletions`` after each
successful add and change and before each delete (single or bulk), whatever a
subclass does in ``save_model``; writing the audit entry there means no admin page
can change a row without an entry in the hash-chained audit log, even when the
subclass saves through a service that writes its own, more specific entry.
``core/tests/test_admin_audit.py`` walks ``admin.site._registry`` to hold every
writable admin to this.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from sunshine.core.audit import audit_record


def _audit(request: HttpRequest, verb: str, obj: models.Model, message: Any) -> None:
    audit_record(
        actor=request.user,
        action=f"admin.{obj._meta.label_lower}_{verb}",
        target=obj,
        data={"change": message} if message else {},
    )


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose every write is in the audit log (action
    ``admin.<app>.<model>_add|change|delete``, the admin's change message as data)."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit(request, "add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit(request, "change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            _audit(request, "delete", obj, "")
        return super().log_deletions(request, queryset)
