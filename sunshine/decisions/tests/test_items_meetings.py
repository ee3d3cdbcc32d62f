"""Decision items (OVS-3, DEC-2) and meetings (DEC-2, DEC-3): what may go on an agenda,
quorum without those stepping aside, the principal last, named votes with dissent,
minutes frozen and amended."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from docx import Document

from sunshine.core.actors import SYSTEM
from sunshine.core.local_rules import local_rule_set
from sunshine.core.models import AuditEntry, IssuedDocument
from sunshine.core.transitions import TransitionNotAllowed, transition
from sunshine.decisions import rules, services
from sunshine.decisions.models import AgendaItem, Category, DecisionItem, Meeting, Step, Vote

from .conftest import World, pdf


def docx_text(document: IssuedDocument) -> str:
    with document.file.file.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    return "\n".join(p.text for p in doc.paragraphs)


def test_large_expenditure_needs_the_local_threshold(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        world.item(title="购置课桌椅", category=Category.LARGE_EXPENDITURE, amount_fen=49_999_999)
    assert "大额" in str(err.value) or "500,000" in str(err.value)
    assert not DecisionItem.objects.exists()
    item = world.item(title="购置课桌椅", category=Category.LARGE_EXPENDITURE, amount_fen=50_000_000)
    assert item.status == DecisionItem.Status.DRAFT
    local_rule_set(actor=SYSTEM, key="OVS-3-threshold-fen", value=100_000_000)
    with pytest.raises(ValidationError):
        world.item(title="购置电脑", category=Category.LARGE_EXPENDITURE, amount_fen=50_000_000)


def test_only_the_organisations_staff_create_items(world: World) -> None:
    for outsider in (world.outsider, world.inspector, world.principal):
        with pytest.raises(PermissionDenied):
            services.item_create(actor=outsider, organization=world.bureau, title="x", category=Category.MAJOR_DECISION)
    assert not DecisionItem.objects.exists()


def test_a_major_decision_without_its_steps_cannot_go_on_an_agenda(world: World) -> None:
    item = world.item(major_administrative=True)
    meeting = world.meeting()
    services.step_record(actor=world.staff, item=item, step=Step.EXPERT_OPINION, title="专家论证意见",
                         done_on=item.created_at.date(), file=pdf())  # fmt: skip
    with pytest.raises(ValidationError) as err:
        services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    message = " ".join(err.value.messages)
    assert "风险评估" in message and "合法性审查" in message and "公众参与" in message
    assert not meeting.agenda.exists()
    item.refresh_from_db()
    assert item.status == DecisionItem.Status.DRAFT


def test_a_step_needs_its_document(world: World) -> None:
    item = world.item(major_administrative=True)
    with pytest.raises(ValidationError):
        services.step_record(actor=world.staff, item=item, step=Step.RISK_ASSESSMENT, title="风险评估报告",
                             done_on=item.created_at.date())  # fmt: skip
    assert not item.steps.exists()


def _decide_ready(world: World, item: DecisionItem, meeting: Meeting) -> AgendaItem:
    services.meeting_open(actor=world.staff, meeting=meeting)
    return meeting.agenda.get(item=item)


def _all_vote_for(world: World, point: AgendaItem, *, skip: tuple[str, ...] = ()) -> None:
    members = [m for m in point.meeting.members.all() if m.present and m.name not in skip]
    recused = set(point.recusals.values_list("member_id", flat=True))
    speakers = [m for m in members if m.pk not in recused]
    for member in sorted(speakers, key=lambda m: m.is_principal):
        services.speech_record(actor=world.staff, agenda_item=point, member=member, text="同意。")
    for member in speakers:
        services.vote_record(actor=world.staff, agenda_item=point, member=member, choice=Vote.Choice.FOR)


def test_full_meeting_with_recusal_dissent_and_frozen_minutes(world: World) -> None:
    item = world.item(major_administrative=True)
    world.steps(item)
    meeting = world.meeting()
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    point = _decide_ready(world, item, meeting)
    members = {m.name: m for m in meeting.members.all()}
    services.recusal_record(
        actor=world.staff, agenda_item=point, member=members["陈主任"], reason="其配偶任职于涉及学校"
    )
    with pytest.raises(ValidationError):
        services.vote_record(actor=world.staff, agenda_item=point, member=members["陈主任"], choice=Vote.Choice.FOR)
    services.speech_record(actor=world.staff, agenda_item=point, member=members["李副局长"], text="同意方案。")
    services.speech_record(actor=world.staff, agenda_item=point, member=members["张副局长"], text="同意。")
    services.speech_record(
        actor=world.staff, agenda_item=point, member=members["赵组长"], text="撤并学校须再听取家长意见。"
    )
    services.speech_record(actor=world.staff, agenda_item=point, member=members["王局长"], text="同意，按程序实施。")
    # DEC-3: nobody speaks after the principal leader.
    with pytest.raises(ValidationError):
        services.speech_record(actor=world.staff, agenda_item=point, member=members["陈主任"], text="补充。")
    # A vote against needs the member's own words.
    with pytest.raises(ValidationError):
        services.vote_record(actor=world.staff, agenda_item=point, member=members["赵组长"], choice=Vote.Choice.AGAINST)
    services.vote_record(actor=world.staff, agenda_item=point, member=members["赵组长"], choice=Vote.Choice.AGAINST,
                         dissent="撤并村小会增加学生上学路程，我不同意。")  # fmt: skip
    for name in ("王局长", "李副局长", "张副局长"):
        services.vote_record(actor=world.staff, agenda_item=point, member=members[name], choice=Vote.Choice.FOR)
    quorum = rules.quorum(point)
    assert (quorum.members, quorum.present) == (4, 4)
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution="原则通过布局调整规划。")
    item.refresh_from_db()
    assert item.status == DecisionItem.Status.DECIDED and item.decided_in_id == point.pk
    services.meeting_close(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    minutes = meeting.minutes
    assert minutes is not None and len(minutes.sha256) == 64
    text = docx_text(minutes)
    assert "撤并村小会增加学生上学路程，我不同意。" in text
    assert "陈主任" in text and "回避" in text
    assert "原则通过布局调整规划" in text
    # A frozen record is never edited: a correction is a signed new version.
    with pytest.raises(ValidationError):
        services.agenda_add(actor=world.staff, meeting=meeting, item=world.item(title="另一事项"))
    first_hash = minutes.sha256
    services.minutes_amend(actor=world.leader, meeting=meeting, text="第1项赵组长发言更正为“须再听取家长和村民意见”。")
    meeting.refresh_from_db()
    old = IssuedDocument.objects.get(pk=minutes.pk)
    assert old.superseded_at is not None and old.sha256 == first_hash
    assert meeting.minutes.version == 2 and meeting.minutes.number == old.number
    assert "须再听取家长和村民意见" in docx_text(meeting.minutes)
    assert AuditEntry.objects.filter(action="decisions.minutes_amend").exists()


def test_no_decision_without_a_quorum_recomputed_without_recusals(world: World) -> None:
    item = world.item()
    meeting = world.meeting()
    members = {m.name: m for m in meeting.members.all()}
    services.member_absent(actor=world.staff, member=members["张副局长"], reason="出差")
    services.member_absent(actor=world.staff, member=members["陈主任"], reason="病假")
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    point = _decide_ready(world, item, meeting)
    # 3 of 5 present: more than half.
    assert rules.quorum(point).met
    services.recusal_record(actor=world.staff, agenda_item=point, member=members["李副局长"], reason="亲属参与投标")
    # Without the member stepping aside: 2 of 4 present, not more than half.
    q = rules.quorum(point)
    assert (q.present, q.members, q.met) == (2, 4, False)
    _all_vote_for(world, point)
    with pytest.raises(ValidationError) as err:
        services.agenda_decide(actor=world.staff, agenda_item=point, resolution="同意。")
    assert "人数" in " ".join(err.value.messages) or "到会" in " ".join(err.value.messages)
    item.refresh_from_db()
    assert item.status == DecisionItem.Status.SCHEDULED and item.decided_in is None


def test_appointments_need_two_thirds_exactly(world: World) -> None:
    assert rules.share(0.6667) == Fraction(2, 3)
    members = [(f"成员{i}", "", i == 0) for i in range(6)]
    meeting = world.meeting(members)
    item = world.item(title="任免某校校长", category=Category.APPOINTMENT)
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    all_members = list(meeting.members.order_by("order"))
    for member in all_members[4:]:
        services.member_absent(actor=world.staff, member=member, reason="公出")
    point = _decide_ready(world, item, meeting)
    q = rules.quorum(point)  # 4 of 6 = exactly two thirds: at least two thirds is met
    assert q.share == Fraction(2, 3) and q.met
    plain = world.item(title="一般事项")
    services.agenda_add(actor=world.staff, meeting=meeting, item=plain)
    assert rules.quorum(meeting.agenda.get(item=plain)).met  # 4/6 > 1/2
    services.recusal_record(actor=world.staff, agenda_item=point, member=all_members[1], reason="本人近亲属")
    assert not rules.quorum(point).met  # 3 of 5 < 2/3


def test_the_principal_must_speak_last_before_deciding(world: World) -> None:
    item = world.item()
    meeting = world.meeting([("甲", "", True), ("乙", "", False), ("丙", "", False)])
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    point = _decide_ready(world, item, meeting)
    members = {m.name: m for m in meeting.members.all()}
    services.speech_record(actor=world.staff, agenda_item=point, member=members["乙"], text="同意。")
    for member in members.values():
        services.vote_record(actor=world.staff, agenda_item=point, member=member, choice=Vote.Choice.FOR)
    with pytest.raises(ValidationError) as err:
        services.agenda_decide(actor=world.staff, agenda_item=point, resolution="通过。")
    assert "最后" in " ".join(err.value.messages)
    services.speech_record(actor=world.staff, agenda_item=point, member=members["甲"], text="同意。")
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution="通过。")
    local_rule_set(actor=SYSTEM, key="DEC-3-principal-last", value=False)
    other = world.item(title="另一事项")
    services.agenda_add(actor=world.staff, meeting=meeting, item=other)
    point2 = meeting.agenda.get(item=other)
    for member in members.values():
        services.vote_record(actor=world.staff, agenda_item=point2, member=member, choice=Vote.Choice.FOR)
    services.agenda_decide(actor=world.staff, agenda_item=point2, resolution="通过。")


def test_a_decision_cannot_be_recorded_outside_a_meeting(world: World) -> None:
    item = world.item()
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        transition(item, DecisionItem.Status.DECIDED, actor=world.staff)
    meeting = world.meeting()
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    point = meeting.agenda.get()
    # The meeting is only planned, not in session.
    with pytest.raises(ValidationError):
        services.agenda_decide(actor=world.staff, agenda_item=point, resolution="通过。")
    item.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionItem.objects.filter(pk=item.pk)._transition_update(status="decided")


def test_a_majority_against_rejects(world: World) -> None:
    item = world.item()
    meeting = world.meeting([("甲", "", True), ("乙", "", False), ("丙", "", False)])
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    point = _decide_ready(world, item, meeting)
    members = {m.name: m for m in meeting.members.all()}
    for name in ("乙", "丙", "甲"):
        services.speech_record(actor=world.staff, agenda_item=point, member=members[name], text="意见。")
    services.vote_record(actor=world.staff, agenda_item=point, member=members["甲"], choice=Vote.Choice.FOR)
    services.vote_record(actor=world.staff, agenda_item=point, member=members["乙"], choice=Vote.Choice.AGAINST,
                         dissent="预算不足。")  # fmt: skip
    services.vote_record(actor=world.staff, agenda_item=point, member=members["丙"], choice=Vote.Choice.ABSTAIN)
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution="暂不实施。")
    item.refresh_from_db()
    assert item.status == DecisionItem.Status.REJECTED
