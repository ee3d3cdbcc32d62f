"""Petitions in the Django admin: deliberately almost nothing.

The admin belongs to the system administrator, who must never read case contents or
filers' identities (三员分立, PET-9): cases are handled on the workbench through
``petitions.access``. Only the receipt look-up record (addresses and times, never a
code) is shown, read-only, for investigating guessing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunshine.petitions.models import ReceiptAttempt


@admin.register(ReceiptAttempt)
class ReceiptAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "succeeded", "throttled")
    list_filter = ("succeeded", "throttled")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
