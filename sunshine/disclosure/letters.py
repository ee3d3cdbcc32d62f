"""The FOI reply letter (政府信息公开申请答复书) as a Word document: red header with the
bureau's name, the reply number, 仿宋 body, 黑体 headings, the date in Chinese. Issued
once, when the request is replied, as a core document record (``FOI_REPLY_DOCUMENT``)."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from sunshine.core.documents import RED, chinese_date, set_font
from sunshine.disclosure import rules
from sunshine.disclosure.models import FoiRequest

# The core document kind of the reply letter (registered in ``DisclosureConfig.ready()``).
FOI_REPLY_DOCUMENT = "disclosure.foi_reply"

TYPE_TEXT = {
    "disclosed": "经审查，您申请获取的政府信息属于公开范围，本机关决定予以公开，现将有关信息提供给您。",
    "partly": "经审查，您申请获取的政府信息中部分内容属于不予公开范围，本机关对可以公开的部分予以公开。",
    "not_disclosed": "经审查，您申请获取的政府信息属于不予公开范围，本机关决定不予公开。",
    "cannot_provide": "经审查，本机关无法提供您申请获取的政府信息。",
    "not_processed": "经审查，您的申请不属于政府信息公开申请，本机关不作为政府信息公开申请处理。",
    "other": "经审查，本机关对您的申请作如下处理。",
}


def reply_letter_docx(request: FoiRequest) -> bytes:
    """The reply letter of a replied request, as .docx bytes (always in Chinese)."""
    with translation.override("zh-hans"):
        return _letter(request)


def _letter(request: FoiRequest) -> bytes:
    bureau = request.organization
    doc = WordDocument()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(header.add_run(f"{bureau.name}文件"), "方正小标宋简体", 36, color=RED)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(number.add_run(request.reply_number or ""), "仿宋", 16)
    rule = doc.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(rule.add_run("━" * 26), "宋体", 12, color=RED)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run("政府信息公开申请答复书"), "方正小标宋简体", 22)

    def para(text: str, *, indent: bool = True, font: str = "仿宋", bold: bool = False) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        set_font(p.add_run(text), font, 16, bold=bold)

    para(f"{request.applicant_name}：", indent=False)
    received = chinese_date(request.received_on) if request.received_on else ""
    para(
        f"本机关于{received}收到您提出的政府信息公开申请（申请编号：{request.number}），"
        f"您申请获取：“{request.description}”。"
    )
    para("一、处理结果", font="黑体", indent=True)
    text = TYPE_TEXT.get(request.reply_type, "")
    reason = rules.reason_label(request.reply_type, request.reply_reason) if request.reply_reason else ""
    if reason:
        text += f"理由：{reason}。"
    para(text)
    para("二、答复内容", font="黑体")
    for line in request.reply_text.splitlines():
        if line.strip():
            para(line.strip())
    if request.handover_note:
        para(request.handover_note)
    para("三、救济途径", font="黑体")
    para(
        "本机关依申请提供政府信息，不收取费用。如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，"
        "或者在六个月内依法提起行政诉讼。"
    )
    for text in (bureau.name, chinese_date(request.replied_on or timezone.localdate())):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Cm(1.5)
        set_font(p.add_run(text), "仿宋", 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
