"""Downloads of stored files. Never served from a static or media URL: every byte goes
through this view and the access checks registered for the file's purpose."""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest
from django.views import View

from sunshine.core.audit import audit_record
from sunshine.core.models import StoredFile
from sunshine.core.uploads import file_access_allowed


class FileDownloadView(View):
    """404 for an unknown id AND for a file the user may not read, so that a refusal does
    not reveal that the file exists (default deny)."""

    def get(self, request: HttpRequest, pk: uuid.UUID) -> FileResponse:
        stored = StoredFile.objects.filter(pk=pk).first()
        if stored is None or not file_access_allowed(request.user, stored):
            raise Http404
        try:
            handle = stored.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        audit_record(
            actor=request.user,
            action="core.file_download",
            target=stored,
            data={"purpose": stored.purpose},
        )
        response = FileResponse(
            handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
