"""The pages of petitions: ``public`` (under /petitions/) and ``staff`` (/petitions/staff/)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.http.response import HttpResponseBase

from sunshine.core.documents import DOCX_TYPE
from sunshine.core.issued import document_for
from sunshine.core.views.files import issued_document_response
from sunshine.petitions.documents import REPLY_DOCUMENT, reply_docx
from sunshine.petitions.models import Reply

__all__ = ["DOCX_TYPE", "XLSX_TYPE", "attachment_response", "reply_download"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A download with a Chinese file name: an ASCII fallback plus RFC 5987's ``filename*``
    (every browser in use reads the UTF-8 one), never cached."""
    ascii_name = filename.encode("ascii", "ignore").decode().strip() or "download"
    if "." in filename and "." not in ascii_name:
        ascii_name += filename[filename.rfind(".") :]
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def reply_download(reply: Reply, *, actor: Any) -> HttpResponseBase:
    """The reply as issued: the recorded bytes under its number. A reply issued before
    replies were recorded is rendered from its fields (the caller has checked access)."""
    document = document_for(reply, kind=REPLY_DOCUMENT)
    if document is not None:
        return issued_document_response(document, actor=actor)
    return attachment_response(reply_docx(reply), filename=f"{reply.document_number}.docx", content_type=DOCX_TYPE)
