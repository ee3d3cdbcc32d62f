"""The staff pages of petitions: queues with filters, RAG clocks and bulk assignment;
the case page with its role checks (PET-9 recusal: 404), the identity hidden until
opened with a reason; the actions (PET-3 accept/decline, assign, PET-5 extend, PET-6
reply, PET-10 outcome); Word downloads; the Excel export; staff intake (PET-1)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from sunshine.core.models import AuditEntry, Notification
from sunshine.core.testing import login_verified, user_with_role
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import SchoolFactory, UserFactory
from sunshine.petitions import services
from sunshine.petitions.exports import export_headers
from sunshine.petitions.models import IdentityOpening, Message, Petition, Recusal
from sunshine.petitions.tests.factories import confirm_accused
from sunshine.petitions.tests.test_views_public import PNG, file_case, make_district

IDENTITY = {"name": "王秘密", "phone": "13700001111", "id_number": "350302198001017777", "address": "秘密路 9 号"}


@pytest.fixture
def district(db: None) -> dict[str, Any]:
    return make_district()


def staff_client(user: Any, *, english: bool = False) -> Client:
    client = Client()
    login_verified(client, user)
    if english:
        client.cookies["django_language"] = "en"
    return client


def named_case(district: dict[str, Any], **kwargs: Any) -> Petition:
    return file_case(
        district, identity=services.IdentityInput(**IDENTITY), subject_organization=district["school"], **kwargs
    ).petition


# --- Queues ---------------------------------------------------------------------------------------


def test_triage_queue_lists_new_cases_with_their_clock(district: dict[str, Any]) -> None:
    petition = named_case(district)
    client = staff_client(district["inspector"])
    response = client.get(reverse("petitions:workbench"))
    assert response.status_code == 200
    assert response.context["queue"] == "triage"
    assert [p.pk for p, _clock in response.context["rows"]] == [petition.pk]
    html = response.content.decode()
    assert petition.number in html
    assert 'class="rag rag-green"' in html  # OVS-1 colour of the PET-3 clock
    assert "王秘密" not in html and "13700001111" not in html  # no identity in the queue


def test_queue_filters_narrow_the_list(district: dict[str, Any]) -> None:
    report = file_case(district).petition
    suggestion = file_case(district, kind="suggestion", title="建议增设校车").petition
    client = staff_client(district["inspector"])
    response = client.get(reverse("petitions:workbench"), {"queue": "all", "kind": "suggestion"})
    assert [p.pk for p, _ in response.context["rows"]] == [suggestion.pk]
    response = client.get(reverse("petitions:workbench"), {"queue": "all", "kind": "report"})
    assert [p.pk for p, _ in response.context["rows"]] == [report.pk]
    response = client.get(
        reverse("petitions:workbench"), {"queue": "all", "received_from": "2000-01-01", "received_to": "2000-01-02"}
    )
    assert response.context["rows"] == []
    assert "empty" in response.content.decode()


def test_school_clerk_sees_only_cases_assigned_to_the_school(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    clerk_client = staff_client(district["clerk"])
    assert clerk_client.get(reverse("petitions:workbench"), {"queue": "all"}).context["rows"] == []
    services.petition_accept(petition=petition, actor=district["inspector"])
    confirm_accused(petition, district["inspector"])
    services.petition_assign(petition=petition, organization=district["school"], actor=district["inspector"])
    rows = clerk_client.get(reverse("petitions:workbench"), {"queue": "my_unit"}).context["rows"]
    assert [p.pk for p, _ in rows] == [petition.pk]


def test_workbench_is_refused_to_non_petition_roles(district: dict[str, Any]) -> None:
    supervisor = user_with_role(Role.SUPERVISOR, organization=district["bureau"])
    assert staff_client(supervisor).get(reverse("petitions:workbench")).status_code == 403
    anonymous = Client().get(reverse("petitions:workbench"))
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_bulk_assign_assigns_the_ticked_cases(district: dict[str, Any]) -> None:
    first = file_case(district).petition
    second = file_case(district).petition
    for petition in (first, second):
        services.petition_accept(petition=petition, actor=district["inspector"])
        confirm_accused(petition, district["inspector"])
    client = staff_client(district["inspector"])
    response = client.post(
        reverse("petitions:bulk-assign"),
        {"petitions": [first.pk, second.pk], "organization": district["department"].pk, "back": "queue=all"},
    )
    assert response.status_code == 302
    assert set(Petition.objects.values_list("assigned_to", flat=True)) == {district["department"].pk}


def test_bulk_assign_without_selection_changes_nothing(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    client = staff_client(district["inspector"])
    response = client.post(reverse("petitions:bulk-assign"), {"organization": district["department"].pk})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.assigned_to is None


def test_bulk_assign_is_refused_to_a_school_clerk(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    response = staff_client(district["clerk"]).post(
        reverse("petitions:bulk-assign"), {"petitions": [petition.pk], "organization": district["school"].pk}
    )
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.assigned_to is None


# --- The case page: access and identity ------------------------------------------------------------


def test_case_page_roles(district: dict[str, Any]) -> None:
    """Triage sees every case; a school clerk only once it is assigned to the school;
    PET-9: the accused school's principal never (404, not 403)."""
    accused_school = SchoolFactory(parent=district["bureau"], name="被举报学校")
    petition = file_case(district, accused_organization=accused_school).petition
    url = reverse("petitions:case", args=[petition.pk])
    assert staff_client(district["inspector"]).get(url).status_code == 200
    assert staff_client(district["clerk"]).get(url).status_code == 404
    principal = user_with_role(Role.PRINCIPAL, organization=accused_school)
    assert staff_client(principal).get(url).status_code == 404
    audit_admin = user_with_role(Role.AUDIT_ADMIN, organization=district["bureau"])
    assert staff_client(audit_admin).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_identity_is_absent_until_opened_with_a_reason(district: dict[str, Any]) -> None:
    """PET-9 / custodian model: no identity in the page source before an opening; the
    opening needs a reason, is recorded, and shows the identity on that response only."""
    petition = named_case(district)
    client = staff_client(district["inspector"])
    url = reverse("petitions:case", args=[petition.pk])
    before = client.get(url).content.decode()
    for value in IDENTITY.values():
        assert value not in before

    no_reason = client.post(reverse("petitions:case-identity", args=[petition.pk]), {"identity-reason": ""})
    assert no_reason.status_code == 400
    assert IdentityOpening.objects.count() == 0
    for value in IDENTITY.values():
        assert value not in no_reason.content.decode()

    opened = client.post(
        reverse("petitions:case-identity", args=[petition.pk]), {"identity-reason": "需要电话核实举报细节"}
    )
    assert opened.status_code == 200
    assert "no-store" in opened["Cache-Control"]
    html = opened.content.decode()
    for value in IDENTITY.values():
        assert value in html
    opening = IdentityOpening.objects.get()
    assert opening.user == district["inspector"] and opening.reason == "需要电话核实举报细节"
    assert AuditEntry.objects.filter(action="petitions.identity_open").exists()

    after = client.get(url).content.decode()
    for value in IDENTITY.values():
        assert value not in after


def test_handling_unit_cannot_open_the_identity(district: dict[str, Any]) -> None:
    petition = named_case(district)
    services.petition_accept(petition=petition, actor=district["inspector"])
    confirm_accused(petition, district["inspector"])
    services.petition_assign(petition=petition, organization=district["school"], actor=district["inspector"])
    client = staff_client(district["clerk"])
    page = client.get(reverse("petitions:case", args=[petition.pk]))
    assert page.status_code == 200
    assert reverse("petitions:case-identity", args=[petition.pk]) not in page.content.decode()
    response = client.post(reverse("petitions:case-identity", args=[petition.pk]), {"identity-reason": "想知道"})
    assert response.status_code == 403
    assert IdentityOpening.objects.count() == 0
    assert IDENTITY["name"] not in response.content.decode()


def test_suggested_duplicates_are_links_never_merged(district: dict[str, Any]) -> None:
    first = named_case(district)
    second = named_case(district)
    html = staff_client(district["inspector"]).get(reverse("petitions:case", args=[second.pk])).content.decode()
    assert reverse("petitions:case", args=[first.pk]) in html
    assert Petition.objects.count() == 2


def test_timeline_separates_internal_notes_from_messages_to_the_filer(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    client = staff_client(district["inspector"], english=True)
    client.post(reverse("petitions:case-note", args=[petition.pk]), {"note-text": "内部:先核实"})
    client.post(reverse("petitions:case-message", args=[petition.pk]), {"message-text": "您的来信已收到"})
    assert Message.objects.filter(direction=Message.Direction.INTERNAL, text="内部:先核实").exists()
    assert Message.objects.filter(direction=Message.Direction.TO_FILER, text="您的来信已收到").exists()
    html = client.get(reverse("petitions:case", args=[petition.pk])).content.decode()
    assert "Internal note — never shown to the filer" in html
    assert "Message to the filer" in html


# --- Actions ----------------------------------------------------------------------------------------


REPLY_POST = {
    "reply-request_summary": "请求查处",
    "reply-facts": "经查属实",
    "reply-reasons": "违反规定",
    "reply-decision": "supported",
    "reply-legal_basis": "《教师法》",
}


def test_triage_accepts_assigns_and_the_unit_replies(district: dict[str, Any]) -> None:
    """PET-3 accept, assign under supervision, PET-6 reply with all its fields."""
    petition = file_case(district).petition
    inspector = staff_client(district["inspector"])
    assert inspector.post(reverse("petitions:case-accept", args=[petition.pk])).status_code == 302
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ACCEPTED and petition.accepted_at is not None
    # PET-9: a report is assigned only once triage has confirmed the accused.
    refused = inspector.post(
        reverse("petitions:case-assign", args=[petition.pk]), {"assign-organization": district["school"].pk}
    )
    assert refused.status_code == 400
    confirmed = inspector.post(reverse("petitions:case-accused", args=[petition.pk]), {"organization": "", "user": ""})
    assert confirmed.status_code == 302

    response = inspector.post(
        reverse("petitions:case-assign", args=[petition.pk]),
        {"assign-organization": district["school"].pk, "assign-note": "请十日内核实"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ASSIGNED and petition.assigned_to == district["school"]

    clerk = staff_client(district["clerk"])
    # The unit's report to the bureau comes before the reply: without it the reply is refused.
    page = clerk.get(reverse("petitions:case", args=[petition.pk])).content.decode()
    assert "承办单位向教育局报送办理情况报告后" in page
    early = clerk.post(reverse("petitions:case-reply", args=[petition.pk]), REPLY_POST)
    assert early.status_code == 400 and petition.replies.count() == 0
    assert "方可出具书面答复" in early.content.decode()
    reported = clerk.post(
        reverse("petitions:case-unit-report", args=[petition.pk]),
        {"unit_report-findings": "经查，该教师确有违规收费行为。", "unit_report-actions": "已责令退还。"},
    )
    assert reported.status_code == 302 and petition.unit_reports.get().findings.startswith("经查")
    # The bureau is told and may return the report; then the unit reports again.
    assert Notification.objects.filter(recipient=district["inspector"], text__contains=petition.number).exists()
    returned = inspector.post(
        reverse("petitions:case-unit-report-return", args=[petition.pk]),
        {"unit_report_return-reason": "请补充退费凭证。"},
    )
    assert returned.status_code == 302
    assert clerk.post(reverse("petitions:case-reply", args=[petition.pk]), REPLY_POST).status_code == 400
    assert Notification.objects.filter(recipient=district["clerk"], text__contains="请补充退费凭证").exists()
    clerk.post(
        reverse("petitions:case-unit-report", args=[petition.pk]),
        {"unit_report-findings": "经查属实，已退还全部费用。", "unit_report-actions": "退费凭证已存档。"},
    )
    page = clerk.get(reverse("petitions:case", args=[petition.pk])).content.decode()
    assert "退回补充办理" in page and "请补充退费凭证" in page  # the returned report is kept
    assert "经查属实，已退还全部费用。</textarea>" in page  # the reply starts from the report's facts
    assert "法律依据" in page and "收费依据" not in page  # a reply's legal basis is not a fee's
    incomplete = clerk.post(reverse("petitions:case-reply", args=[petition.pk]), {"reply-facts": "查实"})
    assert incomplete.status_code == 400
    assert petition.replies.count() == 0
    response = clerk.post(
        reverse("petitions:case-reply", args=[petition.pk]),
        {
            "reply-request_summary": "请求查处",
            "reply-facts": "经查属实",
            "reply-reasons": "违反规定",
            "reply-decision": "supported",
            "reply-legal_basis": "《教师法》",
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ANSWERED
    assert petition.replies.get().legal_basis == "《教师法》"


def test_decline_needs_a_reason(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    client = staff_client(district["inspector"])
    response = client.post(reverse("petitions:case-decline", args=[petition.pk]), {"decline-reason": ""})
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.status == Petition.Status.REGISTERED
    response = client.post(
        reverse("petitions:case-decline", args=[petition.pk]),
        {"decline-reason": "不属于本局职责", "decline-where_to_go": "区市场监督管理局(电话 12315)"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Petition.Status.DECLINED


def test_school_clerk_cannot_accept(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    confirm_accused(petition, district["inspector"])
    services.petition_assign(petition=petition, organization=district["school"], actor=district["inspector"])
    fresh = file_case(district).petition
    clerk = staff_client(district["clerk"])
    assert clerk.post(reverse("petitions:case-accept", args=[fresh.pk])).status_code == 404  # not visible
    assert clerk.post(reverse("petitions:case-close", args=[petition.pk])).status_code == 403


def test_assignment_to_the_accused_unit_is_refused(district: dict[str, Any]) -> None:
    """PET-9: the accused school is not offered and a forged post is refused."""
    petition = file_case(district, accused_organization=district["school"]).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    client = staff_client(district["inspector"])
    page = client.get(reverse("petitions:case", args=[petition.pk]))
    assert district["school"] not in page.context["forms"]["assign"].fields["organization"].queryset
    confirm_accused(petition, district["inspector"])
    response = client.post(
        reverse("petitions:case-assign", args=[petition.pk]), {"assign-organization": district["school"].pk}
    )
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.assigned_to is None


def test_extension_by_a_bureau_leader(district: dict[str, Any]) -> None:
    """PET-5: one extension of at most 30 days, with a reason."""
    petition = file_case(district).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    leader = user_with_role(Role.LEADER, organization=district["bureau"])
    client = staff_client(leader)
    too_long = client.post(
        reverse("petitions:case-extend", args=[petition.pk]), {"extend-days": 31, "extend-reason": "复杂"}
    )
    assert too_long.status_code == 400
    petition.refresh_from_db()
    assert petition.extension_days == 0
    ok = client.post(
        reverse("petitions:case-extend", args=[petition.pk]), {"extend-days": 20, "extend-reason": "需外调取证"}
    )
    assert ok.status_code == 302
    petition.refresh_from_db()
    assert petition.extension_days == 20 and petition.extension_reason == "需外调取证"
    # The inspector may not approve an extension.
    other = file_case(district).petition
    services.petition_accept(petition=other, actor=district["inspector"])
    refused = staff_client(district["inspector"]).post(
        reverse("petitions:case-extend", args=[other.pk]), {"extend-days": 10, "extend-reason": "x"}
    )
    assert refused.status_code == 403


def test_outcome_refunds_in_yuan_are_stored_in_fen(district: dict[str, Any]) -> None:
    """PET-10: refunds ordered recorded in integer fen."""
    petition = file_case(district).petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    client = staff_client(district["inspector"])
    response = client.post(
        reverse("petitions:case-outcome", args=[petition.pk]),
        {"outcome-refunds_yuan": "1234.56", "outcome-sanctions": 2},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.refunds_ordered_fen == 123456 and petition.sanctions == 2
    bad = client.post(
        reverse("petitions:case-outcome", args=[petition.pk]), {"outcome-refunds_yuan": "-1", "outcome-sanctions": 0}
    )
    assert bad.status_code == 400
    petition.refresh_from_db()
    assert petition.refunds_ordered_fen == 123456


def test_recusal_hides_the_case_from_the_recused(district: dict[str, Any]) -> None:
    """PET-9: a staff member with an interest steps aside and no longer sees the case."""
    petition = file_case(district).petition
    second_inspector = user_with_role(Role.DISCIPLINE_INSPECTOR, organization=district["discipline"])
    client = staff_client(district["inspector"])
    response = client.post(
        reverse("petitions:case-recuse", args=[petition.pk]),
        {"recuse-user": second_inspector.pk, "recuse-reason": "与被举报人系亲属"},
    )
    assert response.status_code == 302
    assert Recusal.objects.filter(petition=petition, user=second_inspector).exists()
    assert staff_client(second_inspector).get(reverse("petitions:case", args=[petition.pk])).status_code == 404


# --- Documents ------------------------------------------------------------------------------------------


def test_word_documents_download_with_chinese_filenames(district: dict[str, Any]) -> None:
    petition = file_case(district).petition
    client = staff_client(district["inspector"])
    assert client.get(reverse("petitions:case-notice-docx", args=[petition.pk])).status_code == 404  # not accepted yet
    services.petition_accept(petition=petition, actor=district["inspector"])
    confirm_accused(petition, district["inspector"])
    services.petition_assign(petition=petition, organization=district["school"], actor=district["inspector"])
    for name in ("petitions:case-notice-docx", "petitions:case-supervision-docx"):
        response = client.get(reverse(name, args=[petition.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
        assert response.content[:2] == b"PK"
    assert staff_client(UserFactory()).get(reverse("petitions:case-notice-docx", args=[petition.pk])).status_code in (
        403,
        404,
    )


# --- Excel export -------------------------------------------------------------------------------------------


def test_export_has_the_columns_and_rows_and_no_identity(district: dict[str, Any]) -> None:
    petition = named_case(district)
    file_case(district)
    client = staff_client(district["inspector"], english=True)
    response = client.get(reverse("petitions:export"), {"queue": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == export_headers()
    assert rows[0][0] == "Case number" and rows[0][-1] == "Satisfaction"
    assert not {"Name", "Phone", "ID card number", "Address"} & set(rows[0])
    assert len(rows) == 3
    numbers = {row[0] for row in rows[1:]}
    assert petition.number in numbers
    flat = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    for value in IDENTITY.values():
        assert value not in flat


def test_export_follows_the_filter(district: dict[str, Any]) -> None:
    file_case(district)
    suggestion = file_case(district, kind="suggestion").petition
    client = staff_client(district["inspector"])
    response = client.get(reverse("petitions:export"), {"queue": "all", "kind": "suggestion"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [suggestion.number]


# --- Staff intake ---------------------------------------------------------------------------------------------


def intake_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "phone",
        "received_at": "2026-03-02T09:30",
        "source_label": "12345-0001",
        "kind": "complaint",
        "subject_organization": "",
        "title": "来电反映校车问题",
        "facts": "校车超载。",
        "request": "请求整改。",
        "reasons": "危及学生安全。",
        "accused_name": "",
        "accused_organization": "",
        "filer": "anonymous",
    }
    data.update(overrides)
    return data


def test_staff_register_a_phone_call_and_see_its_code_once(district: dict[str, Any]) -> None:
    client = staff_client(district["inspector"])
    assert client.get(reverse("petitions:intake")).status_code == 200
    response = client.post(reverse("petitions:intake"), intake_data())
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == "phone" and petition.source_label == "12345-0001"
    assert petition.received_at.isoformat().startswith("2026-03-02T01:30")  # 09:30 Asia/Shanghai
    done = client.get(reverse("petitions:intake-done"))
    code = done.context["code_grouped"]
    assert len(code.replace(" ", "")) == 16
    assert code in done.content.decode()
    assert code not in client.get(reverse("petitions:intake-done")).content.decode()


def test_staff_register_a_scanned_letter(district: dict[str, Any]) -> None:
    client = staff_client(district["inspector"])
    scan = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    response = client.post(reverse("petitions:intake"), {**intake_data(channel="letter"), "attachments": [scan]})
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == "letter"
    assert petition.messages.get().attachments.count() == 1


def test_intake_refuses_a_future_date_and_missing_facts(district: dict[str, Any]) -> None:
    client = staff_client(district["inspector"])
    response = client.post(reverse("petitions:intake"), intake_data(received_at="2999-01-01T00:00", facts=""))
    assert response.status_code == 400
    assert {"received_at", "facts"} & set(response.context["form"].errors)
    assert Petition.objects.count() == 0


def test_intake_is_for_triage_only(district: dict[str, Any]) -> None:
    assert staff_client(district["clerk"]).get(reverse("petitions:intake")).status_code == 403
    assert staff_client(district["clerk"]).post(reverse("petitions:intake"), intake_data()).status_code == 403
    assert Petition.objects.count() == 0


def test_a_handed_over_case_names_its_source_in_chinese(district: dict[str, Any]) -> None:
    """A case handed over by another module shows where it came from by name, never the
    seam's raw label (disclosure.foirequest:7)."""
    petition = file_case(district).petition
    Petition.objects.filter(pk=petition.pk).update(
        channel=Petition.Channel.FORWARDED, source_label="disclosure.foirequest:7"
    )
    body = staff_client(district["inspector"]).get(reverse("petitions:case", args=[petition.pk])).content.decode()
    assert "foirequest" not in body and "disclosure." not in body
    from django.utils import translation

    from sunshine.core.labels import model_label

    with translation.override("zh-hans"):
        assert f"{model_label('disclosure.foirequest')} 7" in body
