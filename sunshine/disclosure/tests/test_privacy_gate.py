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
