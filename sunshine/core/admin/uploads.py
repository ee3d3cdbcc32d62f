"""Admin for stored files: read-only. Files enter only through ``upload_store`` (which
sniffs and audits) and leave only through the download view's access checks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunshine.core.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "purpose", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["purpose", "content_type"]
    search_fields = ["original_name", "sha256"]
    fields = ("id", "purpose", "original_name", "content_type", "size", "sha256", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
