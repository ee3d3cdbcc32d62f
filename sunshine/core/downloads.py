"""Downloads a person keeps: one response for every generated file (Word, Excel),
named in the reader's language.

``attachment_response(content, filename=..., content_type=...)`` sends ``content`` as an
attachment called ``filename`` (Chinese as a rule: 《受理告知书-XF2026….docx》): an ASCII
fallback for old clients plus RFC 6266 / RFC 5987's ``filename*=UTF-8''…``, which every
browser in use reads. Stored uploads keep their own name through ``FileResponse``.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from sunshine.core.documents import DOCX_TYPE

__all__ = ["DOCX_TYPE", "XLSX_TYPE", "attachment_response"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A download called ``filename`` (any language), never cached, never sniffed."""
    filename = filename.replace("/", "-").replace("\\", "-").replace("\n", " ").strip()
    ascii_name = filename.encode("ascii", "ignore").decode().strip(" -_") or "download"
    if "." in filename and "." not in ascii_name.lstrip("."):
        ascii_name = "download" + filename[filename.rfind(".") :]
    elif ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    ascii_name = ascii_name.replace('"', "")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
