"""Documents: workflow, versions, scheduled publication, withdrawal to the archive, safe
rich text, attachments, search, feeds and the DIS-1 clock."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from sunshine.core.search import search_query
from sunshine.core.testing import login_verified
from sunshine.core.transitions import TransitionNotAllowed
from sunshine.disclosure import services
from sunshine.disclosure.models import Document
from sunshine.disclosure.services import SEARCH_PUBLIC

from .conftest import District

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FEE_TEXT = "<p>本校2026年秋季学期收费公示：住宿费每生每学期400元，由物价部门批准。</p>"


def _draft(
    d: District,
    *,
    title: str = "2026年秋季学期收费公示",
    body: str = FEE_TEXT,
    info_date: date | None = None,
    category: str = "fees",
) -> Document:
    return services.document_create(
        actor=d.clerk,
        organization=d.school,
        category=d.category(category),
        title=title,
        body=body,
        info_date=info_date or timezone.localdate(),
        number="实小〔2026〕3号",
    )


def _publish(d: District, document: Document, *, at: datetime | None = None):
    services.document_submit(actor=d.clerk, document=document)
    return services.document_publish(actor=d.principal, document=document, at=at)


def test_workflow_draft_review_publish_and_only_approvers_publish(district: District):
    d = district
    document = _draft(d)
    assert document.status == Document.Status.DRAFT
    with pytest.raises(TransitionNotAllowed):  # a draft cannot skip review
        services.document_publish(actor=d.principal, document=document)
    services.document_submit(actor=d.clerk, document=document)
    with pytest.raises(PermissionDenied):  # a clerk writes; the principal approves
        services.document_publish(actor=d.clerk, document=document)
    with pytest.raises(PermissionDenied):  # another school's clerk cannot touch it
        services.document_submit(actor=d.other_clerk, document=document)
    version = services.document_publish(actor=d.principal, document=document)
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED and version.number == 1
    assert document.first_published_at is not None


def test_revision_keeps_every_version_and_the_public_reads_the_previous_one(district: District, client: Client):
    d = district
    document = _draft(d)
    _publish(d, document)
    services.document_revise(actor=d.clerk, document=document)
    services.document_update(
        actor=d.clerk, document=document, body="<p>住宿费调整为每生每学期450元。</p>", change_note="住宿费标准调整"
    )
    # While being revised the public still reads version 1.
    page = client.get(document.get_absolute_url()).content.decode()
    assert "400元" in page and "450元" not in page
    services.document_submit(actor=d.clerk, document=document)
    services.document_publish(actor=d.principal, document=document)
    assert list(document.versions.values_list("number", flat=True).order_by("number")) == [1, 2]

    current = client.get(document.get_absolute_url()).content.decode()
    assert "450元" in current and reverse("disclosure:version", kwargs={"pk": document.pk, "number": 1}) in current
    previous = client.get(reverse("disclosure:version", kwargs={"pk": document.pk, "number": 1}))
    assert previous.status_code == 200 and "400元" in previous.content.decode()
    assert client.get(reverse("disclosure:version", kwargs={"pk": document.pk, "number": 9})).status_code == 404
    # Search follows the current version.
    assert search_query(q="450元").total == 1


def test_draft_is_not_public(district: District, client: Client):
    document = _draft(district)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert search_query(q="收费", doc_type=SEARCH_PUBLIC).total == 0
    # … but its own staff find the working copy in staff search, other schools do not.
    assert search_query(q="收费", user=district.clerk).total == 1
    assert search_query(q="收费", user=district.other_clerk).total == 0


def test_scheduled_publication_happens_when_due(district: District, client: Client):
    d = district
    document = _draft(d)
    at = timezone.now() + timedelta(hours=2)
    assert _publish(d, document, at=at) is None
    document.refresh_from_db()
    assert document.status == Document.Status.SCHEDULED
    assert services.documents_publish_due(now=timezone.now()) == []
    assert client.get(document.get_absolute_url()).status_code == 404
    assert services.documents_publish_due(now=at + timedelta(minutes=1)) == [document.pk]
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED and document.last_published_at == at
    assert services.documents_publish_due(now=at + timedelta(minutes=2)) == []  # once only
    assert client.get(document.get_absolute_url()).status_code == 200


def test_periodic_job_is_registered():
    from sunshine.core.scheduler import PERIODIC_JOBS

    assert PERIODIC_JOBS["disclosure-publish-due"][0] == "sunshine.disclosure.tasks.documents_publish_due_task"


def test_withdrawal_keeps_the_document_in_the_archive_with_its_reason(district: District, client: Client):
    d = district
    document = _draft(d)
    _publish(d, document)
    with pytest.raises(ValidationError):
        services.document_withdraw(actor=d.principal, document=document, reason=" ")
    with pytest.raises(PermissionDenied):
        services.document_withdraw(actor=d.clerk, document=document, reason="标准有误")
    services.document_withdraw(actor=d.principal, document=document, reason="收费标准已废止")
    assert client.get(document.get_absolute_url()).status_code == 404
    assert search_query(q="收费").total == 0
    archive = client.get(reverse("disclosure:archive")).content.decode()
    assert document.title in archive and "收费标准已废止" in archive
    assert client.get(reverse("disclosure:archived", kwargs={"pk": document.pk})).status_code == 200
    assert Document.objects.filter(pk=document.pk).exists()


def test_script_in_the_body_never_reaches_a_page(district: District, client: Client):
    body = (
        '<p onclick="steal()">收费公示</p><script>alert("x")</script>'
        '<a href="javascript:evil()">链接</a><style>p{}</style>'
    )
    document = _draft(district, body=body)
    assert "<script" not in document.body and "onclick" not in document.body and "javascript:" not in document.body
    assert "<style" not in document.body and "收费公示" in document.body
    _publish(district, document)
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'alert("x")' not in page and "steal()" not in page and "evil()" not in page
    assert "收费公示" in page


def _docx_bytes(text: str) -> bytes:
    out = io.BytesIO()
    word = docx.Document()
    word.add_paragraph(text)
    word.save(out)
    return out.getvalue()


def test_a_word_inside_an_attachment_is_found(district: District, client: Client):
    d = district
    document = _draft(d, body="<p>详见附件。</p>")
    upload = SimpleUploadedFile("收费明细.docx", _docx_bytes("校服由家长自愿选购，学校不统一代收。"))
    attachment = services.attachment_add(actor=d.clerk, document=document, file=upload)
    assert "校服" in attachment.text
    assert search_query(q="校服").total == 0  # not public before publication
    _publish(d, document)
    results = search_query(q="校服 自愿")
    assert [h.object_id for h in results.hits] == [str(document.pk)]
    # The attachment is downloadable by the public once published.
    response = client.get(reverse("core:file-download", kwargs={"pk": attachment.stored_file_id}))
    assert response.status_code == 200


def test_attachment_of_a_draft_is_staff_only(district: District, client: Client):
    d = district
    document = _draft(d)
    attachment = services.attachment_add(
        actor=d.clerk, document=document, file=SimpleUploadedFile("说明.txt", "内部草稿".encode())
    )
    url = reverse("core:file-download", kwargs={"pk": attachment.stored_file_id})
    assert client.get(url).status_code == 404
    staff = Client()
    login_verified(staff, d.clerk)
    assert staff.get(url).status_code == 200
    other = Client()
    login_verified(other, d.other_clerk)
    assert other.get(url).status_code == 404


def test_mismatched_or_oversized_attachment_is_refused_with_a_clear_message(district: District):
    d = district
    document = _draft(d)
    staff = Client()
    staff.cookies["django_language"] = "en"
    login_verified(staff, d.clerk)
    url = reverse("disclosure:staff-document", kwargs={"pk": document.pk})
    fake = SimpleUploadedFile("通知.docx", b"MZ\x90\x00 this is a program, not a document" * 10)
    response = staff.post(url, {"action": "attach", "file": fake})
    assert response.status_code == 400
    assert "does not match its name" in response.content.decode()
    big = SimpleUploadedFile("大文件.txt", b"a" * (100 * 1024 * 1024))  # 100 MB against the 20 MB default
    response = staff.post(url, {"action": "attach", "file": big})
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert document.attachments.count() == 0


def test_too_large_upload_streams_to_a_refusal(district: District):
    """The size limit holds while streaming too (no declared size to trust)."""
    d = district
    document = _draft(d)
    with override_settings(SUNSHINE_UPLOAD_MAX_BYTES=1024), pytest.raises(ValidationError) as info:
        services.attachment_add(actor=d.clerk, document=document, file=io.BytesIO(b"a" * 5000))
    assert info.value.code == "too_large"


def test_public_search_page_and_filters(district: District, client: Client):
    d = district
    fee = _draft(d)
    _publish(d, fee)
    safety = _draft(d, title="校园安全应急预案", body="<p>发生火灾时有序疏散。</p>", category="safety")
    _publish(d, safety)
    url = reverse("disclosure:search")
    page = client.get(url, {"q": "收费 公示"}).content.decode()
    assert fee.get_absolute_url() in page and safety.get_absolute_url() not in page
    assert "<mark>" in page
    assert fee.get_absolute_url() not in client.get(url, {"q": "费公"}).content.decode()
    assert fee.get_absolute_url() not in client.get(url, {"q": "收费", "category": "safety"}).content.decode()
    assert fee.get_absolute_url() in client.get(url, {"q": "收费", "org": d.school.code}).content.decode()
    assert fee.get_absolute_url() not in client.get(url, {"q": "收费", "org": d.other_school.code}).content.decode()
    assert fee.get_absolute_url() not in client.get(url, {"q": "收费", "to": "2000-01-01"}).content.decode()


def test_catalogue_and_atom_feeds(district: District, client: Client):
    d = district
    document = _draft(d)
    _publish(d, document)
    page = client.get(reverse("disclosure:catalogue", kwargs={"code": d.school.code}))
    assert page.status_code == 200 and document.title in page.content.decode()
    feed = client.get(reverse("disclosure:feed", kwargs={"code": d.school.code}))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert document.title in feed.content.decode()
    by_category = client.get(reverse("disclosure:feed-category", kwargs={"code": d.school.code, "category": "safety"}))
    assert document.title not in by_category.content.decode()
    other = client.get(reverse("disclosure:feed", kwargs={"code": d.other_school.code}))
    assert document.title not in other.content.decode()


def test_dis1_clock_marks_a_late_publication(district: District):
    """DIS-1: published more than 20 working days after the information changed is late."""
    d = district
    on_time = _draft(d, info_date=timezone.localdate() - timedelta(days=3))
    late = _draft(d, title="2026年春季收费公示", info_date=timezone.localdate() - timedelta(days=60))
    v1 = _publish(d, on_time)
    v2 = _publish(d, late)
    due, ok = services.version_dis1(v1)
    assert ok and due.rule_id == "DIS-1"
    due, ok = services.version_dis1(v2)
    assert not ok and due.due_date < timezone.localdate()


def test_category_must_belong_to_the_catalogue(district: District):
    """DIS-2: a school's catalogue has the school categories, not the bureau's budgets."""
    with pytest.raises(ValidationError):
        _draft(district, category="budgets")
    local = services.category_create_local(
        actor=None, bureau=district.bureau, code="canteen", name="食堂管理", scope="school"
    )
    assert local in services.categories_for(district.school)


def test_staff_pages_walk_the_workflow(district: District):
    d = district
    clerk, principal = Client(), Client()
    login_verified(clerk, d.clerk)
    login_verified(principal, d.principal)
    response = clerk.post(
        reverse("disclosure:staff-document-new"),
        {
            "organization": d.school.pk,
            "category": d.category("fees").pk,
            "title": "校服征订说明",
            "info_date": timezone.localdate().isoformat(),
            "body": "<p>校服自愿征订。</p>",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="校服征订说明")
    url = reverse("disclosure:staff-document", kwargs={"pk": document.pk})
    clerk.post(url, {"action": "submit"})
    principal.post(url, {"action": "publish"})
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    assert clerk.get(reverse("disclosure:workbench")).status_code == 200


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_text_inside_a_pdf_attachment_is_found(district: District):
    """A PDF printed from a browser: its text layer maps 小 and 示 to Kangxi radicals and
    wraps a title mid-word; both are undone, so the words are found."""
    d = district
    document = _draft(d, body="<p>详见附件。</p>")
    upload = SimpleUploadedFile("收费通知.pdf", (FIXTURES / "notice.pdf").read_bytes())
    attachment = services.attachment_add(actor=d.clerk, document=document, file=upload)
    assert attachment.text_note == ""
    assert "示范区教育局关于规范中小学收费行为的通知" in attachment.text
    assert "课后服务收费标准" in attachment.text  # second page
    _publish(d, document)
    assert [h.object_id for h in search_query(q="赞助费").hits] == [str(document.pk)]
    assert [h.object_id for h in search_query(q="中小学 通知").hits] == [str(document.pk)]


def test_a_pdf_without_text_or_unreadable_is_kept_with_a_note(district: District):
    from pypdf import PdfWriter

    d = district
    document = _draft(d)
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    scan = services.attachment_add(
        actor=d.clerk, document=document, file=SimpleUploadedFile("扫描件.pdf", blank.getvalue())
    )
    assert scan.text == "" and "text layer" in scan.text_note
    broken = services.attachment_add(
        actor=d.clerk, document=document, file=SimpleUploadedFile("损坏.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200)
    )
    assert broken.text == "" and broken.text_note
    assert document.attachments.count() == 2


def test_four_eyes_the_writer_cannot_publish_their_own_document(district: District):
    """Four eyes: whoever wrote or submitted a document cannot also approve it."""
    d = district
    document = services.document_create(
        actor=d.officer, organization=d.bureau, category=d.category("rules"), title="关于规范收费的通知",
        body="<p>各学校：请规范收费。</p>", info_date=timezone.localdate(),
    )  # fmt: skip
    services.document_submit(actor=d.officer, document=document)
    with pytest.raises(ValidationError) as refused:
        services.document_publish(actor=d.officer, document=document)
    assert refused.value.code == "four_eyes"
    document.refresh_from_db()
    assert document.status == Document.Status.REVIEW and not document.versions.exists()
    version = services.document_publish(actor=d.leader, document=document)
    assert version is not None and version.published_by == d.leader
    # A principal who submits the clerk's draft has written this round too.
    school_doc = _draft(d)
    services.document_submit(actor=d.principal, document=school_doc)
    with pytest.raises(ValidationError):
        services.document_publish(actor=d.principal, document=school_doc)


def test_the_body_is_written_as_plain_text_kept_in_paragraphs_made_safe_and_previewed(district: District):
    from django.urls import reverse

    from sunshine.core.testing import login_verified
    from sunshine.disclosure.services import body_from_text, body_to_text

    assert body_from_text("第一条 规范收费。\r\n\r\n第二条 <script>alert(1)</script>公示。") == (
        "<p>第一条 规范收费。</p><p>第二条 &lt;script&gt;alert(1)&lt;/script&gt;公示。</p>"
    )
    assert body_to_text("<p>第一条</p><p>第二条 A&amp;B</p>") == "第一条\n第二条 A&B"
    table = "<table><tbody><tr><td>伙食费</td></tr></tbody></table>"
    assert body_from_text(table + "<script>x</script>") == table and body_to_text(table) == table
    d = district
    document = _draft(d, body="<p>旧的第一段</p>")
    client = Client()
    login_verified(client, d.clerk)
    url = reverse("disclosure:staff-document", args=[document.pk])
    assert "旧的第一段" in client.get(url).context["form"].initial["body"]
    post = {
        "category": document.category_id, "title": document.title, "info_date": document.info_date.isoformat(),
        "body": "新的第一段\n新的第二段 <b>x</b>", "change_note": "",
    }  # fmt: skip
    preview = client.post(url, {**post, "action": "preview"})
    assert preview.status_code == 200
    assert "<p>新的第一段</p><p>新的第二段 &lt;b&gt;x&lt;/b&gt;</p>" in preview.content.decode()
    document.refresh_from_db()
    assert document.body == "<p>旧的第一段</p>"  # a preview saves nothing
    client.post(url, {**post, "action": "save"})
    document.refresh_from_db()
    assert document.body == "<p>新的第一段</p><p>新的第二段 &lt;b&gt;x&lt;/b&gt;</p>"
