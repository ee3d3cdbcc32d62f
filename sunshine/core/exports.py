"""Cells of every Excel or CSV file the platform writes, safe from formula injection.

A text that a person typed (a student's name, a case title, an organisation's name)
may begin with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, or their
full-width forms): written as is, openpyxl stores ``=…`` as a live formula and a
spreadsheet program evaluates such text in a CSV. Every export builds its rows with
``safe_row(sheet, values)`` (.xlsx: every text is a string cell, and a risky one is
marked with Excel's quote prefix so editing it does not turn it into a formula) or
``safe_csv_row(values)`` (.csv: a risky text gets a leading apostrophe). Numbers and
dates stay numbers and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext
from openpyxl.cell import WriteOnlyCell

__all__ = ["FORMULA_STARTS", "is_formula_like", "safe_csv_row", "safe_row", "sheet_title"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """The cells of one row for ``sheet.append(...)`` (normal or write-only workbook):
    texts are string cells, never formulas; other values as openpyxl writes them."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def safe_csv_row(values: Iterable[Any]) -> list[Any]:
    """One row for ``csv.writer``: a text that looks like a formula gets a leading
    apostrophe (OWASP's advice for CSV injection); other values unchanged."""
    return [f"'{value}" if is_formula_like(value) else value for value in values]


def sheet_title(title: object) -> str:
    """A sheet's name from what a person reads (a figure's or a breakdown's label): the
    characters Excel refuses in a sheet name replaced, at most 31 characters."""
    text = str(title)
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text.strip()[:31] or pgettext("spreadsheet", "Sheet")
