"""The petition rules of issue 11 and issue 13 (item 5), one test per rule ID: each
fails on the behaviour it replaced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.clocks import clock_get, deadline
from sunshine.core.figures import Period, figure_value
from sunshine.core.models import AuditEntry, Notification, Supervision, SupervisionExtension
from sunshine.core.supervision import supervision_get_active, supervision_sweep
from sunshine.core.testing import login_verified
from sunshine.orgs.models import Role
from sunshine.petitions import access, selectors
from sunshine.petitions import services as svc
from sunshine.petitions.forms import ExtendForm
from sunshine.petitions.models import Message, Petition, Recusal
from sunshine.petitions.tests.factories import FILER, confirm_accused, file_case, make_world, member, unit_reported

pytestmark = pytest.mark.django_db
S = Petition.Status
REPLY = {
    "request_summary": "清退多收费用",
    "facts": "经查属实",
    "reasons": "违反规定",
    "decision": "supported",
    "legal_basis": "《信访工作条例》第三十二条",
}


@pytest.fixture
def w():
    return make_world()


def staff(user, language="zh-hans"):
    client = Client()
    login_verified(client, user)
    client.cookies["django_language"] = language
    return client


def assigned_case(w, **kwargs):
    p = file_case(w, **kwargs).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    return p


# --- PET-9 --------------------------------------------------------------------------------------


def test_pet9_report_naming_a_principal_in_text_is_not_assigned_before_triage_confirms(w):
    """PET-9 (issue 13 item 5): a report naming the principal only in the text cannot be
    assigned at all until triage confirms the accused; once the principal is linked,
    the principal's school is refused."""
    w.principal.full_name = "王校长"
    w.principal.save()
    p = file_case(w, kind="report", accused_name="王校长", identity=FILER).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    with pytest.raises(ValidationError) as err:
        svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
        unit_reported(p, w.principal)
    assert err.value.code == "accused_unconfirmed"
    p.refresh_from_db()
    assert p.status == S.ACCEPTED and p.assigned_to is None
    # Search by name within the accused unit: the principal, nobody of another school.
    namesake = member(w.school2, Role.PRINCIPAL, full_name="王校长")
    found = selectors.accused_candidates(p, "王", unit=w.school)
    assert found == [w.principal] and namesake not in found
    # A person of another unit cannot be linked to this one.
    with pytest.raises(ValidationError):
        svc.petition_accused_confirm(petition=p, organization=w.school, user=namesake, actor=w.inspector)
    svc.petition_accused_confirm(petition=p, organization=w.school, user=w.principal, actor=w.inspector)
    p.refresh_from_db()
    assert p.accused_user == w.principal and p.accused_confirmed_by == w.inspector
    assert AuditEntry.objects.filter(action="petitions.petition_accused_confirm").exists()
    with pytest.raises(ValidationError):
        svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
        unit_reported(p, w.principal)
    assert not access.petitions_visible_to(w.principal).filter(pk=p.pk).exists()
    svc.petition_assign(petition=p, organization=w.basic, actor=w.inspector)
    assert Petition.objects.get(pk=p.pk).assigned_to == w.basic


def test_pet9_linked_accused_is_never_reminded_or_escalated_to(w):
    """PET-9: once triage links the accused person (here a bureau leader named only in
    the text), core's sweep never reminds or escalates to them; an unlinked case still
    reaches the same leader — the link is what switches the exclusion on."""
    w.leader.full_name = "赵局长"
    w.leader.save()
    other_leader = member(w.bureau, Role.LEADER)
    linked = file_case(w, kind="report", accused_name="赵局长", identity=FILER).petition
    unlinked = file_case(w, kind="report", accused_name="赵局长", identity=FILER).petition
    svc.petition_accused_confirm(petition=linked, organization=w.bureau, user=w.leader, actor=w.inspector)
    exclusion = access.supervision_exclusion(linked)
    assert w.leader.pk in exclusion.user_ids
    supervision_sweep(now=timezone.now() + timedelta(days=60))
    linked_notices = Notification.objects.filter(supervision__object_id=str(linked.pk))
    unlinked_notices = Notification.objects.filter(supervision__object_id=str(unlinked.pk))
    assert linked_notices.exists()  # the triage unit is still reminded
    assert not linked_notices.filter(recipient=w.leader).exists()
    assert not linked_notices.filter(recipient=other_leader).exists()  # the bureau is excluded as a node
    assert unlinked_notices.filter(recipient=w.leader).exists()


def test_pet9_accused_page_searches_within_the_unit_and_records_the_choice(w):
    """PET-9: the triage page finds staff by name within the accused unit (plain GET
    search) and the POST records the link; the accused's unit then never sees it."""
    w.clerk.full_name = "钱会计"
    w.clerk.save()
    elsewhere = member(w.basic, Role.DEPARTMENT_STAFF, full_name="钱会计")
    p = file_case(w, kind="report", accused_name="钱会计", identity=FILER).petition
    client = staff(w.inspector)
    page = client.get(reverse("petitions:case-accused", args=[p.pk]), {"unit": w.school.pk, "q": "钱"})
    assert page.status_code == 200
    assert page.context["candidates"] == [w.clerk] and elsewhere not in page.context["candidates"]
    assert "按姓名在被举报单位内查找" in page.content.decode()
    assert staff(w.clerk).get(reverse("petitions:case-accused", args=[p.pk])).status_code == 404
    response = client.post(
        reverse("petitions:case-accused", args=[p.pk]), {"organization": w.school.pk, "user": w.clerk.pk}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.accused_user == w.clerk and p.accused_organization == w.school and p.accused_confirmed_at
    svc.petition_accept(petition=p, actor=w.inspector)
    assert not access.can_assign_to(p, w.school)
    case_page = client.get(reverse("petitions:case", args=[p.pk]))
    assert "确认" in case_page.content.decode()


def test_pet9_staff_declare_a_conflict_of_interest_and_step_aside(w):
    """PET-9: a handling member declares their own interest; the case disappears for
    them, the recusal is on record, and the clock's notices skip them."""
    p = assigned_case(w)
    client = staff(w.clerk)
    page = client.get(reverse("petitions:case", args=[p.pk]))
    assert "申报利害关系" in page.content.decode()
    empty = client.post(reverse("petitions:case-conflict", args=[p.pk]), {"conflict-reason": ""})
    assert empty.status_code == 400 and not Recusal.objects.exists()
    response = client.post(reverse("petitions:case-conflict", args=[p.pk]), {"conflict-reason": "举报人是我的亲属"})
    assert response.status_code == 302 and response.url == reverse("petitions:workbench")
    assert Recusal.objects.get().user == w.clerk
    with pytest.raises(Http404):
        access.petition_get_for(w.clerk, p.pk)
    assert client.get(reverse("petitions:case", args=[p.pk])).status_code == 404
    assert w.clerk.pk in access.supervision_exclusion(p).user_ids
    # Someone who cannot see the case cannot declare on it either.
    assert (
        staff(w.principal2).post(reverse("petitions:case-conflict", args=[p.pk]), {"conflict-reason": "x"}).status_code
        == 404
    )


# --- PET-7 --------------------------------------------------------------------------------------


def reexamined(w):
    p = assigned_case(w, identity=FILER)
    svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    svc.petition_review_apply(petition=p, reasons="事实认定有误")
    svc.petition_reply(petition=p, actor=w.inspector, **REPLY)
    svc.petition_reexam_apply(petition=p, reasons="仍不服")
    svc.petition_reply(petition=p, actor=w.inspector, **REPLY)
    return Petition.objects.get(pk=p.pk)


def test_pet7_same_facts_refused_only_by_staff_beside_the_earlier_case(w):
    """PET-7: a later case of the same filer, kind and unit is registered (no longer
    refused for ever at the door); triage sees the earlier case beside it, with the
    likeness as a suggestion, and the refusal names the earlier case."""
    earlier = reexamined(w)
    later = file_case(w, identity=FILER, facts="学校食堂每月多收费用，至今未退。").petition
    assert later.status == S.REGISTERED
    other_filer = file_case(w, identity=svc.IdentityInput(name="测试丙", phone="13900003333")).petition
    assert selectors.same_facts_candidates(other_filer) == []
    [match] = selectors.same_facts_candidates(later)
    assert match.earlier == earlier and 0.5 < match.likeness <= 1

    client = staff(w.inspector)
    case_page = client.get(reverse("petitions:case", args=[later.pk])).content.decode()
    assert reverse("petitions:case-same-facts", args=[later.pk, earlier.pk]) in case_page
    side_by_side = client.get(reverse("petitions:case-same-facts", args=[later.pk, earlier.pk]))
    html = side_by_side.content.decode()
    assert side_by_side.status_code == 200
    assert earlier.number in html and later.number in html and "学校食堂每月多收费用，至今未退。" in html
    assert client.get(reverse("petitions:case-same-facts", args=[other_filer.pk, earlier.pk])).status_code == 404
    assert staff(w.clerk).post(reverse("petitions:case-same-facts", args=[later.pk, earlier.pk])).status_code == 404

    assert client.post(reverse("petitions:case-same-facts", args=[later.pk, earlier.pk])).status_code == 302
    later.refresh_from_db()
    assert later.status == S.DECLINED and later.same_facts_as == earlier and later.notified_at
    notice = later.messages.get(direction=Message.Direction.TO_FILER)
    assert earlier.number in notice.text
    with pytest.raises(ValidationError):  # not the same filer's re-examined case
        svc.petition_refuse_same_facts(petition=other_filer, earlier=earlier, actor=w.inspector)


# --- PET-8 --------------------------------------------------------------------------------------


def test_pet8_result_clock_for_real_name_reports_only_from_the_reply(w):
    """PET-8: the 15-working-day result clock runs for a real-name *report* only, and
    from the handling's conclusion (the reply), not from the close 30 days later."""
    report = assigned_case(w, kind="report", identity=FILER)
    svc.petition_reply(petition=report, actor=w.principal, **REPLY)
    report.refresh_from_db()
    assert report.status == S.ANSWERED
    clock = supervision_get_active(item=report, rule_id="PET-8")
    assert clock is not None and clock.started_at == report.answered_at
    assert clock.due_at == deadline("PET-8", report.answered_at).due
    svc.petition_result_tell(petition=report, actor=w.inspector, text="经查属实，已责令退费。")
    assert supervision_get_active(item=report, rule_id="PET-8") is None
    assert Petition.objects.get(pk=report.pk).result_told_at is not None

    complaint = assigned_case(w, kind="complaint", identity=FILER)
    svc.petition_reply(petition=complaint, actor=w.principal, **REPLY)
    assert supervision_get_active(item=complaint, rule_id="PET-8") is None
    anonymous = assigned_case(w, kind="report")
    svc.petition_reply(petition=anonymous, actor=w.principal, **REPLY)
    assert supervision_get_active(item=anonymous, rule_id="PET-8") is None


# --- PET-5 --------------------------------------------------------------------------------------


def test_pet5_extension_refused_once_the_deadline_has_passed(w):
    """PET-5: past the handling deadline no extension is approved: the service refuses
    with a clear message, and the case page says so in Chinese instead of the form."""
    p = assigned_case(w)
    supervision = supervision_get_active(item=p, rule_id="PET-5")
    Supervision.objects.filter(pk=supervision.pk).update(
        started_at=timezone.now() - timedelta(days=61), due_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as err:
        svc.petition_extend(petition=p, days=10, reason="需要调查", actor=w.principal)
    assert err.value.code == "lapsed"
    page = staff(w.principal).get(reverse("petitions:case", args=[p.pk]))
    assert "办理期限已过，不能再批准延期。" in page.content.decode()
    response = staff(w.principal).post(
        reverse("petitions:case-extend", args=[p.pk]), {"extend-days": 10, "extend-reason": "需要调查"}
    )
    assert response.status_code == 400
    assert "不能再批准延期" in response.content.decode()
    assert Petition.objects.get(pk=p.pk).extension_days == 0


def test_pet5_extension_limit_is_read_from_the_clock(w):
    """PET-5: the most days one extension adds is the clock's, never repeated in forms."""
    most = clock_get("PET-5").extension
    assert not ExtendForm({"days": most + 1, "reason": "x"}).is_valid()
    assert ExtendForm({"days": most, "reason": "x"}).is_valid()
    p = assigned_case(w)
    with pytest.raises(ValidationError):
        svc.petition_extend(petition=p, days=most + 1, reason="需要调查", actor=w.principal)


def test_pet5_closed_on_time_is_judged_by_the_deadline_in_force(w):
    """PET-5 / PET-10: a case answered after its deadline is late even if an extension
    was recorded afterwards; the case and the figure both say so."""
    p = assigned_case(w)
    supervision = supervision_get_active(item=p, rule_id="PET-5")
    due = timezone.now() - timedelta(days=5)  # the first deadline passed five days ago
    Supervision.objects.filter(pk=supervision.pk).update(
        started_at=due - timedelta(days=60), due_at=due + timedelta(days=30)
    )
    SupervisionExtension.objects.create(
        supervision=supervision,
        units=30,
        reason="补批",
        granted_by=w.leader,
        granted_at=due + timedelta(days=2),
        due_before=due,
        due_after=due + timedelta(days=30),
    )
    Petition.objects.filter(pk=p.pk).update(handling_due_at=due + timedelta(days=30))
    svc.petition_reply(petition=Petition.objects.get(pk=p.pk), actor=w.principal, **REPLY)
    p.refresh_from_db()
    assert p.handling_on_time is False
    now = timezone.now()
    year = Period.year(timezone.localtime(now).year, as_of=now)
    rate = figure_value("petitions.closed_on_time_rate", period=year, organization=w.bureau)
    assert (rate.numerator, rate.denominator) == (0, 1)


# --- PET-3 --------------------------------------------------------------------------------------


def test_pet3_not_ours_tells_the_filer_where_to_go(w):
    """PET-3: a "not ours" decision names where the filer should go — a field, printed
    in the notice the filer reads."""
    p = file_case(w).petition
    with pytest.raises(ValidationError) as err:
        svc.petition_decline(petition=p, actor=w.inspector, reason="不属于本局职责", where_to_go="")
    assert "where_to_go" in err.value.message_dict
    client = staff(w.inspector)
    missing = client.post(reverse("petitions:case-decline", args=[p.pk]), {"decline-reason": "不属于本局职责"})
    assert missing.status_code == 400
    assert Petition.objects.get(pk=p.pk).status == S.REGISTERED
    client.post(
        reverse("petitions:case-decline", args=[p.pk]),
        {"decline-reason": "不属于本局职责", "decline-where_to_go": "区市场监督管理局（12315）"},
    )
    p.refresh_from_db()
    assert p.status == S.DECLINED and p.decline_where == "区市场监督管理局（12315）"
    assert "区市场监督管理局（12315）" in p.messages.get(direction=Message.Direction.TO_FILER).text
    assert "区市场监督管理局（12315）" in client.get(reverse("petitions:case", args=[p.pk])).content.decode()


# --- PET-2 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", Petition.Kind.values)
@pytest.mark.parametrize("missing", ["facts", "request", "reasons"])
def test_pet2_facts_request_and_reasons_recorded_for_every_kind(w, kind, missing):
    """PET-2: facts, request and reasons are required for every kind of case; nothing is
    saved when one is missing."""
    with pytest.raises(ValidationError) as err:
        file_case(w, kind=kind, **{missing: " "})
    assert missing in err.value.message_dict
    assert not Petition.objects.exists()
    assert file_case(w, kind=kind).petition.reasons


def test_pet3_the_written_notice_prints_where_to_go_and_reads_its_periods_from_the_clock(w):
    """PET-3: the Word notice of a "not ours" decision prints where to go; the periods
    it states come from the clocks (PET-3, PET-5), never typed in the document."""
    from io import BytesIO

    from docx import Document

    def text(response):
        return "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)

    declined = file_case(w).petition
    svc.petition_decline(petition=declined, actor=w.inspector, reason="不属于本局职责", where_to_go="区市场监督管理局")
    client = staff(w.inspector)
    response = client.get(reverse("petitions:case-notice-docx", args=[declined.pk]))
    assert response.status_code == 200
    assert "请向区市场监督管理局反映" in text(response)
    accepted = file_case(w).petition
    svc.petition_accept(petition=accepted, actor=w.inspector)
    notice = text(client.get(reverse("petitions:case-notice-docx", args=[accepted.pk])))
    assert f"自受理之日起{clock_get('PET-5').length}日内办结" in notice
    registered = file_case(w).petition
    assert client.get(reverse("petitions:case-notice-docx", args=[registered.pk])).status_code == 404


def test_pet6_the_units_report_comes_before_the_reply_on_an_assigned_case(w):
    """PET-5/PET-6: the assigned unit reports to the bureau (办理情况报告) before any reply;
    only that unit reports, once at a time; the bureau may return it until the reply."""
    p = file_case(w).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    with pytest.raises(ValidationError) as refused:
        svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    assert refused.value.code == "unit_report" and not p.replies.exists()
    with pytest.raises(PermissionDenied):  # another school, or the bureau's triage, does not report for the unit
        svc.petition_unit_report(petition=p, actor=w.principal2, findings="x", actions="y")
    with pytest.raises(PermissionDenied):
        svc.petition_unit_report(petition=p, actor=w.inspector, findings="x", actions="y")
    with pytest.raises(ValidationError) as empty:
        svc.petition_unit_report(petition=p, actor=w.principal, findings=" ", actions="已整改")
    assert "findings" in empty.value.message_dict and not p.unit_reports.exists()
    first = svc.petition_unit_report(petition=p, actor=w.principal, findings="属实", actions="已整改")
    with pytest.raises(ValidationError):  # one report in force at a time
        svc.petition_unit_report(petition=p, actor=w.principal, findings="属实", actions="已整改")
    with pytest.raises(PermissionDenied):  # the unit does not return its own report
        svc.petition_unit_report_return(petition=p, actor=w.principal, reason="x")
    svc.petition_unit_report_return(petition=p, actor=w.inspector, reason="请补充证据")
    first.refresh_from_db()
    assert first.returned_at is not None and svc.unit_report_missing(p)
    with pytest.raises(ValidationError):
        svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    svc.petition_unit_report(petition=p, actor=w.principal, findings="属实，已补充证据", actions="已整改")
    svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    with pytest.raises(ValidationError):  # after the reply the report stands
        svc.petition_unit_report_return(petition=p, actor=w.inspector, reason="x")
    actions = list(AuditEntry.objects.filter(target_id=str(p.pk)).values_list("action", flat=True))
    assert actions.count("petitions.unit_report") == 2 and actions.count("petitions.unit_report_return") == 1
