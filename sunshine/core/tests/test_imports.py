"""core.imports: spreadsheets refused before parsing (sizes, packing, shared strings,
no worksheet), cells capped while parsing, and the parse run in a memory- and
time-limited process."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import replace
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from sunshine.core.imports import (
    ImportRefused,
    SheetLimits,
    WorkerFailed,
    own_files_parsed_in_process,
    run_limited,
    spreadsheet_check,
    spreadsheet_rows,
)
from sunshine.core.tests import workers


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def repacked(data: bytes, *, replace_member: dict[str, bytes] | None = None, drop: str = "") -> bytes:
    """The package ``data`` with members replaced (deflated) or dropped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if drop and info.filename.startswith(drop):
                continue
            body = (replace_member or {}).get(info.filename, source.read(info))
            target.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for name, body in (replace_member or {}).items():
            if name not in source.namelist():
                target.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def huge_cell_bomb(chars: int, *, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A valid workbook whose one text cell is ``chars`` long (it packs to a few KB).
    With ``member`` "xl/sharedStrings.xml" the long text is in a shared-strings part."""
    base = xlsx([["学号", "姓名"], ["S1", "X"]])
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    if member == "xl/sharedStrings.xml":
        shared = f'<sst xmlns="x" count="1"><si><t>{"X" * chars}</t></si></sst>'
        return repacked(base, replace_member={member: shared.encode()})
    sheet = sheet.replace(">X<", ">" + "X" * chars + "<", 1)
    return repacked(base, replace_member={member: sheet.encode()})


def refusal(fn, *args, **kwargs) -> ImportRefused:
    with translation.override("zh-hans"), pytest.raises(ImportRefused) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_a_plain_workbook_and_csv_give_their_rows():
    rows = spreadsheet_rows(io.BytesIO(xlsx([["学号", "金额"], [], ["S1", 900]])), kind="xlsx")
    assert rows == [(1, ["学号", "金额"]), (3, ["S1", 900])]
    rows = spreadsheet_rows(io.BytesIO("学号,金额\nS1,900\n".encode("gb18030")), kind="csv")
    assert rows == [(1, ["学号", "金额"]), (2, ["S1", "900"])]


def test_the_platforms_own_files_parse_in_process_to_the_same_rows(monkeypatch):
    """The demo's ledgers: same rows and refusals, no child process."""
    book = xlsx([["学号", "金额", "日期"], [], ["S1", 900, datetime(2026, 3, 1)], ["S2", 12.5]])
    children = spreadsheet_rows(io.BytesIO(book), kind="xlsx")
    monkeypatch.setattr("subprocess.Popen", None)  # any child would fail the test
    with own_files_parsed_in_process():
        assert spreadsheet_rows(io.BytesIO(book), kind="xlsx") == children
        error = refusal(spreadsheet_rows, io.BytesIO(b"a,b,c\n"), kind="csv", limits=SheetLimits(max_columns=2))
        assert error.code == "too_many_columns"
        with pytest.raises(WorkerFailed):
            run_limited(len, None, memory_bytes=1, timeout_seconds=1)


def test_a_zip_bomb_is_refused_from_its_directory_before_parsing():
    bomb = huge_cell_bomb(60 * 1024 * 1024)  # 60 MB of text packed into ~60 KB
    assert len(bomb) < 200 * 1024
    error = refusal(spreadsheet_check, io.BytesIO(bomb), kind="xlsx")
    assert error.code == "ratio" and "压缩比异常" in error.messages[0]


def test_member_total_and_shared_string_limits():
    bomb = huge_cell_bomb(3 * 1024 * 1024)
    relaxed = SheetLimits(max_ratio=10**6)
    error = refusal(spreadsheet_check, io.BytesIO(bomb), kind="xlsx", limits=replace(relaxed, max_member=1024 * 1024))
    assert error.code == "member_too_large" and "超过导入上限" in error.messages[0]
    shared = huge_cell_bomb(3 * 1024 * 1024, member="xl/sharedStrings.xml")
    error = refusal(
        spreadsheet_check, io.BytesIO(shared), kind="xlsx", limits=replace(relaxed, max_shared_strings=1024 * 1024)
    )
    assert error.code == "shared_strings_too_large" and "文字过长" in error.messages[0]
    error = refusal(
        spreadsheet_check, io.BytesIO(bomb), kind="xlsx", limits=replace(relaxed, max_uncompressed=2 * 1024 * 1024)
    )
    assert error.code == "uncompressed_too_large"
    error = refusal(spreadsheet_check, io.BytesIO(bomb), kind="xlsx", limits=replace(relaxed, max_members=3))
    assert error.code == "too_many_members"


def test_one_huge_cell_is_refused_with_its_row_and_column():
    bomb = huge_cell_bomb(5000)
    error = refusal(spreadsheet_rows, io.BytesIO(bomb), kind="xlsx", limits=SheetLimits(max_cell_chars=1000))
    assert error.code == "cell_too_long"
    assert error.messages == ["第2行B列：单元格内容超过1000个字符，请删减后重试。"]


def test_an_over_long_csv_field_is_refused():
    body = ('学号,备注\nS1,"' + "长" * 5000 + '"\n').encode()
    error = refusal(spreadsheet_rows, io.BytesIO(body), kind="csv", limits=SheetLimits(max_cell_chars=1000))
    assert error.code == "field_too_long" and "第2行" in error.messages[0]
    error = refusal(spreadsheet_rows, io.BytesIO(b"a,b\n" * 10), kind="csv", limits=SheetLimits(max_bytes=20))
    assert error.code == "too_large" and "上限" in error.messages[0]


def test_a_workbook_without_sheets_or_not_a_workbook():
    no_sheets = repacked(xlsx([["a"]]), drop="xl/worksheets/")
    error = refusal(spreadsheet_rows, io.BytesIO(no_sheets), kind="xlsx")
    assert error.code == "no_sheet" and error.messages == ["该工作簿中没有工作表。"]
    error = refusal(spreadsheet_rows, io.BytesIO(b"not a zip at all"), kind="xlsx")
    assert error.code == "not_xlsx"


def test_too_many_rows_or_columns():
    error = refusal(spreadsheet_rows, io.BytesIO(b"a\nb\nc\n"), kind="csv", limits=SheetLimits(max_rows=2))
    assert error.code == "too_many_rows"
    error = refusal(spreadsheet_rows, io.BytesIO(b"a,b,c\n"), kind="csv", limits=SheetLimits(max_columns=2))
    assert error.code == "too_many_columns"


def test_the_memory_limit_stops_a_greedy_parse_cleanly():
    """A function that wants 600 MB in a process capped at 256 MB is stopped; the
    caller carries on and the next run works."""
    with pytest.raises(WorkerFailed) as caught:
        run_limited(workers.greedy, 600, memory_bytes=256 * 1024 * 1024, timeout_seconds=60)
    assert caught.value.reason == "memory"
    assert run_limited(workers.modest, 3, memory_bytes=256 * 1024 * 1024, timeout_seconds=60) == [0, 1, 2]
    # The same function within its limit finishes.
    assert run_limited(workers.greedy, 16, memory_bytes=512 * 1024 * 1024, timeout_seconds=60) == 16 * 1024 * 1024


def test_the_time_limit_stops_a_slow_parse():
    with pytest.raises(WorkerFailed) as caught:
        run_limited(workers.sleepy, 30, memory_bytes=256 * 1024 * 1024, timeout_seconds=1)
    assert caught.value.reason == "timeout"


def test_an_over_limit_parse_is_refused_in_chinese():
    """Parsing a legitimate workbook in too little memory: refused, in Chinese."""
    data = xlsx([["学号", "备注"], *[[f"S{i}", secrets.token_hex(200)] for i in range(3000)]])
    error = refusal(spreadsheet_rows, io.BytesIO(data), kind="xlsx", limits=SheetLimits(memory_bytes=16 * 1024 * 1024))
    assert error.code == "memory" and "内存" in error.messages[0]
