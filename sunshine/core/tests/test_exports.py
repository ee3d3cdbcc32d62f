"""core.exports: texts that look like formulas stay text in .xlsx and .csv exports;
every export (fees findings, the petitions queue, `manage.py figures`) uses it."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from sunshine.core.exports import safe_csv_row, safe_row

RISKY = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "＝1+1"]


@pytest.mark.parametrize("write_only", [False, True])
def test_safe_row_writes_text_never_formulas(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("x") if write_only else workbook.active
    sheet.append(safe_row(sheet, [*RISKY, 5, 1.5, "普通文字", None]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    assert [cell.data_type for cell in row] == ["s"] * len(RISKY) + ["n", "n", "s"]
    assert [cell.value for cell in row] == [*RISKY, 5, 1.5, "普通文字"]
    assert all(cell.quotePrefix for cell in row[: len(RISKY)]) and not row[-1].quotePrefix


def test_unsafe_append_would_have_written_a_formula():
    """The hazard the helper removes: openpyxl's own append stores "=…" as a formula."""
    workbook = Workbook()
    workbook.active.append(["=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].data_type == "f"


def test_safe_csv_row_prefixes_an_apostrophe():
    out = io.StringIO()
    csv.writer(out).writerow(safe_csv_row(["=1+1", "@x", "正常", 3, -4]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "'@x", "正常", "3", "-4"]
