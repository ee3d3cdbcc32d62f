"""Text out of an attachment, for the search index. Word (.docx) through python-docx,
Excel (.xlsx) through openpyxl, PDF through pypdf (its text layer: a scan without one
is stored and offered, with a note that its text is not searched), JSON as its keys and
values (``core.documents.json_text``), plain text as UTF-8 or GB18030. The
personal-data gate reads this text before a document is published."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sunshine.core.documents import PDF_MAX_PAGES, json_text, pdf_text

TEXT_MAX_CHARS = 200_000


def extract_text(stored_file: Any) -> tuple[str, str]:
    """(text, note) for a core ``StoredFile``; the note says why there is no text."""
    kind = stored_file.content_type
    try:
        with stored_file.file.open("rb") as handle:
            if kind.endswith("wordprocessingml.document"):
                return _docx(handle), ""
            if kind.endswith("spreadsheetml.sheet"):
                return _xlsx(handle), ""
            if kind == "application/pdf":
                text = _pdf(handle)
                if not text.strip():
                    return "", _("This PDF has no text layer (a scan?): its text is not searched.")
                return text, ""
            if kind == "application/json":  # every key and value: what the personal-data gate reads
                return json_text(handle.read())[:TEXT_MAX_CHARS], ""
            if kind in ("text/plain", "text/csv"):
                raw = handle.read(TEXT_MAX_CHARS * 4)
                for encoding in ("utf-8", "gb18030"):
                    try:
                        return raw.decode(encoding)[:TEXT_MAX_CHARS], ""
                    except UnicodeDecodeError:
                        continue
                return "", _("The text could not be read.")
    except Exception:
        return "", _("The text could not be read from this file.")
    return "", _("Text inside this type of file is not searched.")


def _docx(handle: Any) -> str:
    import docx

    document = docx.Document(handle)
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells if cell.text.strip()))
    return "\n".join(parts)[:TEXT_MAX_CHARS]


def _xlsx(handle: Any) -> str:
    import openpyxl

    from sunshine.core.imports import spreadsheet_check

    spreadsheet_check(handle, kind="xlsx")  # a zip bomb is refused from its directory, never opened
    workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    parts: list[str] = []
    size = 0
    try:
        for sheet in workbook.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                line = " ".join(str(v) for v in row if v is not None)
                if line:
                    parts.append(line)
                    size += len(line)
                if size > TEXT_MAX_CHARS:
                    break
    finally:
        workbook.close()
    return "\n".join(parts)[:TEXT_MAX_CHARS]


def _pdf(handle: Any) -> str:
    return pdf_text(handle, max_pages=PDF_MAX_PAGES, max_chars=TEXT_MAX_CHARS)
