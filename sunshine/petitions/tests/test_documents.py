"""Word documents: the red header, document numbers, Chinese dates, east-asian fonts,
PET-6 fields in the reply, and no filer identity where it does not belong (PET-9)."""

import hashlib
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from sunshine.core.documents import chinese_date
from sunshine.core.issued import document_for
from sunshine.core.models import IssuedDocument
from sunshine.core.testing import login_verified
from sunshine.petitions import services as svc
from sunshine.petitions.documents import (
    acceptance_notice_docx,
    reply_docx,
    supervision_notice_docx,
)
from sunshine.petitions.models import Petition, Reply
from sunshine.petitions.tests.factories import confirm_accused, file_case, make_world, unit_reported

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
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
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


def test_the_reply_is_issued_once_and_downloads_serve_the_recorded_bytes():
    """PET-6: the 处理意见书 is a core issued document under the bureau's number; the
    staff download is the recorded file, not a regeneration; its readers follow PET-9."""
    w = make_world()
    p = file_case(w, identity=IDENTITY).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    reply = svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    document = document_for(reply, kind="petitions.reply")
    assert document is not None
    assert (document.number, document.organization, document.title, document.issued_by) == (
        reply.document_number,
        w.bureau,
        "信访事项处理意见书",
        w.principal,
    )
    with document.file.file.open("rb") as fh:
        recorded = fh.read()
    assert reply.document_number in text_of(recorded)
    assert IDENTITY.name not in text_of(recorded)
    # A later change to the reply row does not change what was issued.
    Reply.objects.filter(pk=reply.pk).update(facts="事后改写的事实")
    url = reverse("core:document-download", args=[document.pk])
    staff = Client()
    login_verified(staff, w.inspector)
    download = staff.get(reverse("petitions:case-reply-docx", args=[p.pk, reply.pk]))
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document.sha256 and "事后改写的事实" not in text_of(body)
    assert staff.get(url).status_code == 200
    other_school = Client()
    login_verified(other_school, w.principal2)
    assert other_school.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert IssuedDocument.objects.filter(kind="petitions.reply").count() == 1


def test_pet6_reply_previewed_as_word_before_issue_records_nothing():
    """PET-6: the handler reads the 处理意见书 as Word before it goes out — no number
    (（预览）), no reply, no issued document, no status change; another school cannot."""
    w = make_world()
    p = file_case(w, identity=IDENTITY).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    issued_before = IssuedDocument.objects.count()
    handler = Client()
    login_verified(handler, w.principal)
    url = reverse("petitions:case-reply-preview", args=[p.pk])
    response = handler.post(url, {f"reply-{k}": v for k, v in REPLY.items()})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    text = text_of(response.content)
    assert "（预览）" in text and REPLY["facts"] in text and IDENTITY.name not in text
    p.refresh_from_db()
    assert p.status == Petition.Status.ASSIGNED and not p.replies.exists()
    assert IssuedDocument.objects.count() == issued_before
    other = Client()
    login_verified(other, w.principal2)
    assert other.post(url, {f"reply-{k}": v for k, v in REPLY.items()}).status_code in (403, 404)


def test_pet6_local_leader_signoff_comes_before_the_reply():
    """PET-6 (LOCAL PET-6-leader-signoff): where the bureau requires it, the reply is
    refused until a bureau leader signs it off; the sign-off is audited; a handler cannot."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from sunshine.core.local_rules import local_rule_set
    from sunshine.core.models import AuditEntry
    from sunshine.core.testing import user_with_role
    from sunshine.orgs.models import Role

    w = make_world()
    p = file_case(w, identity=IDENTITY).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    local_rule_set(actor=None, key="PET-6-leader-signoff", value=True)
    with pytest.raises(ValidationError) as refused:
        svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    assert refused.value.code == "sign_off" and not p.replies.exists()
    with pytest.raises(PermissionDenied):
        svc.petition_reply_signoff(petition=p, actor=w.principal)
    leader = user_with_role(Role.LEADER, organization=w.bureau)
    svc.petition_reply_signoff(petition=p, actor=leader)
    assert AuditEntry.objects.filter(action="petitions.reply_signoff").count() == 1
    p.refresh_from_db()
    reply = svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    assert reply.document_number and p.replies.count() == 1
