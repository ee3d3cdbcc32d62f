"""FOI-5: the annual report on government information disclosure as a Word document, in
the six statutory sections of 国办公开办函〔2021〕30号: red header, 黑体 headings, 仿宋
body, the tables of sections 2, 3 and 4. Always in Chinese. Issued once, as a core
document record (``ANNUAL_REPORT_DOCUMENT``, registered in ``DisclosureConfig.ready()``)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.disclosure import rules
from sunshine.disclosure.models import AnnualReport, FoiRequest

ANNUAL_REPORT_DOCUMENT = "disclosure.annual_report"


def annual_report_docx(
    report: AnnualReport,
    *,
    number: str,
    section2: dict[str, int],
    table: dict[tuple[str, str, str], dict[str, int]],
) -> bytes:
    """The report's .docx bytes; ``section2`` and ``table`` are what the records give
    (``services.foi_report_section2``, ``services.foi_annual_report``)."""
    with translation.override("zh-hans"):
        return _report(report, number=number, section2=section2, table=table)


def _table(doc: Any, rows: list[list[str]]) -> None:
    grid = doc.add_table(rows=len(rows), cols=len(rows[0]))
    grid.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            cell.text = ""
            add_run(cell.paragraphs[0], str(value), font="仿宋", size=10.5, bold=r == 0)


def _last_year_rows(
    report: AnnualReport, *, section2: dict[str, int], table: dict[tuple[str, str, str], dict[str, int]]
) -> list[list[str]]:
    """FOI-5: this year beside last year (requests new, handled, carried forward; rules
    made), from the same records; nothing when last year's records do not add up."""
    from sunshine.disclosure.services import ReportCheckError, foi_annual_report, foi_report_section2

    try:
        before = foi_annual_report(bureau=report.bureau, year=report.year - 1)
    except ReportCheckError:
        return []
    before2 = foi_report_section2(bureau=report.bureau, year=report.year - 1)
    pairs = [
        ("新收政府信息公开申请（件）", table[("new", "", "")]["total"], before[("new", "", "")]["total"]),
        ("办理结果总计（件）", table[("handled_total", "", "")]["total"], before[("handled_total", "", "")]["total"]),
        (
            "结转下年度继续办理（件）",
            table[("carried_forward", "", "")]["total"],
            before[("carried_forward", "", "")]["total"],
        ),
        ("本年制发规章和行政规范性文件（件）", section2["rules_new"], before2["rules_new"]),
    ]
    return [[label, str(now), str(then), f"{now - then:+d}"] for label, now, then in pairs]


def _report(
    report: AnnualReport,
    *,
    number: str,
    section2: dict[str, int],
    table: dict[tuple[str, str, str], dict[str, int]],
) -> bytes:
    from sunshine.disclosure.services import foi_report_rows

    bureau = report.bureau
    doc = WordDocument()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, bureau.name, font="方正小标宋简体", size=26, color=RED)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(line, number, font="仿宋", size=16)
    red_rule(line)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(title, f"{bureau.name}{report.year}年政府信息公开工作年度报告", font="方正小标宋简体", size=22)

    def heading(text: str) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        add_run(p, text, font="黑体", size=16)

    def para(text: str) -> None:
        for chunk in text.splitlines() or [""]:
            if chunk.strip():
                p = doc.add_paragraph()
                p.paragraph_format.line_spacing = Pt(28)
                p.paragraph_format.first_line_indent = Pt(32)
                add_run(p, chunk.strip(), font="仿宋", size=16)

    s1, s2, s3, s4, s5, s6 = rules.REPORT_SECTIONS
    heading(s1)
    para(report.overview)

    heading(s2)
    entered = report.entered
    _table(
        doc,
        [
            ["规章和行政规范性文件", "本年制发件数", "本年废止件数", "现行有效件数"],
            [
                "规章和行政规范性文件",
                str(section2["rules_new"]),
                str(section2["rules_repealed"]),
                str(section2["rules_in_force"]),
            ],
        ],
    )
    _table(
        doc,
        [
            ["信息内容", "本年数量"],
            *[[text, str(entered.get(key, 0))] for key, _l, text in rules.REPORT_SECTION2_ENTERED],
        ],
    )

    heading(s3)
    columns = [str(label) for _k, label in FoiRequest.ApplicantKind.choices]
    _table(
        doc,
        [["（本列数据的勾稽关系为：新收+上年结转=办理结果总计+结转下年度继续办理）", *columns, "总计"]]
        + [[row["label"], *[str(v) for v in row["values"]]] for row in foi_report_rows(table)],
    )

    comparison = _last_year_rows(report, section2=section2, table=table)
    if comparison:
        para("与上年相比：")
        _table(doc, [["项目", "本年", "上年", "增减"], *comparison])

    heading(s4)
    _table(
        doc,
        [
            ["", *[text for _k, _l, text in rules.REPORT_SECTION4_COLUMNS]],
            *[
                [text, *[str(entered.get(f"{row}.{col}", 0)) for col, _l2, _t2 in rules.REPORT_SECTION4_COLUMNS]]
                for row, _l, text in rules.REPORT_SECTION4_ROWS
            ],
        ],
    )

    heading(s5)
    para(report.problems)
    heading(s6)
    para(report.other)

    for text in (bureau.name, chinese_date(timezone.localdate())):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Cm(1.5)
        add_run(p, text, font="仿宋", size=16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
