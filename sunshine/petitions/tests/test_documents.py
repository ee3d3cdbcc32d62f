"""Word documents: the red header, document numbers, Chinese dates, east-asian fonts,
PET-6 fields in the reply, and no filer identity where it does not belong (PET-9)."""

from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn

from sunshine.core.documents import chinese_date
from sunshine.petitions import services as svc
from sunshine.petitions.documents import (
    acceptance_notice_docx,
    reply_docx,
    supervision_notice_docx,
)
from sunshine.petitions.tests.factories import file_case, make_world

pytestmark = pytest.mark.django_db

IDENTITY = svc.IdentityInput(name="测试名字丙", phone="13955556666", address="某路1号")
REPLY = {
    "request_summary": "请求清退多收的伙食费",
    "facts": "经查，该校2026年秋季多收伙食费每生120元",
    "reasons": "违反收费规定",
    "decision": "supported",
    "legal_basis": "《教育收费管理办法》第十条",
}


def text_of(data: bytes) -> str:
    doc = Document(BytesIO(data))
    return "\n".join(p.text for p in doc.paragraphs)


def east_asia_fonts(data: bytes) -> set[str]:
    doc = Document(BytesIO(data))
    fonts = set()
    for p in doc.paragraphs:
        for run in p.runs:
            rfonts = run._element.rPr.find(qn("w:rFonts"))
            fonts.add(rfonts.get(qn("w:eastAsia")))
    return fonts


@pytest.fixture
def case():
    w = make_world()
    p = file_case(w, identity=IDENTITY).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    reply = svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    return p, reply


def test_reply_has_header_number_pet6_fields_and_no_identity(case):
    """PET-6 fields in the 处理意见书; red header with the bureau's name; 〔年〕N号;
    仿宋/黑体 east-asian fonts; the filer's identity is absent (addressed to 信访人)."""
    _p, reply = case
    data = reply_docx(reply)
    text = text_of(data)
    assert text.startswith("示范区教育局文件")
    assert reply.document_number in text and "〔" in reply.document_number
    for value in REPLY.values():
        if value != "supported":
            assert value in text
    assert "予以支持" in text and chinese_date(reply.issued_at) in text
    assert "信访人：" in text
    for secret in (IDENTITY.name, IDENTITY.phone, IDENTITY.address):
        assert secret not in text
    assert {"仿宋_GB2312", "黑体"} <= east_asia_fonts(data)
    # Real-name and addressed to them: the name appears as the addressee only.
    assert f"{IDENTITY.name}：" in text_of(reply_docx(reply, addressee=IDENTITY.name))


def test_acceptance_and_supervision_notices(case):
    p, _reply = case
    notice = text_of(acceptance_notice_docx(p))
    assert "受理告知书" in notice and p.acceptance_number in notice and p.number in notice
    sup = supervision_notice_docx(p)
    text = text_of(sup)
    assert "督办单" in text and p.supervision_number in text and p.assigned_to.name in text
    assert IDENTITY.name not in text and IDENTITY.phone not in text and IDENTITY.name not in notice


def test_chinese_date():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert chinese_date(datetime(2026, 11, 22, 1, 0, tzinfo=ZoneInfo("UTC"))) == "2026年11月22日"
