"""The pages: a comment from the public page (filed once, no address kept, the name never
shown), a meeting run from its page, the minutes downloaded as the frozen bytes, the
project page saying what to do without funds, and the red flags for inspectors."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse
from django.utils import timezone
from docx import Document

from sunshine.core.models import AuditEntry
from sunshine.core.seams import fund_project_pay
from sunshine.core.testing import login_verified
from sunshine.decisions import services
from sunshine.decisions.forms import CommentForm
from sunshine.decisions.models import Category, Comment, DecisionItem, Meeting

from .conftest import World


def _client(client, user):  # type: ignore[no-untyped-def]
    login_verified(client, user)
    return client


def test_public_comment_filed_once_without_address_or_name_shown(world: World, client) -> None:  # type: ignore[no-untyped-def]
    item = world.item()
    consultation = services.consultation_open(actor=world.staff, item=item, title="征求意见稿", draft="草案")
    url = reverse("decisions:public-consultation", args=[consultation.pk])
    page = client.get(url)
    assert page.status_code == 200 and "提交意见" in page.content.decode()
    token = CommentForm().initial["submission"]
    data = {"submission": token, "text": "建议增加校车。", "named": "on", "name": "赵先生", "contact": "13911112222"}
    first = client.post(url, data)
    assert first.status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302
    assert Comment.objects.filter(consultation=consultation).count() == 1
    entry = AuditEntry.objects.get(action="decisions.comment_submit")
    assert entry.ip is None and entry.actor is None
    shown = client.get(url).content.decode()
    assert "赵先生" not in shown and "13911112222" not in shown
    missing = client.post(url, {"text": ""})
    assert missing.status_code == 400


def test_meeting_run_from_its_page_and_minutes_downloaded(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _client(client, world.staff)
    item = world.item()
    meeting = world.meeting([("甲", "局长", True), ("乙", "副局长", False), ("丙", "副局长", False)])
    url = reverse("decisions:meeting", args=[meeting.pk])
    assert client.post(url, {"action": "agenda", "item": item.pk, "kind": "decide"}).status_code == 302
    assert client.post(url, {"action": "open"}).status_code == 302
    point = meeting.agenda.get()
    members = {m.name: m for m in meeting.members.all()}
    for name in ("乙", "丙", "甲"):
        response = client.post(
            url, {"action": "speech", "agenda_item": point.pk, "member": members[name].pk, "text": "同意。"}
        )
        assert response.status_code == 302
    refused = client.post(
        url, {"action": "vote", "agenda_item": point.pk, "member": members["乙"].pk, "choice": "against"}
    )
    assert refused.status_code == 400 and "不同意见" in refused.content.decode()
    client.post(url, {"action": "vote", "agenda_item": point.pk, "member": members["乙"].pk, "choice": "against",
                      "dissent": "财力不足。"})  # fmt: skip
    for name in ("丙", "甲"):
        client.post(url, {"action": "vote", "agenda_item": point.pk, "member": members[name].pk, "choice": "for"})
    assert client.post(url, {"action": "decide", "agenda_item": point.pk, "resolution": "通过。"}).status_code == 302
    assert client.post(url, {"action": "close"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    page = client.get(url).content.decode()
    assert "财力不足。" in page and meeting.minutes.number in page
    download = client.get(reverse("decisions:minutes", args=[meeting.pk]))
    body = b"".join(download.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == meeting.minutes.sha256
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "乙的不同意见（本人表述）：财力不足。" in text
    # The inspector reads, but does not act.
    other = type(client)()
    _client(other, world.inspector)
    assert other.get(url).status_code == 200
    assert other.post(url, {"action": "amend", "text": "更正"}).status_code == 403


def test_project_page_says_what_to_do_without_funds(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _client(client, world.staff)
    item = world.item(title="新建幼儿园", category=Category.MAJOR_PROJECT)
    meeting = world.meeting([("甲", "", True), ("乙", "", False)])
    point = services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    services.meeting_open(actor=world.staff, meeting=meeting)
    for member in meeting.members.order_by("is_principal"):
        services.speech_record(actor=world.staff, agenda_item=point, member=member, text="同意。")
        services.vote_record(actor=world.staff, agenda_item=point, member=member, choice="for")
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution="同意。")
    project = services.project_create(actor=world.staff, item=DecisionItem.objects.get(pk=item.pk), title="教学楼",
                                      ceiling_fen=10_000_000)  # fmt: skip
    tender = services.tender_record(actor=world.staff, project=project, method="open", opened_on=date(2026, 6, 1),
                                    bids=[("甲公司", 9_900_000)])  # fmt: skip
    services.tender_award(actor=world.staff, tender=tender, bid=tender.bids.get(), awarded_on=date(2026, 6, 2))
    services.contract_record(actor=world.staff, organization=world.bureau, project=project, purpose="施工",
                             contractor="甲公司", price_fen=9_900_000, signed_on=date(2026, 6, 3))  # fmt: skip
    url = reverse("decisions:project", args=[project.pk])
    with fund_project_pay.absent():
        page = client.get(url).content.decode()
        assert "经费管理模块未启用" in page
        response = client.post(url, {"action": "pay", "amount": "100", "paid_on": "2026-07-01", "voucher": "V1"})
        assert response.status_code == 503 and "计划财务部门" in response.content.decode()
    assert not project.payments.exists()
    # Inspectors see the flags: a single bidder at 99 % of the ceiling.
    inspector = type(client)()
    _client(inspector, world.inspector)
    flags = inspector.get(reverse("decisions:red-flags")).content.decode()
    assert "仅一家投标" in flags and "中标价接近最高限价" in flags
    home = inspector.get("/workbench/").content.decode()
    assert "招标采购风险提示" in home
    assert client.get(reverse("decisions:red-flags")).status_code == 403  # department staff: no


def test_public_decision_pages_and_api(world: World, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("decisions:public-decisions")).status_code == 200
    data = client.get(reverse("decisions:api-consultations")).json()
    assert data == {"consultations": []}
    item = world.item()
    services.consultation_open(actor=world.staff, item=item, title="征求意见稿", draft="草案", now=timezone.now())
    data = client.get(reverse("decisions:api-consultations")).json()
    assert data["consultations"][0]["title"] == "征求意见稿"


def test_a_step_uploaded_from_the_item_page_and_a_bad_file_refused(world: World, client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import pdf

    _client(client, world.staff)
    item = world.item(major_administrative=True)
    url = reverse("decisions:item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "列入议题前尚缺" in page and "合法性审查" in page
    bad = SimpleUploadedFile("意见.pdf", b"MZ\x90\x00not a pdf at all", content_type="application/pdf")
    refused = client.post(
        url,
        {"action": "step", "step": "legality_review", "title": "合法性审查意见", "done_on": "2026-11-01", "file": bad},
    )
    assert refused.status_code == 400 and not item.steps.exists()
    done = client.post(
        url,
        {
            "action": "step",
            "step": "legality_review",
            "title": "合法性审查意见",
            "done_on": "2026-11-01",
            "file": pdf(),
        },
    )
    assert done.status_code == 302 and item.steps.get().stored_file is not None
    download = client.get(reverse("core:file-download", args=[item.steps.get().stored_file_id]))
    assert download.status_code == 200
    outsider = type(client)()
    _client(outsider, world.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("core:file-download", args=[item.steps.get().stored_file_id])).status_code == 404
