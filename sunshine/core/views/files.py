"""Downloads of stored files. Never served from a static or media URL: every byte goes
through these views and the access checks registered for the file's purpose."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.views import View

from sunshine.core.audit import audit_record
from sunshine.core.issued import document_get
from sunshine.core.models import IssuedDocument, StoredFile
from sunshine.core.uploads import file_access_allowed

PRIVATE = "private, no-store"
PUBLIC = "public, max-age=3600"  # a published version's bytes never change


def stored_file_response(
    stored: StoredFile, *, actor: Any, filename: str | None = None, cache_control: str = PRIVATE
) -> FileResponse:
    """The bytes of ``stored`` as an attachment, the download audited. The caller has
    checked that ``actor`` may read it."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(actor=actor, action="core.file_download", target=stored, data={"purpose": stored.purpose})
    response = FileResponse(
        handle, as_attachment=True, filename=filename or stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def issued_document_response(document: IssuedDocument, *, actor: Any) -> FileResponse:
    """The recorded bytes of an issued document — what the person received, never a
    regeneration — for a view that has checked ``actor``'s right to it (its own access
    rule, or :func:`sunshine.core.issued.document_access_allowed`). Not cached unless
    published."""
    return stored_file_response(document.file, actor=actor, cache_control=PUBLIC if document.published else PRIVATE)


class FileDownloadView(View):
    """404 for an unknown id AND for a file the user may not read, so that a refusal does
    not reveal that the file exists (default deny)."""

    def get(self, request: HttpRequest, pk: uuid.UUID) -> FileResponse:
        stored = StoredFile.objects.filter(pk=pk).first()
        if stored is None or not file_access_allowed(request.user, stored):
            raise Http404
        return stored_file_response(stored, actor=request.user)


class IssuedDocumentDownloadView(View):
    """An issued document by its id: anyone once published, the organisation's staff
    (or the kind's readers) before; 404 otherwise."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        return issued_document_response(document_get(user=request.user, pk=pk), actor=request.user)
