"""Word documents of a case, laid out as a Chinese bureau document (GB/T 9704 style):
the red header (红头) with the bureau's name, the document number 示教信〔2026〕12号
under it, a red rule, a 小标宋/黑体 title, 仿宋 body, the issuing organ and a Chinese
date. Fonts are set for east-asian text (w:eastAsia).

* :func:`acceptance_notice_docx` — PET-3 notice (accepted / not accepted / forwarded).
* :func:`supervision_notice_docx` — the 督办单 to the handling unit (no filer identity).
* :func:`reply_docx` — PET-6 处理意见书. It never contains the filer's identity: it is
  addressed to "the filer" (信访人) unless the case is real-name AND the caller passes
  ``addressee`` (the name, read through ``identity_open``). Issued once, as a core
  document record (``REPLY_DOCUMENT``); downloads serve the recorded bytes.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from sunshine.core.clocks import Unit, clock_get
from sunshine.core.documents import RED, chinese_date, red_rule, set_font
from sunshine.petitions import rules
from sunshine.petitions.models import Petition, Reply

__all__ = [
    "REPLY_DOCUMENT",
    "acceptance_notice_docx",
    "chinese_date",
    "reply_docx",
    "supervision_notice_docx",
]

# The core document kind of the written reply (registered in ``PetitionsConfig.ready()``).
REPLY_DOCUMENT = "petitions.reply"

FANGSONG, HEITI, SONG = "仿宋_GB2312", "黑体", "方正小标宋简体"
BODY_PT = 16  # 三号


def _para(
    doc,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    bold: bool = False,
    align=None,
    indent: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        set_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _document(petition: Petition, number: str, title: str):
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = FANGSONG
    style.font.size = Pt(BODY_PT)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FANGSONG)
    bureau = petition.bureau.name
    _para(
        doc, f"{bureau}文件", font=SONG, size=42, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, space_after=18
    )
    rule = _para(doc, number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    red_rule(rule)
    _para(doc, "", space_after=6)
    _para(doc, title, font=SONG, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    return doc


def _heading(doc, text: str) -> None:
    _para(doc, text, font=HEITI, size=BODY_PT, indent=True)


def _signature(doc, petition: Petition, at: datetime) -> None:
    _para(doc, "")
    _para(doc, petition.bureau.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, chinese_date(at), align=WD_ALIGN_PARAGRAPH.RIGHT)


def _bytes(doc) -> bytes:
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _period(rule_id: str) -> str:
    """A clock's length as the notice prints it ("60日", "15个工作日"), read from the clock."""
    clock = clock_get(rule_id)
    return f"{clock.length}{'个工作日' if clock.unit == Unit.WORKING_DAYS else '日'}"


def acceptance_notice_docx(petition: Petition) -> bytes:
    """PET-3: the written notice — accepted, not accepted (with the reason) or forwarded
    (with where to go) — with the notice's document number."""
    status = petition.status
    at = petition.accepted_at or petition.updated_at or timezone.now()
    if petition.accepted_at:
        title, body = (
            "受理告知书",
            (
                f"你于{chinese_date(petition.received_at)}反映的“{petition.title}”事项（编号{petition.number}），"
                f"经审查，符合受理条件，本机关决定予以受理。本机关将依照《信访工作条例》的规定，"
                f"自受理之日起{_period(rules.HANDLING_CLOCK)}内办结，并书面告知处理意见。"
            ),
        )
        if petition.handling_due_at:
            body += f"办理期限至{chinese_date(petition.handling_due_at)}。"
    elif petition.forwarded_to:
        title, body = (
            "转送告知书",
            (
                f"你于{chinese_date(petition.received_at)}反映的“{petition.title}”事项（编号{petition.number}），"
                f"不属于本机关职权范围，已转送{petition.forwarded_to}处理。理由：{petition.decline_reason}"
            ),
        )
    else:
        title, body = (
            "不予受理告知书",
            (
                f"你于{chinese_date(petition.received_at)}反映的“{petition.title}”事项（编号{petition.number}），"
                f"经审查，本机关决定不予受理。理由：{petition.decline_reason or '（未填写）'}"
            ),
        )
        if petition.decline_where:  # PET-3: where the filer should go instead
            body += f"请向{petition.decline_where}反映。"
    if status == Petition.Status.REGISTERED:
        title = "信访事项登记告知书"
        notice = rules.notice_clock(
            kind=petition.kind, named=petition.named, against_staff=rules.against_staff(petition)
        )
        body = (
            f"你反映的“{petition.title}”事项已登记，编号{petition.number}。本机关将在{_period(notice)}内告知是否受理。"
        )
    doc = _document(petition, petition.acceptance_number or petition.number, title)
    _para(doc, "信访人：")
    _para(doc, body, indent=True)
    _para(doc, "你可凭受理回执查询码在本机关网站查询办理进展、阅读答复并评价。", indent=True)
    _signature(doc, petition, at)
    return _bytes(doc)


def supervision_notice_docx(petition: Petition) -> bytes:
    """The 督办单 to the handling unit: the case, the facts, the deadline (PET-5). No
    filer identity, ever (PET-9)."""
    unit = petition.assigned_to.name if petition.assigned_to else "（未交办）"
    doc = _document(petition, petition.supervision_number or petition.number, "信访事项交办督办单")
    _para(doc, f"{unit}：")
    _para(
        doc,
        f"现将编号为{petition.number}的信访事项交你单位办理。请依照《信访工作条例》认真调查核实，"
        f"依法依规作出处理，并于期限内将处理意见书面报送本机关。",
        indent=True,
    )
    _heading(doc, "一、事项名称")
    _para(doc, petition.title, indent=True)
    _heading(doc, "二、反映的主要问题")
    _para(doc, petition.facts, indent=True)
    if petition.request:
        _heading(doc, "三、诉求")
        _para(doc, petition.request, indent=True)
    _heading(doc, "四、办理时限")
    due = (
        chinese_date(petition.handling_due_at)
        if petition.handling_due_at
        else f"自受理之日起{_period(rules.HANDLING_CLOCK)}"
    )
    _para(doc, f"请于{due}前办结并报送处理意见。逾期未办结的，将按规定督办并逐级上报。", indent=True)
    _para(doc, "信访人身份信息依法保密，不随本单转交。", indent=True)
    _signature(doc, petition, timezone.now())
    return _bytes(doc)


DECISION_WORDS: dict[str, str] = {
    Reply.Decision.SUPPORTED: "予以支持",
    Reply.Decision.EXPLAINED: "予以解释说明",
    Reply.Decision.NOT_SUPPORTED: "不予支持",
}
STAGE_TITLES: dict[str, str] = {
    Reply.Stage.FIRST: "信访事项处理意见书",
    Reply.Stage.REVIEW: "信访事项复查意见书",
    Reply.Stage.REEXAMINATION: "信访事项复核意见书",
}


def reply_docx(reply: Reply, *, addressee: str = "") -> bytes:
    """PET-6: the 处理意见书 with the request, facts, reasons, decision and legal basis,
    and how to ask for review / re-examination (PET-7). Addressed to "信访人" unless
    the case is real-name and ``addressee`` is given."""
    petition = reply.petition
    name = addressee if (addressee and petition.named) else "信访人"
    doc = _document(petition, reply.document_number, STAGE_TITLES[reply.stage])
    _para(doc, f"{name}：")
    _para(
        doc,
        f"你于{chinese_date(petition.received_at)}反映的“{petition.title}”事项（编号{petition.number}）收悉。"
        f"现答复如下：",
        indent=True,
    )
    _heading(doc, "一、信访请求")
    _para(doc, reply.request_summary, indent=True)
    _heading(doc, "二、查明的事实")
    _para(doc, reply.facts, indent=True)
    _heading(doc, "三、理由")
    _para(doc, reply.reasons, indent=True)
    _heading(doc, "四、处理意见")
    _para(doc, f"对你的信访请求，本机关{DECISION_WORDS[reply.decision]}。", indent=True)
    _heading(doc, "五、依据")
    _para(doc, reply.legal_basis, indent=True)
    if reply.stage == Reply.Stage.FIRST:
        review = _period(rules.REVIEW_APPLY_CLOCK)
        _para(doc, f"如对本处理意见不服，可自收到本意见书之日起{review}内向本机关或上一级机关请求复查。", indent=True)
    elif reply.stage == Reply.Stage.REVIEW:
        reexam = _period(rules.REEXAM_APPLY_CLOCK)
        _para(doc, f"如对本复查意见不服，可自收到本意见书之日起{reexam}内请求复核。", indent=True)
    else:
        _para(doc, "本复核意见为最终意见。信访人以同一事实和理由再次提出的，不再受理。", indent=True)
    _signature(doc, petition, reply.issued_at)
    return _bytes(doc)
