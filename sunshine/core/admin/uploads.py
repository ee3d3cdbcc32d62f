"""Admin for stored files: read-only. Files enter only through ``upload_store`` (which
sniffs and audits) and leave only through the download view's access checks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sunshine.core.admin.display import labelled_filter, machine_text
from sunshine.core.models import StoredFile
from sunshine.core.uploads import purpose_label


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "purpose_name", "file_type", "size", "uploaded_by", "created_at"]
    list_filter = [labelled_filter("purpose", _("purpose"), purpose_label)]
    search_fields = ["original_name", "sha256"]
    fields = (
        "identifier",
        "purpose_name",
        "original_name",
        "file_type",
        "size",
        "fingerprint",
        "uploaded_by",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("file ID"))
    def identifier(self, obj: StoredFile) -> SafeString | str:
        return machine_text(obj.pk)

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_name(self, obj: StoredFile) -> SafeString | str:
        return purpose_label(obj.purpose) or machine_text(obj.purpose)

    @admin.display(description=_("file type"), ordering="content_type")
    def file_type(self, obj: StoredFile) -> SafeString | str:
        return machine_text(obj.content_type)

    @admin.display(description=_("fingerprint"))
    def fingerprint(self, obj: StoredFile) -> SafeString | str:
        return machine_text(obj.sha256)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
