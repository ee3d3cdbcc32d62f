"""Uploaded files. Bytes live on the private default storage (outside the web root)
under a dated, random name; this row keeps what the uploader called the file, the
type sniffed from its content, its size and its SHA-256."""

from __future__ import annotations

import secrets
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["StoredFile", "stored_file_upload_to"]


def stored_file_upload_to(instance: Any, filename: str) -> str:
    """A dated path with a random name. The user's file name never reaches the disk:
    only the canonical suffix of the sniffed type (chosen by ``upload_store``) is kept."""
    suffix = PurePosixPath(filename).suffix.lower()
    if not (suffix[1:].isalnum() and len(suffix) <= 6):
        suffix = ""
    day = timezone.localdate()
    return f"uploads/{day:%Y/%m/%d}/{secrets.token_hex(16)}{suffix}"


class StoredFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=stored_file_upload_to, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def audit_label(self) -> str:
        """The audit log's label: the purpose (the id is the target id), never the file's name (a citizen's
        file name can name the citizen)."""
        from sunshine.core.uploads import purpose_label

        return purpose_label(self.purpose) or self.purpose  # the id is the entry's target id
