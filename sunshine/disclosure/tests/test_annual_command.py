"""FOI-5: ``manage.py report_disclosure_annual`` writes the report (a draft from the
records before it is issued), with this year beside last year."""

from __future__ import annotations

import io
from datetime import date

import docx
from django.core.management import call_command

from sunshine.disclosure import services
from sunshine.disclosure.rules import REPORT_SECTIONS
from sunshine.disclosure.tests.conftest import District
from sunshine.disclosure.tests.test_foi import _dated, _letter


def test_the_command_writes_the_report_compared_with_last_year(district: District, tmp_path):
    d = district
    for received, concluded in ((date(2025, 4, 1), date(2025, 4, 10)), (date(2026, 3, 1), date(2026, 3, 9))):
        request = _letter(d)
        services.foi_reply(actor=d.officer, request=request, reply_type="disclosed", text="已公开")
        _dated(request, received, concluded)
    pending = _letter(d)
    _dated(pending, date(2026, 12, 1), None)
    out = tmp_path / "report.docx"
    call_command("report_disclosure_annual", "--year", "2026", "--out", str(out), stdout=io.StringIO())
    word = docx.Document(str(out))
    text = "\n".join(p.text for p in word.paragraphs)
    for heading in REPORT_SECTIONS:
        assert heading in text
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["新收政府信息公开申请（件）", "2", "1", "+1"] in cells
    assert ["结转下年度继续办理（件）", "1", "0", "+1"] in cells
