"""Bulk import of applications from the student-information system's Excel (or CSV)
through core.imports: all or nothing, every refusal with its row number in Chinese.
Each imported application gets its receipt code like a web application; the codes come
back once, in a workbook the office hands to the families (they are not kept)."""

from __future__ import annotations

import io
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sunshine.core.exports import safe_row
from sunshine.core.imports import SheetLimits, spreadsheet_rows
from sunshine.core.receipts import receipt_code_grouped
from sunshine.enrollment import services
from sunshine.enrollment.models import Season

LIMITS = SheetLimits(max_rows=50_000, max_columns=20, max_cell_chars=2000)
COLUMNS = {
    "儿童姓名": "child_name",
    "身份证号": "child_id_number",
    "监护人姓名": "guardian_name",
    "监护人电话": "guardian_phone",
    "户籍和居住情况": "residence",
}
CHOICES = tuple(f"志愿{n}" for n in range(1, 7))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@transaction.atomic
def applications_import(*, actor: Any, season: Season, fh: IO[bytes], kind: str) -> bytes:
    """Imports every row or none; returns the .xlsx of application numbers and receipt
    codes (shown once)."""
    services._manager(actor, season.bureau)
    rows = spreadsheet_rows(fh, kind=kind, limits=LIMITS)
    if not rows:
        raise ValidationError(_("The file has no row."))
    _number, header = rows[0]
    names = [_text(h) for h in header]
    missing = [c for c in (*COLUMNS, CHOICES[0]) if c not in names]
    if missing:
        raise ValidationError(_("Row 1 lacks the columns: %(cols)s.") % {"cols": "、".join(missing)})
    where = {name: i for i, name in enumerate(names)}
    done: list[tuple[str, str, str]] = []
    for number, values in rows[1:]:
        cells = [_text(v) for v in values] + [""] * len(names)
        data = {field: cells[where[column]] for column, field in COLUMNS.items()}
        choices = [cells[where[c]] for c in CHOICES if c in where and cells[where[c]]]
        try:
            application, code = services.application_submit(
                actor=actor,
                season=season,
                choices=choices,
                child_name=data["child_name"],
                child_id_number=data["child_id_number"],
                guardian_name=data["guardian_name"],
                guardian_phone=data["guardian_phone"],
                residence=data["residence"],
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Row %(row)s: %(problem)s Nothing was imported.")
                % {"row": number, "problem": "；".join(exc.messages)}
            ) from exc
        done.append((str(number), application.number, receipt_code_grouped(code)))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Receipt codes"))
    sheet.append(safe_row(sheet, [_("Row"), _("Application number"), _("Receipt code")]))
    for row in done:
        sheet.append(safe_row(sheet, list(row)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
