"""The pages of petitions: ``public`` (under /petitions/) and ``staff`` (/petitions/staff/)."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase

from sunshine.core.downloads import DOCX_TYPE, attachment_response
from sunshine.core.issued import document_for
from sunshine.core.views.files import issued_document_response
from sunshine.petitions.documents import REPLY_DOCUMENT, reply_docx
from sunshine.petitions.models import Reply

__all__ = ["reply_download"]


def reply_download(reply: Reply, *, actor: Any) -> HttpResponseBase:
    """The reply as issued: the recorded bytes under its number. A reply issued before
    replies were recorded is rendered from its fields (the caller has checked access)."""
    document = document_for(reply, kind=REPLY_DOCUMENT)
    if document is not None:
        return issued_document_response(document, actor=actor)
    return attachment_response(reply_docx(reply), filename=f"{reply.document_number}.docx", content_type=DOCX_TYPE)
