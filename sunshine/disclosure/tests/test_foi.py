"""FOI requests: FOI-1 intake and date received, FOI-2 correction, FOI-3 clock with
extension and third-party consultation, FOI-4 replies (complaints to petitions), the
receipt code, the Word reply letter, and the FOI-5 annual report with its cross-check."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.clocks import clock_get, deadline
from sunshine.core.issued import document_for
from sunshine.core.models import AuditEntry
from sunshine.core.testing import audit_entries_containing, login_verified, receipt_codes_drawn
from sunshine.disclosure import services
from sunshine.disclosure.letters import reply_letter_docx
from sunshine.disclosure.models import FoiRequest

from .conftest import District

pytestmark = pytest.mark.django_db
RECEIVED = date(2026, 3, 2)  # a Monday


def _letter(d: District, *, received_on: date = RECEIVED, kind: str = "person", channel: str = "post") -> FoiRequest:
    request, code = services.foi_intake(
        actor=d.officer,
        organization=d.bureau,
        channel=channel,
        received_on=received_on,
        applicant_kind=kind,
        applicant_name="李明",
        contact="13800000000",
        description="2025年全区义务教育阶段学校收费项目清单",
        form="electronic",
    )
    assert len(code) == 16
    return request


def _online(d: District, client: Client | None = None) -> tuple[FoiRequest, str]:
    return services.foi_submit(
        actor=None,
        organization=d.bureau,
        applicant_kind="person",
        applicant_name="王芳",
        contact="wang@example.cn",
        description="本区2026年教师招聘的考核办法",
        form="electronic",
    )


def test_foi1_online_request_is_received_on_confirmation(district: District):
    """FOI-1: online = the day both sides confirm; until then no clock runs."""
    request, code = _online(district)
    assert request.status == FoiRequest.Status.SUBMITTED and request.received_on is None
    assert services.foi_due(request) is None
    assert request.receipt_hash and code not in request.receipt_hash  # only the keyed hash is stored
    services.foi_confirm(actor=district.officer, request=request, on=date(2026, 3, 4))
    assert request.received_on == date(2026, 3, 4)
    assert services.foi_due(request).due_date == deadline("FOI-3", date(2026, 3, 4)).due_date


def test_foi1_letter_is_received_on_the_signed_for_day_and_identity_is_encrypted(district: District):
    request = _letter(district)
    assert request.received_on == RECEIVED and request.status == FoiRequest.Status.RECEIVED
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_name, contact FROM disclosure_foirequest WHERE id = %s", [request.pk])
        name, contact = cursor.fetchone()
    assert "李明" not in name and "13800000000" not in contact
    with pytest.raises(PermissionDenied):
        services.foi_intake(
            actor=district.clerk,
            organization=district.bureau,
            channel="post",
            received_on=RECEIVED,
            applicant_kind="person",
            applicant_name="x",
            contact="y",
            description="z",
            form="paper",
        )


def test_foi3_reply_due_in_20_working_days(district: District):
    request = _letter(district)
    assert services.foi_due(request).due_date == date(2026, 3, 30)  # 20 working days after Mon 2 March


def test_foi2_correction_once_within_7_working_days_restarts_the_clock(district: District):
    d = district
    request = _letter(d)
    last_day = deadline("FOI-2", RECEIVED).due_date
    assert last_day == date(2026, 3, 11)
    late = _letter(d)
    with pytest.raises(ValidationError):
        services.foi_correction_ask(
            actor=d.officer,
            request=late,
            text="请说明年份",
            answer_by=date(2026, 3, 12) + timedelta(days=14),
            on=date(2026, 3, 12),
        )
    services.foi_correction_ask(
        actor=d.officer, request=request, text="请说明所需学校范围", answer_by=date(2026, 3, 19), on=last_day
    )
    assert request.status == FoiRequest.Status.CORRECTION
    services.foi_correction_receive(actor=d.officer, request=request, on=date(2026, 3, 20))
    assert services.foi_due(request).due_date == deadline("FOI-3", date(2026, 3, 20)).due_date  # restarted
    assert services.foi_due(request).due_date > date(2026, 3, 30)
    with pytest.raises(ValidationError, match="only once"):
        services.foi_correction_ask(
            actor=d.officer,
            request=request,
            text="again",
            answer_by=date(2026, 3, 20) + timedelta(days=14),
            on=date(2026, 3, 20),
        )


def test_foi2_no_correction_means_withdrawn(district: District):
    request = _letter(district)
    services.foi_correction_ask(
        actor=district.officer,
        request=request,
        text="请补充",
        answer_by=date(2026, 3, 3) + timedelta(days=14),
        on=date(2026, 3, 3),
    )
    services.foi_correction_lapse(actor=district.officer, request=request, reason="逾期未补正")
    assert request.status == FoiRequest.Status.WITHDRAWN
    assert (request.reply_type, request.reply_reason) == ("other", "no-correction")


def test_foi3_one_extension_of_at_most_20_working_days_by_the_office_head(district: District):
    d = district
    today = timezone.localdate()  # an extension is granted now, before the deadline
    request = _letter(d, received_on=today)
    with pytest.raises(PermissionDenied):  # department staff cannot approve their own extension
        services.foi_extend(actor=d.officer, request=request, days=10, reason="涉及多个学校")
    with pytest.raises(ValidationError):
        services.foi_extend(actor=d.leader, request=request, days=21, reason="太多")
    services.foi_extend(actor=d.leader, request=request, days=20, reason="涉及多个学校，需汇总")
    request.refresh_from_db()
    assert services.foi_due(request).due_date == deadline("FOI-3", today, extension=20).due_date
    with pytest.raises(ValidationError, match="as often as its rule allows"):
        services.foi_extend(actor=d.leader, request=request, days=1, reason="再延")
    (extension,) = services.foi_clock(request).extensions.all()
    assert (extension.units, extension.granted_by, extension.reason) == (20, d.leader, "涉及多个学校，需汇总")


def test_foi3_no_extension_once_the_deadline_has_passed(district: District):
    """FOI-3: the extension is approved before the 20 working days run out, never after."""
    d = district
    request = _letter(d)  # received 2 March 2026: due 30 March, long past
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.foi_extend(actor=d.leader, request=request, days=5, reason="补办延期")
    assert services.foi_due(request).due_date == date(2026, 3, 30)
    assert not services.foi_clock(request).extensions.exists()


def test_foi3_third_party_consultation_does_not_count(district: District):
    d = district
    request = _letter(d)
    before = services.foi_due(request).due_date
    pause = services.foi_consultation_start(
        actor=d.officer, request=request, third_party="某建筑公司", on=date(2026, 3, 9)
    )
    assert pause.last_day == date(2026, 3, 27)  # 15 working days from 9 March, 9 March included
    assert services.foi_clock(request).paused_since is not None
    services.foi_consultation_end(actor=d.officer, request=request, on=date(2026, 3, 13))
    request = FoiRequest.objects.get(pk=request.pk)
    after = services.foi_due(request).due_date
    assert after == deadline("FOI-3", RECEIVED, paused=[(date(2026, 3, 9), date(2026, 3, 13))]).due_date
    assert after > before


def test_foi4_reply_types_and_reasons(district: District):
    d = district
    request = _letter(d)
    with pytest.raises(ValidationError):
        services.foi_reply(actor=d.officer, request=request, reply_type="not_disclosed", reason="", text="不予公开")
    with pytest.raises(ValidationError):
        services.foi_reply(actor=d.officer, request=request, reply_type="not_disclosed", reason="not-held", text="x")
    services.foi_reply(
        actor=d.officer,
        request=request,
        reply_type="not_disclosed",
        reason="third-party",
        text="涉及第三方商业秘密，第三方不同意公开。",
    )
    assert request.status == FoiRequest.Status.REPLIED and request.reply_reason == "third-party"
    assert "依申请公开〔" in request.reply_number


def test_foi4_complaint_goes_to_petitions_keeping_only_the_case_number(district: District):
    """FOI-4 "it is a complaint": the real petitions module files the case; the FOI request
    keeps the case number, and the case's receipt code is in no note and no audit entry."""
    request = _letter(district)
    with receipt_codes_drawn() as codes:
        services.foi_reply(
            actor=district.officer,
            request=request,
            reply_type="not_processed",
            reason="complaint",
            text="您反映的问题属于投诉，已转信访部门办理。",
        )
    (code,) = codes  # the petition's receipt code
    filed = AuditEntry.objects.get(action="petitions.petition_file")
    assert filed.data["channel"] == "foi" and filed.data["kind"] == "complaint" and filed.data["named"] is True
    request.refresh_from_db()
    assert filed.target_label and filed.target_label in request.handover_note  # the case number
    assert code not in request.handover_note and code not in request.reply_text
    assert audit_entries_containing(code) == []


def test_foi4_complaint_without_petitions_module_says_so(district: District, no_petitions: None):
    request = _letter(district)
    services.foi_reply(
        actor=district.officer, request=request, reply_type="not_processed", reason="complaint", text="转信访"
    )
    assert "by hand" in request.handover_note


def test_public_form_receipt_code_and_tracking_to_a_reply(district: District, client: Client):
    d = district
    response = client.post(
        reverse("disclosure:foi"),
        {
            "applicant_kind": "person",
            "applicant_name": "赵磊",
            "contact": "13900000000",
            "description": "2026年秋季学期学区划分方案",
            "form": "electronic",
        },
    )
    assert response.status_code == 302
    done = client.get(reverse("disclosure:foi-done")).content.decode()
    code = done.split('id="receipt-code">')[1].split("<")[0].replace(" ", "")
    assert len(code) == 16
    assert client.get(reverse("disclosure:foi-done")).status_code == 302  # shown once
    request = FoiRequest.objects.get()
    services.foi_confirm(actor=d.officer, request=request)
    services.foi_reply(actor=d.officer, request=request, reply_type="disclosed", text="学区划分方案见附件。")
    page = client.post(reverse("disclosure:foi-track"), {"code": code})
    assert page.status_code == 200 and "学区划分方案见附件" in page.content.decode()
    wrong = client.post(reverse("disclosure:foi-track"), {"code": "0000000000000000"})
    assert wrong.status_code == 404 and "学区划分方案见附件" not in wrong.content.decode()


def test_public_form_is_post_redirect_get_and_the_same_submission_files_once(district: District, client: Client):
    """FOI-1: the form posts, redirects to the receipt page (number, code, the FOI-3 date
    counted from today, what happens next), and the same form sent again files nothing."""
    form = client.get(reverse("disclosure:foi")).content.decode()
    token = form.split('name="submission" value="')[1].split('"')[0]
    assert 'class="privacy-note"' in form
    assert f"{clock_get('FOI-3').length}个工作日内答复" in form  # from the clock, never typed
    data = {
        "applicant_kind": "person",
        "applicant_name": "孙丽",
        "contact": "13900000001",
        "description": "2026年校车采购合同",
        "form": "electronic",
        "submission": token,
    }
    first = client.post(reverse("disclosure:foi"), data)
    assert first.status_code == 302 and first["Location"] == reverse("disclosure:foi-done")
    done = client.get(first["Location"])
    foi = FoiRequest.objects.get()
    assert done.context["receipt"].number == foi.number
    assert done.context["receipt"].deadline == deadline("FOI-3", timezone.localdate()).due_date
    assert 'id="receipt-deadline"' in done.content.decode()
    again = client.post(reverse("disclosure:foi"), data)
    assert again.status_code == 302 and FoiRequest.objects.count() == 1


def test_public_form_requires_the_foi1_fields(district: District, client: Client):
    response = client.post(reverse("disclosure:foi"), {"applicant_kind": "person", "applicant_name": "赵磊"})
    assert response.status_code == 400 and not FoiRequest.objects.exists()


def test_account_holder_sees_their_requests(district: District):
    from sunshine.orgs.tests.factories import UserFactory

    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.post(
        reverse("disclosure:foi"),
        {
            "applicant_kind": "person",
            "applicant_name": "钱伟",
            "contact": "x",
            "description": "校车运营合同",
            "form": "paper",
        },
    )
    assert FoiRequest.objects.get().requester == user
    assert "校车运营合同" in client.get(reverse("disclosure:foi-mine")).content.decode()
    stranger = Client()
    stranger.force_login(UserFactory())
    assert "校车运营合同" not in stranger.get(reverse("disclosure:foi-mine")).content.decode()


def test_reply_letter_is_a_chinese_bureau_document(district: District):
    request = _letter(district)
    services.foi_reply(
        actor=district.officer, request=request, reply_type="partly", text="部分信息涉及个人隐私，已作区分处理。"
    )
    word = docx.Document(io.BytesIO(reply_letter_docx(request)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "示范区教育局文件" in text and request.reply_number in text and "政府信息公开申请答复书" in text
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert "2026年3月2日" in text  # the date received
    run = word.paragraphs[0].runs[0]
    assert run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    staff = Client()
    login_verified(staff, district.officer)
    response = staff.get(reverse("disclosure:staff-foi-letter", kwargs={"pk": request.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    # The letter is issued once and recorded: the download is the recorded bytes, under
    # the number of the bureau's series.
    letter = document_for(request, kind="disclosure.foi_reply")
    assert letter is not None and letter.number == request.reply_number
    assert request.reply_number == f"{district.bureau.short_name or district.bureau.name}依申请公开〔{today.year}〕1号"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == letter.sha256
    assert "private, no-store" in response["Cache-Control"]
    outsider = Client()
    login_verified(outsider, district.clerk)
    assert outsider.get(reverse("disclosure:staff-foi-letter", kwargs={"pk": request.pk})).status_code == 403
    assert outsider.get(reverse("core:document-download", args=[letter.pk])).status_code == 404
    assert Client().get(reverse("core:document-download", args=[letter.pk])).status_code == 404
    assert staff.get(reverse("core:document-download", args=[letter.pk])).status_code == 200


def _dated(request: FoiRequest, received: date, concluded: date | None) -> None:
    FoiRequest.objects.filter(pk=request.pk).update(received_on=received, concluded_on=concluded)


def test_foi5_annual_report_adds_up(district: District):
    """FOI-5: new this year + carried over = total handled + carried forward, per column."""
    d = district
    # Carried over from 2025, answered in 2026.
    old = _letter(d, kind="business")
    services.foi_reply(actor=d.officer, request=old, reply_type="disclosed", text="已公开")
    _dated(old, date(2025, 12, 20), date(2026, 1, 10))
    # Concluded in 2025: not in the 2026 table.
    gone = _letter(d)
    services.foi_reply(actor=d.officer, request=gone, reply_type="disclosed", text="已公开")
    _dated(gone, date(2025, 5, 6), date(2025, 5, 20))
    # New in 2026: replied, not processed, withdrawn, and one still open at the year's end.
    a = _letter(d)
    services.foi_reply(actor=d.officer, request=a, reply_type="cannot_provide", reason="not-held", text="本机关不掌握")
    _dated(a, date(2026, 4, 1), date(2026, 4, 20))
    b = _letter(d, kind="legal")
    services.foi_correction_ask(
        actor=d.officer, request=b, text="请补正", answer_by=date(2026, 3, 3) + timedelta(days=14), on=date(2026, 3, 3)
    )
    services.foi_correction_lapse(actor=d.officer, request=b)
    _dated(b, date(2026, 6, 1), date(2026, 7, 1))
    open_ = _letter(d)
    _dated(open_, date(2026, 11, 2), None)

    table = services.foi_annual_report(bureau=d.bureau, year=2026)
    assert table[("new", "", "")]["total"] == 3
    assert table[("carried_over", "", "")] == {**dict.fromkeys(table[("new", "", "")], 0), "business": 1, "total": 1}
    assert table[("handled", "disclosed", "")]["business"] == 1
    assert table[("handled", "cannot_provide", "not-held")]["person"] == 1
    assert table[("handled", "other", "no-correction")]["legal"] == 1
    assert table[("handled_total", "", "")]["total"] == 3
    assert table[("carried_forward", "", "")]["total"] == 1
    t2025 = services.foi_annual_report(bureau=d.bureau, year=2025)
    assert t2025[("new", "", "")]["total"] == 2 and t2025[("carried_forward", "", "")]["total"] == 1

    page = Client().get(reverse("disclosure:annual-report", kwargs={"code": d.bureau.code, "year": 2026}))
    assert page.status_code == 200 and 'id="foi-table"' in page.content.decode()


def test_foi5_cross_check_refuses_a_table_that_does_not_add_up(district: District):
    d = district
    table = services.foi_annual_report(bureau=d.bureau, year=2026)
    table[("new", "", "")]["person"] += 1
    table[("new", "", "")]["total"] += 1
    with pytest.raises(services.ReportCheckError, match="does not add up"):
        services.foi_report_check(table)
    # Records that contradict each other (concluded before received) are refused too.
    bad = _letter(d)
    services.foi_reply(actor=d.officer, request=bad, reply_type="disclosed", text="x")
    _dated(bad, date(2026, 5, 1), date(2025, 12, 1))
    with pytest.raises(services.ReportCheckError):
        services.foi_annual_report(bureau=d.bureau, year=2026)
    page = Client().get(reverse("disclosure:annual-report", kwargs={"code": d.bureau.code, "year": 2026}))
    assert 'id="foi-table"' not in page.content.decode()


def test_staff_request_page_actions(district: District):
    d = district
    request = _letter(d)
    staff = Client()
    login_verified(staff, d.officer)
    url = reverse("disclosure:staff-foi", kwargs={"pk": request.pk})
    assert staff.get(url).status_code == 200
    staff.post(url, {"action": "reply", "reply_type": "disclosed", "text": "现予公开。"})
    request.refresh_from_db()
    assert request.status == FoiRequest.Status.REPLIED
    outsider = Client()
    login_verified(outsider, d.clerk)
    assert outsider.get(url).status_code == 403


def test_foi3_clock_reminds_the_bureau_like_every_supervised_clock(district: District):
    """FOI-3 under supervision (OVS-1): the office is reminded when the reply turns amber."""
    from sunshine.core.models import Notification
    from sunshine.core.supervision import supervision_sweep

    d = district
    request = _letter(d)
    clock = services.foi_clock(request)
    assert clock.rule_id == "FOI-3" and clock.organization == d.bureau
    amber = clock.started_at + (clock.due_at - clock.started_at) * 0.8
    assert supervision_sweep(now=amber).reminded == 1
    reminded = Notification.objects.filter(verb=Notification.Verb.REMINDER, supervision=clock)
    assert list(reminded.values_list("recipient", flat=True)) == [d.leader.pk]
    assert request.number in reminded.get().text
    services.foi_reply(actor=d.officer, request=request, reply_type="disclosed", text="已公开")
    clock.refresh_from_db()
    assert clock.status == "closed" and clock.finished_at is not None


def test_foi3_consultation_longer_than_15_working_days_lets_the_clock_run_and_the_page_says_why(district: District):
    """FOI-3: a consultation stops the reply clock for at most 15 working days."""
    from sunshine.core.supervision import supervision_sweep

    d = district
    request = _letter(d)
    services.foi_consultation_start(actor=d.officer, request=request, third_party="某建筑公司", on=date(2026, 3, 9))
    supervision_sweep(now=timezone.make_aware(timezone.datetime(2026, 4, 1, 9)))
    request.refresh_from_db()
    assert request.status == FoiRequest.Status.CONSULTATION  # the third party has still not answered
    capped = deadline("FOI-3", RECEIVED, paused=[(date(2026, 3, 9), date(2026, 3, 27))]).due_date
    assert services.foi_due(request).due_date == capped
    staff = Client()
    login_verified(staff, d.officer)
    page = staff.get(reverse("disclosure:staff-foi", kwargs={"pk": request.pk})).content.decode()
    assert "2026-03-27" in page and capped.isoformat() in page and '<span class="note">' in page
    services.foi_consultation_end(actor=d.officer, request=request, on=date(2026, 4, 10))
    assert services.foi_due(request).due_date == capped  # a late answer does not stop the clock again
    assert request.status == FoiRequest.Status.RECEIVED


def test_foi2_correction_withdrawn_cancels_the_clock(district: District):
    request = _letter(district)
    services.foi_correction_ask(
        actor=district.officer,
        request=request,
        text="请补充",
        answer_by=date(2026, 3, 3) + timedelta(days=14),
        on=date(2026, 3, 3),
    )
    assert services.foi_clock(request).paused_since is not None
    services.foi_correction_lapse(actor=district.officer, request=request, reason="逾期未补正")
    clock = services.foi_clock(request)
    assert clock.status == "cancelled" and clock.pauses.get().ended_on is not None


def test_only_the_foi_office_and_the_leaders_handle_requests(district: District):
    """An applicant's request is seen and handled by the bureau's designated FOI office
    and its leaders — never by the staff of another department."""
    from sunshine.core.testing import user_with_role
    from sunshine.disclosure import access
    from sunshine.orgs.models import Role
    from sunshine.orgs.tests.factories import DepartmentFactory

    d = district
    request = _letter(d)
    basic = DepartmentFactory(parent=d.bureau, name="基础教育股")
    other_staff = user_with_role(Role.DEPARTMENT_STAFF, organization=basic)
    other_head = user_with_role(Role.LEADER, organization=basic)
    office_head = user_with_role(Role.LEADER, organization=d.office)
    for user in (d.officer, d.leader, office_head):
        assert list(access.foi_requests_visible_to(user)) == [request]
    for user in (other_staff, other_head, d.clerk, d.principal):
        assert not access.foi_requests_visible_to(user).exists()
        with pytest.raises(PermissionDenied):
            services.foi_confirm(actor=user, request=request)
    # FOI-3: the office head or a bureau leader approves an extension; the officer does not.
    assert access.may_approve_extension(office_head, request) and access.may_approve_extension(d.leader, request)
    assert not access.may_approve_extension(d.officer, request)
    assert not access.may_approve_extension(other_head, request)
    client = Client()
    login_verified(client, other_staff)
    assert client.get(reverse("disclosure:staff-foi-list")).status_code == 403
    assert client.get(reverse("disclosure:staff-foi", kwargs={"pk": request.pk})).status_code == 403
    request.refresh_from_db()
    assert request.status == FoiRequest.Status.RECEIVED
    # Undesignated, the department handles nothing; designated by the system administrator, it does.
    basic.handles_foi = True
    basic.save()
    assert list(access.foi_requests_visible_to(other_staff)) == [request]


def _intake(d: District, channel: str, received_on: date | None) -> FoiRequest:
    request, _code = services.foi_intake(
        actor=d.officer,
        organization=d.bureau,
        channel=channel,
        received_on=received_on,
        applicant_kind="person",
        applicant_name="李明",
        contact="13800000000",
        description="2025年全区学校收费项目清单",
        form="paper",
    )
    return request


def test_foi1_in_person_is_received_that_day_and_fax_like_online(district: District):
    """FOI-1: in person = that day (another day is refused); by fax (or email), like
    online, the day both sides confirm: no clock runs until the office confirms."""
    d = district
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="received that day"):
        _intake(d, "in_person", RECEIVED)
    visit = _intake(d, "in_person", None)
    assert visit.received_on == today and visit.status == FoiRequest.Status.RECEIVED
    assert services.foi_due(visit).due_date == deadline("FOI-3", today).due_date
    for channel in ("fax", "email"):
        sent = _intake(d, channel, RECEIVED)
        assert sent.status == FoiRequest.Status.SUBMITTED and sent.received_on is None
        assert services.foi_due(sent) is None
        services.foi_confirm(actor=d.officer, request=sent, on=date(2026, 3, 4))
        assert sent.received_on == date(2026, 3, 4)
        assert services.foi_due(sent).due_date == deadline("FOI-3", date(2026, 3, 4)).due_date
    assert AuditEntry.objects.filter(action="disclosure.foirequest_confirm").count() == 2
    with pytest.raises(ValidationError):  # a letter needs the day it was signed for
        _intake(d, "post", None)


def test_foi2_closing_for_no_correction_needs_a_correction_asked_and_its_period_over(district: District):
    """FOI-2: "no answer = withdrawn" only when a correction was asked and the period
    given to answer it has run out."""
    d = district
    plain = _letter(d)
    with pytest.raises(ValidationError, match="No correction was asked"):
        services.foi_correction_lapse(actor=d.officer, request=plain, reason="逾期未补正")
    plain.refresh_from_db()
    assert plain.status == FoiRequest.Status.RECEIVED
    today = timezone.localdate()
    waiting = _letter(d, received_on=today)
    with pytest.raises(ValidationError):  # a period to answer is required, ending after today
        services.foi_correction_ask(actor=d.officer, request=waiting, text="请补充", answer_by=today, on=today)
    services.foi_correction_ask(
        actor=d.officer, request=waiting, text="请补充", answer_by=today + timedelta(days=10), on=today
    )
    assert waiting.correction_due_on == today + timedelta(days=10)
    with pytest.raises(ValidationError, match="has until"):
        services.foi_correction_lapse(actor=d.officer, request=waiting, reason="未补正")
    waiting.refresh_from_db()
    assert waiting.status == FoiRequest.Status.CORRECTION
    assert AuditEntry.objects.filter(action="disclosure.foirequest_correction_ask").count() == 1


def test_foi3_extension_limit_is_read_from_the_clock(district: District):
    """FOI-3: the form's limit is the clock's length, never repeated in the form."""
    from sunshine.core.clocks import clock_get
    from sunshine.disclosure.forms import ExtensionForm

    most = clock_get("FOI-3").length
    assert ExtensionForm({"days": most, "reason": "x"}).is_valid()
    assert not ExtensionForm({"days": most + 1, "reason": "x"}).is_valid()


def test_foi_withdrawal_needs_what_the_applicant_said(district: District):
    d = district
    request = _letter(d)
    with pytest.raises(ValidationError):
        services.foi_withdraw(actor=d.officer, request=request, reason=" ")
    services.foi_withdraw(actor=d.officer, request=request, reason="申请人来电撤回")
    assert request.status == FoiRequest.Status.WITHDRAWN


def test_foi5_annual_report_issued_as_a_record_in_six_sections(district: District):
    """FOI-5: the report's deadline (31 January) is supervised and reminded; the office
    enters what the records do not hold (stored, audited); the report is issued once as
    a core document record in the six statutory sections, with the request table from
    the records, refused while the table does not add up; the Word document opens."""
    from datetime import datetime

    from sunshine.core.clocks import SHANGHAI
    from sunshine.core.models import Notification, Supervision
    from sunshine.core.supervision import supervision_get_active, supervision_sweep
    from sunshine.disclosure.models import AnnualReport
    from sunshine.disclosure.rules import REPORT_SECTIONS, report_entered_keys

    d = district
    done = _letter(d, kind="business")
    services.foi_reply(actor=d.officer, request=done, reply_type="disclosed", text="已公开")
    _dated(done, date(2025, 3, 2), date(2025, 3, 20))
    with pytest.raises(PermissionDenied):
        services.foi_report_prepare(bureau=d.bureau, year=2025, actor=d.clerk)
    report = services.foi_report_prepare(bureau=d.bureau, year=2025, actor=d.officer)
    clock = supervision_get_active(item=report, rule_id="FOI-5")
    assert clock is not None and timezone.localtime(clock.due_at).date() == date(2026, 1, 31)
    assert clock.organization == d.office
    assert supervision_sweep(now=datetime(2026, 1, 25, 9, tzinfo=SHANGHAI)).reminded == 1
    assert Notification.objects.filter(verb=Notification.Verb.REMINDER, supervision=clock).exists()

    with pytest.raises(ValidationError, match="Write the overview"):
        services.foi_report_issue(report=report, actor=d.officer)
    entered = dict.fromkeys(report_entered_keys(), 0)
    entered.update({"licensing": 12, "review.upheld": 1, "review.total": 2})
    with pytest.raises(ValidationError, match="do not add up"):  # 1 upheld ≠ 2 in total
        services.foi_report_enter(
            report=report, actor=d.officer, overview="概述", problems="问题", other="其他", entered=entered
        )
    entered["review.corrected"] = 1
    services.foi_report_enter(
        report=report,
        actor=d.officer,
        overview="2025年，本局认真贯彻落实《政府信息公开条例》。",
        problems="主动公开的及时性有待提高。",
        other="本年度未收取信息处理费。",
        entered=entered,
    )
    stored = AnnualReport.objects.get(pk=report.pk)
    assert stored.entered["licensing"] == 12 and stored.problems == "主动公开的及时性有待提高。"
    entry = AuditEntry.objects.get(action="disclosure.annual_report_enter")
    assert entry.data["licensing"] == [None, 12]

    broken = _letter(d)  # concluded before it was received: the table cannot add up
    services.foi_reply(actor=d.officer, request=broken, reply_type="disclosed", text="已公开")
    _dated(broken, date(2025, 6, 2), date(2025, 6, 1))
    with pytest.raises(ValidationError, match="concluded before it was received"):
        services.foi_report_issue(report=report, actor=d.officer)
    assert AnnualReport.objects.get(pk=report.pk).status == AnnualReport.Status.DRAFT
    _dated(broken, date(2025, 6, 2), date(2025, 6, 10))

    issued = services.foi_report_issue(report=report, actor=d.officer)
    assert report.status == AnnualReport.Status.ISSUED and issued.published
    assert document_for(report, kind="disclosure.annual_report") == issued
    assert Supervision.objects.get(pk=clock.pk).status == Supervision.Status.CLOSED
    with pytest.raises(ValidationError):
        services.foi_report_enter(
            report=report, actor=d.officer, overview="改", problems="改", other="改", entered=entered
        )
    body = Client().get(reverse("core:document-download", args=[issued.pk]))
    word = docx.Document(io.BytesIO(b"".join(body.streaming_content)))
    text = "\n".join(p.text for p in word.paragraphs)
    for heading in REPORT_SECTIONS:
        assert heading in text
    assert "2025年，本局认真贯彻落实" in text and issued.number in text
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["行政许可：本年处理决定数量", "12"] in cells
    assert ["行政复议", "1", "1", "0", "0", "2"] in cells
    new_row = next(r for r in cells if r[0] == "本年新收申请")
    assert new_row[-1] == "2"  # two requests received in 2025, both handled


def test_foi3_public_pages_state_the_reply_limit_from_the_clock(district: District):
    """FOI-3: the public pages read the reply limit from the clock, never a number of their own."""
    from django.utils import translation

    from sunshine.core.clocks import clock_get

    days = clock_get("FOI-3").length
    with translation.override("zh-hans"):
        for name in ("disclosure:index", "disclosure:foi"):
            page = Client(headers={"accept-language": "zh-hans"}).get(reverse(name)).content.decode()
            assert f"{days}个工作日内" in page and "答复" in page, name


def test_a_lost_answer_brings_the_request_receipt_back_once(district: District):
    """The request is filed but its answer is lost: the same form sent again (from a
    browser without that session) shows the receipt once; then it is gone."""
    data = {
        "applicant_kind": "person",
        "applicant_name": "孙丽",
        "contact": "13900000001",
        "description": "2026年校车采购合同",
        "form": "electronic",
        "submission": "foi-lost-answer-token-0123456789",
    }
    assert Client().post(reverse("disclosure:foi"), data).status_code == 302
    browser = Client()
    again = browser.post(reverse("disclosure:foi"), data)
    assert again.status_code == 302 and FoiRequest.objects.count() == 1
    done = browser.get(again["Location"])
    assert done.status_code == 200 and done.context["receipt"].number == FoiRequest.objects.get().number
    code = done.content.decode().split('id="receipt-code">')[1].split("<")[0].replace(" ", "")
    assert browser.post(reverse("disclosure:foi-track"), {"code": code}).status_code == 200  # the request's own code
    late = Client()
    assert late.get(late.post(reverse("disclosure:foi"), data)["Location"]).status_code == 302  # nothing to show


def test_foi3_staff_list_reads_every_reply_clock_in_one_query(district: District):
    """FOI-3: the staff list shows each request's reply deadline; the clocks are read in
    one query, so the page's queries do not grow with its rows (2 rows and 20 the same)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    login_verified(client, district.officer)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("disclosure:staff-foi-list"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    first = _letter(district)
    _letter(district)
    two, page = queries()
    assert services.foi_due(first).due_date.strftime("%Y-%m-%d") in page
    for _ in range(18):
        _letter(district)
    twenty, page = queries()
    assert page.count(services.foi_due(first).due_date.strftime("%Y-%m-%d")) == 20
    assert twenty == two
