"""The personal-data gate on disclosure (core.privacy; PET-9, FOI-4, DIS-2): a document
carrying an identity number and a minor's name is not published; the reviewer sees what was
found, masked, and takes the proposed redaction; entries from other modules pass the same
gate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.models import AuditEntry
from sunshine.core.privacy import ID_CARD, MINOR_NAME, PersonalDataFound, id_check_char, mask_id_number
from sunshine.core.seams import DisclosureEntry, disclosure_entry_publish
from sunshine.core.testing import login_verified
from sunshine.disclosure import services
from sunshine.disclosure.models import Document

from .conftest import District

pytestmark = pytest.mark.django_db

BODY17 = "33010620150307123"
ID_NUMBER = BODY17 + id_check_char(BODY17)
LEAKY = f"<p>关于学生张小明转学情况的说明</p><p>该生身份证号{ID_NUMBER}，现已转入外区。</p>"


def _in_review(d: District, body: str = LEAKY) -> Document:
    document = services.document_create(
        actor=d.clerk,
        organization=d.school,
        category=d.category("fees"),
        title="学籍变动情况说明",
        body=body,
        info_date=timezone.localdate(),
        number="实小〔2026〕5号",
    )
    services.document_submit(actor=d.clerk, document=document)
    return document


def test_the_gate_blocks_a_publication_with_an_id_number_and_a_minors_name(district: District):
    """The issue's "done when": a disclosure carrying an identity number and a minor's name
    is refused, nothing is published, and the message masks both."""
    d = district
    document = _in_review(d)
    with pytest.raises(PersonalDataFound) as raised:
        services.document_publish(actor=d.principal, document=document)
    assert set(raised.value.kinds) == {ID_CARD, MINOR_NAME}
    message = raised.value.messages[0]
    assert ID_NUMBER not in message and "张小明" not in message and mask_id_number(ID_NUMBER) in message
    document.refresh_from_db()
    assert document.status == Document.Status.REVIEW and document.versions.count() == 0
    # scheduling it for later is refused the same way
    with pytest.raises(PersonalDataFound):
        services.document_publish(actor=d.principal, document=document, at=timezone.now() + timezone.timedelta(days=1))
    assert not any(ID_NUMBER in str(e.data) for e in AuditEntry.objects.all())


def test_the_reviewer_sees_the_findings_and_takes_the_redaction(district: District):
    d = district
    document = _in_review(d)
    reviewer = Client()
    login_verified(reviewer, d.principal)
    url = reverse("disclosure:staff-document", kwargs={"pk": document.pk})
    response = reviewer.post(url, {"action": "publish"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="privacy-findings"' in page and "身份证号码" in page and "未成年人姓名" in page
    assert ID_NUMBER not in page.split('id="privacy-findings"')[1].split("</section>")[0]
    assert mask_id_number(ID_NUMBER) in page and "张**" in page and 'value="redact"' in page
    assert reviewer.post(url, {"action": "redact"}).status_code == 302
    document.refresh_from_db()
    assert ID_NUMBER not in document.body and "张小明" not in document.body
    assert mask_id_number(ID_NUMBER) in document.body and "学生张**" in document.body
    entry = AuditEntry.objects.filter(action="disclosure.document_redact").get()
    assert entry.data == {"masked": {MINOR_NAME: 1, ID_CARD: 1}}
    assert reviewer.post(url, {"action": "publish"}).status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    public = Client().get(document.get_absolute_url()).content.decode()
    assert ID_NUMBER not in public and "张小明" not in public


def test_an_attachment_with_personal_data_blocks_too(district: District):
    d = district
    document = services.document_create(
        actor=d.clerk,
        organization=d.school,
        category=d.category("fees"),
        title="收费公示",
        body="<p>住宿费每生每学期400元。</p>",
        info_date=timezone.localdate(),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.attachment_add(
        actor=d.clerk, document=document, file=SimpleUploadedFile("名单.txt", "学生王小红 13812345678\n".encode())
    )
    services.document_submit(actor=d.clerk, document=document)
    with pytest.raises(PersonalDataFound) as raised:
        services.document_publish(actor=d.principal, document=document)
    assert "名单.txt" in raised.value.messages[0]


def test_an_entry_from_another_module_is_refused_before_anything_is_stored(district: District):
    d = district
    before = Document.objects.count()
    with pytest.raises(ValidationError) as raised:
        disclosure_entry_publish(
            DisclosureEntry(
                organization_id=d.school.pk,
                category="hiring",
                title="拟聘用人员公示",
                info_date=timezone.localdate(),
                source_label="test.list:1",
                body=f"<p>王明　{ID_NUMBER}　85.5</p>",
            ),
            actor=d.principal,
        )
    assert isinstance(raised.value, PersonalDataFound)
    assert Document.objects.count() == before
    result = disclosure_entry_publish(
        DisclosureEntry(
            organization_id=d.school.pk,
            category="hiring",
            title="拟聘用人员公示",
            info_date=timezone.localdate(),
            source_label="test.list:1",
            body=f"<p>王明　{mask_id_number(ID_NUMBER)}　85.5</p>",
        ),
        actor=d.principal,
    )
    assert result.version == 1


def test_an_inspection_bulletin_with_a_phone_number_is_refused(district: District):
    from sunshine.disclosure.models import Inspection

    d = district
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=2026, quarter=3)
    with pytest.raises(PersonalDataFound):
        services.inspection_publish(actor=d.officer, inspection=inspection, summary="整改联系人手机13812345678。")
    inspection.refresh_from_db()
    assert inspection.status != Inspection.Status.PUBLISHED
    services.inspection_publish(actor=d.officer, inspection=inspection, summary="举报电话：0571-88889999。")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED


def _blank_pdf() -> bytes:
    """A PDF whose page carries no text (what a scanner's image-only PDF reads as)."""
    import io

    from pypdf import PdfWriter

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


def test_a_scan_without_text_is_published_only_once_the_reviewer_looked_at_it(district: District):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sunshine.core.privacy import pdf_has_text

    d = district
    assert not pdf_has_text(_blank_pdf())
    document = services.document_create(
        actor=d.clerk,
        organization=d.school,
        category=d.category("fees"),
        title="收费公示",
        body="<p>住宿费每生每学期400元。</p>",
        info_date=timezone.localdate(),
    )
    services.attachment_add(actor=d.clerk, document=document, file=SimpleUploadedFile("盖章件.pdf", _blank_pdf()))
    services.document_submit(actor=d.clerk, document=document)
    assert services.document_scans(document) == ["盖章件.pdf"]
    from django.conf import settings
    from django.utils import translation

    with pytest.raises(PersonalDataFound) as raised, translation.override(settings.LANGUAGE_CODE):
        services.document_publish(actor=d.principal, document=document)
    assert raised.value.code == "scan_unchecked" and "《盖章件.pdf》" in raised.value.messages[0]
    assert "扫描件" in raised.value.messages[0]
    reviewer = Client()
    login_verified(reviewer, d.principal)
    url = reverse("disclosure:staff-document", kwargs={"pk": document.pk})
    response = reviewer.post(url, {"action": "publish"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="scans_seen"' in page and "逐页查看" in page and 'value="redact"' not in page
    document.refresh_from_db()
    assert document.status == Document.Status.REVIEW
    response = reviewer.post(url, {"action": "publish", "privacy": "confirm", "scans_seen": "on"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.actor_id == d.principal.pk and entry.data == {"scans_seen": ["盖章件.pdf"]}


def test_a_scheduled_document_keeps_the_reviewers_answer_for_the_job(district: District):
    """The periodic job publishes a scheduled document with the answer the reviewer gave
    when scheduling it (the document cannot change while scheduled)."""
    from sunshine.core.privacy import Review

    d = district
    document = _in_review(d, body="<p>详情：0571-87654321（后勤）。</p>")
    review = Review(public_numbers=frozenset({"057187654321"}), reason="学校后勤处办公电话")
    at = timezone.now() + timezone.timedelta(hours=1)
    with pytest.raises(PersonalDataFound):
        services.document_publish(actor=d.principal, document=document, at=at)
    assert services.document_publish(actor=d.principal, document=document, at=at, review=review) is None
    assert services.documents_publish_due(now=at + timezone.timedelta(minutes=1)) == [document.pk]
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED


def test_the_reviewer_marks_an_office_landline_public_on_the_document_page(district: District):
    d = district
    document = _in_review(
        d, body="<p>学校食堂已完成整改。详情：0571-87654321（后勤）。</p><p>学生家长李华手机13812345678。</p>"
    )
    reviewer = Client()
    login_verified(reviewer, d.principal)
    url = reverse("disclosure:staff-document", kwargs={"pk": document.pk})
    page = reviewer.post(url, {"action": "publish"}).content.decode()
    # the landline may be marked public; the mobile is not offered
    assert 'name="public_numbers" value="057187654321"' in page and 'value="13812345678"' not in page
    # the reviewer marks the landline and takes the redaction of the rest: the landline stays
    form = {"action": "publish", "public_numbers": "057187654321", "public_reason": "学校后勤处办公电话"}
    assert reviewer.post(url, form | {"privacy": "redact"}).status_code == 302
    document.refresh_from_db()
    assert "0571-87654321" in document.body and "13812345678" not in document.body
    assert reviewer.post(url, form | {"privacy": "confirm"}).status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED and "0571-87654321" in document.versions.get().body
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.actor_id == d.principal.pk
    assert entry.data == {"public_office_numbers": ["0571******21"], "reason": "学校后勤处办公电话"}


def test_the_bulletin_writer_takes_the_proposed_redaction(district: District):
    """The issue's "done when" on the bulletin path: an identity number and a minor's name
    block the bulletin; one click publishes it with the proposed redaction, audited."""
    from sunshine.disclosure.models import Inspection

    d = district
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=2026, quarter=3)
    client = Client()
    login_verified(client, d.officer)
    url = reverse("disclosure:staff-inspection", kwargs={"pk": inspection.pk})
    summary = f"检查发现学生张小明的身份证号{ID_NUMBER}被公开在校务公开栏，已责令撤下。"
    response = client.post(url, {"summary": summary})
    assert response.status_code == 400
    shown = response.content.decode().split('id="privacy-findings"')[1].split("<form")[0]
    assert mask_id_number(ID_NUMBER) in shown and "张**" in shown and ID_NUMBER not in shown
    inspection.refresh_from_db()
    assert inspection.status != Inspection.Status.PUBLISHED
    assert client.post(url, {"summary": summary, "privacy": "redact"}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    assert ID_NUMBER not in inspection.summary and "张小明" not in inspection.summary
    assert mask_id_number(ID_NUMBER) in inspection.summary
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.data == {"masked": {ID_CARD: 1, MINOR_NAME: 1}} and entry.actor_id == d.officer.pk
