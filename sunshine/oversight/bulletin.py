"""The evaluation bulletin (考评通报) as a Word document: the bureau's red header, the
number, the lines of the colours, every school's score and colour, and how a score is
made (the weights of the indicators), so anyone can recompute it. Issued through
``core.issued.document_issue`` (``BULLETIN_DOCUMENT``) and published."""

from __future__ import annotations

import io
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from sunshine.core.clocks import Rag
from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.oversight.models import Evaluation

BULLETIN_DOCUMENT = "oversight.bulletin"
_run = partial(add_run, font="仿宋_GB2312", size=16)


def bulletin_docx(evaluation: Evaluation, *, number: str) -> bytes:
    indicator_set = evaluation.indicator_set
    bureau = indicator_set.bureau
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, bureau.name, font="方正小标宋简体", size=26, bold=True, color=RED)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(line, number)
    red_rule(line, space=1)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, _("Bulletin of %(title)s") % {"title": indicator_set.title}, font="方正小标宋简体", size=22)
    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(32)
    weights = "、".join(f"{i.name}{i.weight}" for i in indicator_set.indicators.all())
    _run(
        body,
        _(
            "Each school was scored out of 100 on these indicators and weights: %(weights)s. "
            "%(green)s points or more is green, %(amber)s points or more amber, below that red. "
            "Each school's working is published on the bureau's website."
        )
        % {"weights": weights, "green": evaluation.green_min, "amber": evaluation.amber_min},
    )
    headers = [_("Rank"), _("School"), _("Score"), _("Colour")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], text, size=12, bold=True)
    for score in evaluation.scores.select_related("school").order_by("rank", "school__name"):
        row = table.add_row().cells
        for cell, text in zip(
            row, [str(score.rank), score.school.name, str(score.score), str(Rag(score.rag).label)], strict=True
        ):
            _run(cell.paragraphs[0], text, size=12)
    for text in (bureau.name, chinese_date(timezone.localdate())):
        signature = doc.add_paragraph()
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(signature, text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
