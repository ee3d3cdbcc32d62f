"""The reports' downloads: a chart's data, the open figures (Excel and CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from sunshine.core.clocks import Rag
from sunshine.core.exports import safe_csv_row, safe_row, sheet_title
from sunshine.core.figures import BreakdownResult, FigureResult, Unit


def _header() -> list[str]:
    return [_("Figure"), _("Value"), _("Unit"), _("Numerator"), _("Denominator"), _("Definition")]


def _row(r: FigureResult) -> list[object]:
    return [r.label, r.value, str(r.unit.label), r.numerator, r.denominator, r.definition]


def figures_xlsx(results: Iterable[FigureResult], *, title: str, breakdowns: Iterable[BreakdownResult] = ()) -> bytes:
    """The figures on the first sheet, each breakdown on a sheet of its own."""
    book = Workbook()
    sheet: Any = book.active
    sheet.title = sheet_title(title)
    sheet.append(safe_row(sheet, _header()))
    for r in results:
        sheet.append(safe_row(sheet, _row(r)))
    for breakdown in breakdowns:
        breakdown_sheet(book, breakdown)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def breakdown_table(result: BreakdownResult) -> list[list[object]]:
    """One breakdown as rows of cells, its heading first: a row per item with a value per
    series (numbers as numbers, money in yuan), the parts of a rate, the colour in words.
    The Excel sheet and the CSV file are written from it."""
    rate = result.unit == Unit.PERCENT
    coloured = any(r.colour for r in result.rows)
    header: list[object] = [result.dimension]
    for series in result.series:
        header.append(_("%(series)s (%(unit)s)") % {"series": series.label, "unit": result.unit.label})
        if rate:
            header += [_("Numerator"), _("Denominator")]
    if coloured:
        header.append(_("Colour"))
    table = [header]
    for row in result.rows:
        cells: list[object] = [row.label]
        for value in row.values:
            cells.append(result.shown(value.value))
            if rate:
                cells += [value.numerator, value.denominator]
        if coloured:
            cells.append(str(Rag(row.colour).label) if row.colour in Rag.values else "")
        table.append(cells)
    return table


def breakdown_sheet(book: Any, result: BreakdownResult) -> Any:
    """A sheet of one breakdown (see :func:`breakdown_table`)."""
    sheet = book.create_sheet(sheet_title(result.label))
    for cells in breakdown_table(result):
        sheet.append(safe_row(sheet, cells))
    return sheet


def breakdown_xlsx(result: BreakdownResult) -> bytes:
    book = Workbook()
    first: Any = book.active
    book.remove(first)
    breakdown_sheet(book, result)
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


def breakdown_csv(result: BreakdownResult) -> bytes:
    """One breakdown as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for cells in breakdown_table(result):
        writer.writerow(safe_csv_row(cells))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
