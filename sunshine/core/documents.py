"""The pieces every Word document of the platform is made of (python-docx): Chinese
dates, runs with east-asian fonts, the red rule under an official header (红头).

Petitions' notices, fee posters, FOI reply letters and the opinion brief all build on
these, so a document looks the same whichever module wrote it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

RED = RGBColor(0xC0, 0x00, 0x00)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def chinese_date(value: date | datetime) -> str:
    """2026年11月22日 (Arabic numerals, as GB/T 9704-2012 prescribes for the date); an
    aware time is read in the local time zone first."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def set_font(run: Any, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> Any:
    """Font, size, weight and colour of ``run``, the font set for east-asian text too
    (python-docx's ``font.name`` alone leaves Chinese characters in the default font)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    return run


def add_run(
    paragraph: Any, text: str, *, font: str, size: float, bold: bool = False, color: RGBColor | None = None
) -> Any:
    return set_font(paragraph.add_run(text), font, size, bold=bold, color=color)


def red_rule(paragraph: Any, *, space: int = 4) -> None:
    """The red line under an official header (红头), as the paragraph's bottom border."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", str(space)), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def docx_text(data: bytes) -> str:
    """What a reader of a .docx sees: its paragraphs and the cells of its tables, a line
    each (what the personal-data gate reads before a document is published)."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("　".join(cell.text for cell in row.cells))
    return "\n".join(lines)
