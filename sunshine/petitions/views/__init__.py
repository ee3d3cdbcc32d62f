"""The pages of petitions: ``public`` (under /petitions/) and ``staff`` (/petitions/staff/)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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
