"""The petition workflow through its services: intake, clocks, notices, replies, review."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from sunshine.core.clocks import deadline
from sunshine.core.models import StoredFile, Supervision
from sunshine.core.supervision import supervision_get_active
from sunshine.core.transitions import TransitionNotAllowed
from sunshine.petitions import services as svc
from sunshine.petitions.models import FilerNotice, Message, Petition, Reply
from sunshine.petitions.rules import RECEIPT_PURPOSE
from sunshine.petitions.selectors import (
    petition_clock,
    petition_links,
    petition_queue,
    petition_timeline,
    same_facts_candidates,
)
from sunshine.petitions.tests.factories import FILER, confirm_accused, file_case, make_world, unit_reported

pytestmark = pytest.mark.django_db
S = Petition.Status

SENT: list[tuple[str, str]] = []


def recording_sender(*, petition, message, kind):
    """A test channel standing in for an SMS gateway."""
    SENT.append((petition.number, kind))


def failing_sender(*, petition, message, kind):
    raise RuntimeError("gateway down 13900001111")


@pytest.fixture
def w():
    return make_world()


REPLY = {
    "request_summary": "清退多收费用",
    "facts": "经查属实",
    "reasons": "违反规定",
    "decision": "supported",
    "legal_basis": "《教育收费管理办法》第十条",
}


def accepted(w, **kwargs):
    petition = file_case(w, **kwargs).petition
    return svc.petition_accept(petition=petition, actor=w.inspector)


def test_file_records_pet2_fields_receipt_hash_and_pet3_clock(w):
    """PET-2, PET-3: the case is registered with its fields, a 16-digit receipt code
    whose keyed hash alone is stored, and a PET-3 clock of 15 days at the triage unit."""
    from sunshine.core.crypto import keyed_hash

    filed = file_case(w)
    p = filed.petition
    assert len(filed.receipt_code) == 16 and filed.receipt_code.isdigit()
    assert p.receipt_hash == keyed_hash(filed.receipt_code, purpose=RECEIPT_PURPOSE)
    assert filed.receipt_code not in str(Petition.objects.filter(pk=p.pk).values().get())
    assert p.status == S.REGISTERED and p.number.startswith("XF-TST-")
    sup = supervision_get_active(item=p, rule_id="PET-3")
    assert sup.organization == w.discipline
    assert sup.due_at == deadline("PET-3", p.received_at).due == p.notice_due_at
    assert p.title not in sup.title  # PET-9: notifications carry the number only


def test_named_report_against_staff_gets_15_working_days(w):
    """PET-3: a real-name report against staff is answered within 15 working days."""
    p = file_case(w, kind="report", identity=FILER, accused_name="某老师").petition
    assert p.named
    assert supervision_get_active(item=p, rule_id="PET-3-named-report") is not None
    assert supervision_get_active(item=p, rule_id="PET-3") is None


@pytest.mark.parametrize(
    ("identity", "named"),
    [
        (svc.IdentityInput(name="测试乙", phone="13900002222"), True),
        (svc.IdentityInput(unit="某公司", email="a@example.invalid"), True),
        (svc.IdentityInput(name="测试乙"), False),  # no contact
        (svc.IdentityInput(phone="13900002222"), False),  # no name or unit
        (None, False),
    ],
)
def test_pet8_real_name_needs_name_or_unit_and_contact(w, identity, named):
    """PET-8: real-name = a real name or unit PLUS a working contact."""
    assert file_case(w, identity=identity).petition.named is named


@pytest.mark.parametrize(
    ("field", "value"), [("title", " "), ("facts", ""), ("kind", "gossip"), ("channel", "pigeon"), ("request", "")]
)
def test_missing_pet2_fields_change_nothing(w, field, value):
    """PET-2: a missing field is refused with a message and nothing is saved."""
    with pytest.raises(ValidationError) as err:
        file_case(w, **{field: value})
    assert field in err.value.message_dict
    assert not Petition.objects.exists() and not Supervision.objects.exists()


def test_attachment_of_fake_type_is_refused_and_nothing_saved(w):
    """Bad input: a program renamed .pdf is refused; no case, no file."""
    fake = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as err:
        file_case(w, attachments=[fake])
    assert "attachments" in err.value.message_dict
    assert not Petition.objects.exists() and not StoredFile.objects.exists()


def test_attachment_is_stored_on_a_filer_message(w):
    png = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    p = file_case(w, attachments=[png]).petition
    message = p.messages.get()
    assert message.direction == Message.Direction.FROM_FILER
    assert message.attachments.get().purpose == "petitions.attachment"


def test_forwarded_case_gets_pet4_objection_clock_and_objection(w):
    """PET-4: a case forwarded to us may be objected to within 5 working days; after, not."""
    p = file_case(w, channel="forwarded").petition
    sup = supervision_get_active(item=p, rule_id="PET-4")
    assert sup.due_at == deadline("PET-4", p.received_at).due
    with pytest.raises(ValidationError):
        svc.petition_object(petition=p, reason=" ", actor=w.inspector)
    svc.petition_object(petition=p, reason="属于市场监管部门职责", actor=w.inspector)
    p.refresh_from_db()
    assert p.status == S.DECLINED and "市场监管" in p.decline_reason
    assert supervision_get_active(item=p, rule_id="PET-4") is None
    assert p.messages.filter(direction=Message.Direction.TO_FILER).exists()

    late = file_case(w, channel="forwarded", received_at=timezone.now() - timedelta(days=20)).petition
    with pytest.raises(ValidationError) as err:
        svc.petition_object(petition=late, reason="不属于本局", actor=w.inspector)
    assert err.value.code == "lapsed"
    late.refresh_from_db()
    assert late.status == S.REGISTERED


def test_object_only_for_forwarded_cases(w):
    """PET-4 applies to cases forwarded to us only."""
    p = file_case(w).petition
    with pytest.raises(ValidationError):
        svc.petition_object(petition=p, reason="不属于本局", actor=w.inspector)


def test_accept_tells_filer_and_starts_pet5(w, django_capture_on_commit_callbacks):
    """PET-3 notice on acceptance (a TO_FILER message with its number, sent by every
    configured sender and recorded); PET-5: 60 days from acceptance."""
    SENT.clear()
    p = file_case(w).petition
    with (
        override_settings(
            SUNSHINE_FILER_NOTIFIERS=[
                "sunshine.petitions.tests.test_services.recording_sender",
                "sunshine.petitions.tests.test_services.failing_sender",
            ]
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        svc.petition_accept(petition=p, actor=w.inspector)
    p.refresh_from_db()
    assert p.status == S.ACCEPTED and p.acceptance_number.endswith("号")
    assert supervision_get_active(item=p, rule_id="PET-3") is None
    sup = supervision_get_active(item=p, rule_id="PET-5")
    assert sup.due_at == deadline("PET-5", p.accepted_at).due == p.handling_due_at
    notice = p.messages.get(direction=Message.Direction.TO_FILER)
    assert p.acceptance_number in notice.text
    assert [(p.number, "accepted")] == SENT
    deliveries = {(n.channel.rsplit(".", 1)[1], n.status) for n in FilerNotice.objects.filter(petition=p)}
    assert deliveries == {("recording_sender", "sent"), ("failing_sender", "failed")}


def test_only_triage_may_accept(w):
    """Triage (inspector or bureau leader) accepts; school or department staff may not."""
    p = file_case(w).petition
    for user in (w.staff, w.principal, w.clerk):
        with pytest.raises(PermissionDenied):
            svc.petition_accept(petition=p, actor=user)
    svc.petition_accept(petition=p, actor=w.leader)


def test_decline_and_forward_need_reasons_and_notify(w):
    """PET-3: not accepted / forwarded — with the reason and where to go, told to the filer."""
    p = file_case(w).petition
    with pytest.raises(ValidationError):
        svc.petition_decline(petition=p, actor=w.inspector, reason="", where_to_go="区人民法院")
    with pytest.raises(ValidationError):
        svc.petition_decline(petition=p, actor=w.inspector, reason="已经司法程序处理", where_to_go=" ")
    svc.petition_decline(petition=p, actor=w.inspector, reason="已经司法程序处理", where_to_go="区人民法院")
    assert p.status == S.DECLINED
    q = file_case(w).petition
    svc.petition_forward(petition=q, actor=w.inspector, to_authority="区人社局", reason="劳动争议")
    q.refresh_from_db()
    assert q.status == S.FORWARDED and q.forwarded_to == "区人社局"
    assert "区人社局" in q.messages.get(direction=Message.Direction.TO_FILER).text
    svc.petition_close(petition=q, actor=w.inspector)
    assert q.status == S.CLOSED


def test_assign_moves_pet5_to_the_unit_and_refuses_accused(w):
    """Assignment goes through core supervision with the same PET-5 start; PET-9
    refuses the accused unit."""
    p = accepted(w, accused_organization=w.school)
    confirm_accused(p, w.inspector)
    with pytest.raises(ValidationError) as err:
        svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
        unit_reported(p, w.principal)
    assert "organization" in err.value.message_dict
    p.refresh_from_db()
    assert p.status == S.ACCEPTED
    svc.petition_assign(petition=p, organization=w.basic, actor=w.inspector, note="请核查")
    sup = supervision_get_active(item=p, rule_id="PET-5")
    assert sup.organization == w.basic and sup.due_at == deadline("PET-5", p.accepted_at).due
    # The PET-5 clock moved to the unit with its history; nothing was cancelled and reopened.
    assert Supervision.objects.filter(rule_id="PET-5").count() == 1
    assert p.supervision_number and p.messages.filter(direction="internal").exists()


def test_assign_bulk_skips_refused(w):
    a = accepted(w)
    b = accepted(w, accused_organization=w.basic)
    assert svc.petition_assign_bulk(petitions=[a, b], organization=w.basic, actor=w.inspector) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == S.ASSIGNED and b.status == S.ACCEPTED


def test_extension_once_at_most_30_by_unit_head_reason_told(w):
    """PET-5: one extension ≤ 30 days (ceiling 90), approved by the unit head or a
    bureau leader; the reason is told to the filer."""
    p = accepted(w)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    with pytest.raises(PermissionDenied):
        svc.petition_extend(petition=p, days=10, reason="需要调查", actor=w.clerk)
    with pytest.raises(ValidationError):
        svc.petition_extend(petition=p, days=31, reason="需要调查", actor=w.principal)
    svc.petition_extend(petition=p, days=30, reason="需要调查取证", actor=w.principal)
    p.refresh_from_db()
    assert p.extension_days == 30 and p.extension_approved_by == w.principal
    assert p.handling_due_at == deadline("PET-5", p.accepted_at, extension=30).due
    assert "需要调查取证" in p.messages.filter(direction="to_filer").last().text
    with pytest.raises(ValidationError):
        svc.petition_extend(petition=p, days=1, reason="再次", actor=w.leader)


def test_reply_requires_every_pet6_field(w):
    """PET-6: request, facts, reasons, decision and legal basis are all required."""
    p = accepted(w)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    for field in ("request_summary", "facts", "reasons", "legal_basis", "decision"):
        with pytest.raises(ValidationError) as err:
            svc.petition_reply(petition=p, actor=w.principal, **{**REPLY, field: ""})
        assert field in err.value.message_dict
    assert not Reply.objects.exists()


def test_full_flow_reply_rate_review_reexam_then_same_facts_refused(w):
    """PET-5/6/7: reply stops PET-5; review within 30 days answered in 30; re-examination
    likewise; afterwards the same filer's same matter is refused (PET-7)."""
    p = accepted(w, identity=FILER)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    svc.petition_start(petition=p, actor=w.principal)
    with pytest.raises(PermissionDenied):
        svc.petition_reply(petition=p, actor=w.principal2, **REPLY)
    reply = svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    assert reply.stage == "first" and reply.document_number.startswith("示教信〔")
    p.refresh_from_db()
    assert p.status == S.ANSWERED and p.answered_at
    assert supervision_get_active(item=p, rule_id="PET-5") is None
    svc.petition_rate(petition=p, satisfaction="unsatisfied", comment="不满意")
    with pytest.raises(ValidationError):
        svc.petition_close(petition=p, actor=w.inspector)  # the review window is open
    svc.petition_review_apply(petition=p, reasons="事实认定有误")
    sup = supervision_get_active(item=p, rule_id="PET-7-review-answer")
    assert sup.due_at == deadline("PET-7-review-answer", sup.started_at).due
    with pytest.raises(PermissionDenied):  # the review is the bureau's
        svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    assert svc.petition_reply(petition=p, actor=w.inspector, **REPLY).stage == "review"
    svc.petition_reexam_apply(petition=p, reasons="仍不服")
    final = svc.petition_reply(petition=p, actor=w.inspector, **{**REPLY, "decision": "not_supported"})
    p.refresh_from_db()
    assert final.stage == "reexamination" and p.status == S.CLOSED
    # PET-8: a real-name *complaint* owes no result clock (only real-name reports do).
    assert supervision_get_active(item=p, rule_id="PET-8") is None
    # PET-7: a later case of the same filer is registered; triage decides (test_rules.py).
    later = file_case(w, identity=svc.IdentityInput(name="别名", phone="13900001111", address="x")).petition
    assert [c.earlier for c in same_facts_candidates(later)] == [p]


def reexamined_case(w, **kwargs):
    """A real-name case taken through reply, review and re-examination."""
    p = accepted(w, identity=FILER, **kwargs)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    svc.petition_start(petition=p, actor=w.principal)
    svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    svc.petition_review_apply(petition=p, reasons="事实认定有误")
    svc.petition_reply(petition=p, actor=w.inspector, **REPLY)
    svc.petition_reexam_apply(petition=p, reasons="仍不服")
    svc.petition_reply(petition=p, actor=w.inspector, **REPLY)
    return p


def test_pet7_same_facts_look_back_is_the_local_rule(w):
    """PET-7: an earlier re-examined case is shown to triage for ever by default; with the
    LOCAL look-back PET-7-lookback-days set, only within that many days of the
    re-examination."""
    from sunshine.core.local_rules import local_rule_set

    p = reexamined_case(w)
    Reply.objects.filter(petition=p, stage=Reply.Stage.REEXAMINATION).update(
        issued_at=timezone.now() - timedelta(days=40)
    )
    later = file_case(w, identity=FILER).petition
    assert [c.earlier for c in same_facts_candidates(later)] == [p]
    local_rule_set(actor=None, key="PET-7-lookback-days", value=60)
    assert [c.earlier for c in same_facts_candidates(later)] == [p]  # 40 days ago is inside 60
    local_rule_set(actor=None, key="PET-7-lookback-days", value=30)
    assert same_facts_candidates(later) == []  # 40 days ago is outside 30


def test_review_window_lapses_after_30_days(w):
    """PET-7: no review after 30 days from the reply; the daily job then closes the case."""
    p = accepted(w)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    reply = svc.petition_reply(petition=p, actor=w.principal, **REPLY)
    past = timezone.now() - timedelta(days=40)
    Reply.objects.filter(pk=reply.pk).update(issued_at=past)
    Petition.objects.filter(pk=p.pk).update(answered_at=past)
    with pytest.raises(ValidationError) as err:
        svc.petition_review_apply(petition=p, reasons="不服")
    assert err.value.code == "lapsed"
    assert svc.petitions_close_lapsed() == 1
    p.refresh_from_db()
    assert p.status == S.CLOSED
    assert svc.petitions_close_lapsed() == 0  # idempotent


def test_statuses_only_move_through_the_table(w):
    p = file_case(w).petition
    with pytest.raises(TransitionNotAllowed):
        svc.petition_rate(petition=p, satisfaction="satisfied")
    with pytest.raises(ValidationError):
        svc.petition_reply(petition=p, actor=w.inspector, **REPLY)


def test_messages_and_notes(w):
    """Internal notes never reach the filer's timeline; messages do."""
    p = accepted(w)
    svc.petition_note_internal(petition=p, actor=w.inspector, text="内部意见")
    svc.petition_message_to_filer(petition=p, actor=w.inspector, text="请补充材料")
    svc.petition_message_from_filer(petition=p, text="已补充")
    from sunshine.core.models import Notification

    # the unit hears of it as a message (not a leader's instruction), by case number only
    told = Notification.objects.filter(text__contains=p.number, supervision__isnull=True)
    assert told.exists() and {n.verb for n in told} == {Notification.Verb.MESSAGE}
    assert not Notification.objects.filter(text__contains="已补充").exists()
    filer = [e.text for e in petition_timeline(p, for_filer=True)]
    staff = [e.text for e in petition_timeline(p, for_filer=False)]
    assert "内部意见" not in filer and "内部意见" in staff
    assert "请补充材料" in filer and "已补充" in filer
    with pytest.raises(PermissionDenied):
        svc.petition_note_internal(petition=p, actor=w.principal2, text="x")


def test_instruction_by_leader_only(w):
    p = accepted(w)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    unit_reported(p, w.principal)
    instruction = svc.petition_instruct(petition=p, author=w.leader, text="请尽快办理")
    assert instruction.supervision.rule_id == "PET-5"
    with pytest.raises(PermissionDenied):
        svc.petition_instruct(petition=p, author=w.staff, text="x")


def test_outcome_recorded(w):
    p = accepted(w)
    svc.petition_record_outcome(petition=p, refunds_ordered_fen=7315000, sanctions=2, actor=w.inspector)
    p.refresh_from_db()
    assert (p.refunds_ordered_fen, p.sanctions) == (7315000, 2)
    with pytest.raises(ValidationError):
        svc.petition_record_outcome(petition=p, refunds_ordered_fen=-1, sanctions=0, actor=w.inspector)


def test_queue_puts_real_name_first_and_clock_view(w):
    """PET-8: real-name cases are handled first (queue order); the clock shows its colour."""
    anonymous = file_case(w, received_at=timezone.now() - timedelta(days=2)).petition
    named = file_case(w, identity=FILER).petition
    assert list(petition_queue(w.inspector, "triage")) == [named, anonymous]
    assert list(petition_queue(w.principal, "triage")) == []
    clock = petition_clock(anonymous)
    assert clock.rule_id == "PET-3" and clock.rag == "green"


def test_overdue_queue(w):
    """OVS-1 red: a registered case past its PET-3 notice deadline is overdue."""
    old = file_case(w, received_at=timezone.now() - timedelta(days=40)).petition
    file_case(w)
    assert list(petition_queue(w.inspector, "overdue")) == [old]
    assert petition_clock(old).rag == "red"


def linked_to(petition, viewer):
    return [item.other for item in petition_links(petition, viewer)]


def test_links_suggested_never_merged(w):
    a = file_case(w, identity=FILER).petition
    b = file_case(w, identity=FILER, title="另一件事").petition
    c = file_case(w, subject_organization=w.school2, title="无关", facts="操场跑道破损多年无人修理。").petition
    assert a in linked_to(b, w.inspector) and c not in linked_to(b, w.inspector)
    assert Petition.objects.count() == 3


def test_phone_blind_index_is_not_under_the_receipt_key_and_rebuilds_after_a_key_change(w, settings):
    """The filer's phone index is a blind index under SUNSHINE_INDEX_KEY; after that key
    changes, the rebuild recomputes every index from the encrypted identity, so the
    same-filer links keep working (and receipt hashes are untouched)."""
    from io import StringIO

    from django.core.management import call_command

    from sunshine.core.crypto import blind_index, keyed_hash
    from sunshine.petitions import rules

    a = file_case(w, identity=FILER).petition
    phone = rules.phone_normalise(FILER.phone)
    assert a.identity.phone_index == blind_index(phone, purpose=rules.PHONE_INDEX_PURPOSE)
    assert a.identity.phone_index != keyed_hash(phone, purpose=rules.PHONE_INDEX_PURPOSE)
    receipt_hash = a.receipt_hash
    settings.SUNSHINE_INDEX_KEY = "a-new-index-key-a-new-index-key-0001"
    b = file_case(w, identity=FILER, title="另一件事", facts="校服费用比去年上涨一倍。", request="请求说明。").petition
    assert a not in linked_to(b, w.inspector)  # old indexes under the old key
    call_command("petition_identity_reindex", stdout=StringIO())
    svc.petition_links_find(petition=b, actor=None)  # links are made at intake or by the backfill
    assert a in linked_to(b, w.inspector)
    a.refresh_from_db()
    assert a.receipt_hash == receipt_hash


def test_recusal_hides_the_case(w):
    """PET-9: staff with an interest step aside; the case disappears for them."""
    from sunshine.petitions.access import petitions_visible_to

    p = file_case(w).petition
    second = make_second_inspector(w)
    assert petitions_visible_to(second).filter(pk=p.pk).exists()
    svc.petition_recuse(petition=p, user=second, reason="系亲属", actor=second)
    assert not petitions_visible_to(second).filter(pk=p.pk).exists()
    with pytest.raises(PermissionDenied):
        svc.petition_accept(petition=p, actor=second)


def make_second_inspector(w):
    from sunshine.orgs.models import Role
    from sunshine.petitions.tests.factories import member

    return member(w.discipline, Role.DISCIPLINE_INSPECTOR)
