"""The refund order as a printable Word document (清退通知书): the bureau's red header,
the order's number, the school, what was found line by line, the total and the date by
which the school must refund (FEE-1: illegal fees are refunded on the bureau's order;
the time allowed is the LOCAL rule ``FEE-1-refund``). Issued once, with the order, as a
core document record (``REFUND_DOCUMENT``)."""

from __future__ import annotations

import io
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from sunshine.core.clocks import Deadline, deadline
from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.fees.models import RefundLine, RefundOrder
from sunshine.fees.poster import yuan

_run = partial(add_run, font="仿宋_GB2312", size=16)
# The core document kind of the refund notice (registered in ``FeesConfig.ready()``).
REFUND_DOCUMENT = "fees.refund"


def refund_deadline(order: RefundOrder) -> Deadline:
    """FEE-1: the date by which the school must refund, counted from the order's issue."""
    return deadline("FEE-1-refund", order.issued_at)


def refund_notice(order: RefundOrder, *, number: str | None = None, lines: list[RefundLine] | None = None) -> bytes:
    """The 清退通知书 of ``order`` as a .docx (``number`` is the one being issued;
    ``lines`` those of an order not saved yet, for a preview)."""
    bureau = order.school.parent
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, bureau.name if bureau else "", font="方正小标宋简体", size=26, bold=True, color=RED)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(line, number or order.number)
    red_rule(line, space=1)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, _("Notice to refund illegal fees"), font="方正小标宋简体", size=22)
    _run(doc.add_paragraph(), f"{order.school.name}：")
    if lines is None:
        lines = list(order.lines.select_related("finding").order_by("student_no", "pk"))
    total = sum(line.amount_fen for line in lines)
    due = refund_deadline(order)
    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(32)
    _run(
        body,
        _(
            "On auditing your school's fee ledger for %(term)s, this bureau found the charges below, which are "
            "not allowed. Refund them in full to the students' families by %(due)s and report the refunds, with "
            "proof, to this bureau."
        )
        % {"term": str(order.term), "due": chinese_date(due.due_date)},
    )
    headers = [_("Student number"), _("Student"), _("Finding"), _("Item"), _("Amount (yuan)")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], text, size=12, bold=True)
    for item in lines:
        row = table.add_row().cells
        values = [
            item.student_no,
            item.student_name,
            str(item.finding.get_kind_display()),
            item.finding.item_name,
            yuan(item.amount_fen),
        ]
        for cell, text in zip(row, values, strict=True):
            _run(cell.paragraphs[0], text, size=12)
    summary = doc.add_paragraph()
    summary.paragraph_format.space_before = Pt(8)
    _run(summary, _("%(count)s items, %(total)s yuan in all.") % {"count": len(lines), "total": yuan(total)})
    for text in (bureau.name if bureau else "", chinese_date(order.issued_at or timezone.now())):
        signature = doc.add_paragraph()
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(signature, text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
