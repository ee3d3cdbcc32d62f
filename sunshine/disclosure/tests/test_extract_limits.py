"""Text extraction for the search index refuses a workbook zip bomb from its directory
instead of inflating it, and still reads a plain workbook."""

from __future__ import annotations

import io
from types import SimpleNamespace

from django.utils import translation

from sunshine.core.tests.test_imports import huge_cell_bomb, xlsx
from sunshine.disclosure.extract import extract_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def open(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self.data)


def stored(data: bytes) -> SimpleNamespace:
    return SimpleNamespace(content_type=XLSX, file=_Bytes(data))


def test_a_workbook_bomb_is_not_opened():
    with translation.override("zh-hans"):
        text, note = extract_text(stored(huge_cell_bomb(60 * 1024 * 1024)))
    assert text == "" and note


def test_a_plain_workbook_is_read():
    text, note = extract_text(stored(xlsx([["收费公示", "伙食费"]])))
    assert "伙食费" in text and note == ""
