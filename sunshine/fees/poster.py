"""The fee notice as a print-ready Word poster (校长收费公告), python-docx: a red
header with the school's name, the document number, the table of every FEE-4 field,
the complaint hotline, the principal's name and a Chinese date. Issued once, when the
notice is published, as a core document record (``NOTICE_DOCUMENT``)."""

from __future__ import annotations

import io
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.fees.models import Category, FeeDeclaration, FeeNotice, Unit

_run = partial(add_run, font="仿宋_GB2312", size=14)
# The core document kind of the poster (registered in ``FeesConfig.ready()``).
NOTICE_DOCUMENT = "fees.notice"


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def notice_poster(notice: FeeNotice) -> bytes:
    """The notice as a .docx (A4 landscape, one page for a usual list of items)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.2)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(2), 1.0  # table cells and signature lines, tight

    school = notice.school
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, school.name, font="方正小标宋简体", size=30, bold=True, color=RED)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, notice.number, size=14)
    red_rule(number, space=1)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = title.paragraph_format.space_after = Pt(8)
    _run(title, _("Principal's fee notice, %(term)s") % {"term": str(notice.term)}, font="黑体", size=20)

    intro = doc.add_paragraph()
    intro.paragraph_format.first_line_indent = Pt(28)
    intro.paragraph_format.space_after = Pt(8)
    _run(
        intro,
        _(
            "Under the rules on education fees, this school charges only the items below, approved and filed with "
            "the authorities, once at the start of the term. Any other charge is illegal and may be reported."
        ),
    )

    headers = [_("Category"), _("Item"), _("Standard (yuan)"), _("Unit"), _("Scope"), _("Basis"), _("Reductions")]
    # Widths in cm, 25.3 in all (the landscape text width): the basis (a document number)
    # and the reductions get the room, the standard and the unit little.
    widths = [Cm(w) for w in (3.0, 3.6, 2.3, 1.9, 3.6, 6.8, 4.1)]
    table = doc.add_table(rows=1, cols=len(headers))
    table.autofit = False
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # A long list gets a smaller type so that the notice stays on one page as far as it can;
    # when it cannot, the header row repeats on the next page.
    size = 12 if len(notice.lines) <= 6 else 10.5 if len(notice.lines) <= 10 else 9
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], str(text), font="黑体", size=size)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    header_row.append(OxmlElement("w:tblHeader"))
    categories = dict(Category.choices)
    units = dict(Unit.choices)
    scopes = dict(FeeDeclaration.Scope.choices)
    for line in notice.lines:
        cells = table.add_row().cells
        values = [
            str(categories.get(line["category"], line["category"])),
            line["item"],
            yuan(int(line["standard_fen"])),
            str(units.get(line["unit"], line["unit"])),
            f"{line.get('grades', '')} {scopes.get(line['scope'], line['scope'])}".strip(),
            line["basis"],
            line["reductions"] or "—",
        ]
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], text, size=size)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid (LibreOffice reads this) ...
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # ... and each cell (Word reads this)

    # The hotline (left) and the principal, school and date (right) share one borderless
    # row that may not break across pages: the signature never stands alone on a page.
    closing = doc.add_table(rows=1, cols=2)
    closing.autofit = False
    row = closing.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for column, cell in zip(closing.columns, row.cells, strict=True):
        column.width = cell.width = Cm(12.65)
    left, right = row.cells
    hotline = left.paragraphs[0]
    hotline.paragraph_format.space_before = Pt(10)
    _run(hotline, _("Complaint hotline: %(hotline)s") % {"hotline": notice.hotline}, font="黑体", size=14)
    lines = (
        f"{_('Principal')}：{school.head_name or '　　　　'}",
        school.name,
        chinese_date(timezone.localtime(notice.published_at or notice.generated_at)),
    )
    for k, text in enumerate(lines):
        signature = right.paragraphs[0] if k == 0 else right.add_paragraph()
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if k == 0:
            signature.paragraph_format.space_before = Pt(10)
        _run(signature, text, size=14)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
