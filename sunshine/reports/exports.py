"""The reports' downloads: a chart's data, the open figures (Excel and CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from sunshine.core.exports import safe_csv_row, safe_row
from sunshine.core.figures import FigureResult


def _header() -> list[str]:
    return [_("Figure"), _("Value"), _("Unit"), _("Numerator"), _("Denominator"), _("Definition")]


def _row(r: FigureResult) -> list[object]:
    return [r.label, r.value, str(r.unit.label), r.numerator, r.denominator, r.definition]


def figures_xlsx(results: Iterable[FigureResult], *, title: str) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = title[:31] or "Sheet"
    sheet.append(safe_row(sheet, _header()))
    for r in results:
        sheet.append(safe_row(sheet, _row(r)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figures_csv(results: Iterable[FigureResult]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_csv_row(_header()))
    for r in results:
        writer.writerow(safe_csv_row(_row(r)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
