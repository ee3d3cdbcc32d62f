"""Public consultation (DEC-1), execution under supervision, projects, tenders and their
red flags, publication through the catalogue, and the funds seams (FND-2)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from docx import Document

from sunshine.core.audit import audit_public
from sunshine.core.models import AuditEntry, Supervision
from sunshine.core.seams import SeamUnavailable, disclosure_entry_publish, fund_project_pay
from sunshine.decisions import rules, services
from sunshine.decisions.models import (
    Category,
    Comment,
    CommentGroup,
    Consultation,
    Contract,
    DecisionItem,
    Step,
    Task,
    Vote,
)

from .conftest import World


def decided(world: World, item: DecisionItem) -> DecisionItem:
    meeting = world.meeting([("甲", "", True), ("乙", "", False), ("丙", "", False)])
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    services.meeting_open(actor=world.staff, meeting=meeting)
    point = meeting.agenda.get(item=item)
    for member in meeting.members.order_by("is_principal"):
        services.speech_record(actor=world.staff, agenda_item=point, member=member, text="同意。")
        services.vote_record(actor=world.staff, agenda_item=point, member=member, choice=Vote.Choice.FOR)
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution="同意实施。")
    item.refresh_from_db()
    return item


def test_consultation_open_thirty_days_comments_and_report(world: World) -> None:
    item = world.item(major_administrative=True)
    start = timezone.now() - timedelta(days=40)
    consultation = services.consultation_open(
        actor=world.staff, item=item, title="布局调整规划（征求意见稿）", draft="撤并三所村小……", now=start
    )
    assert (consultation.closes_on - timezone.localdate(start)).days >= 30
    assert Supervision.objects.filter(rule_id="DEC-1", object_id=str(consultation.pk)).exists()
    with audit_public():
        anonymous = services.comment_submit(consultation=consultation, text="建议保留村小教学点。")
        named = services.comment_submit(
            consultation=consultation, text="校车要跟上。", named=True, name="刘家长", contact="13900001111"
        )
        services.comment_submit(consultation=consultation, text="广告内容")
    entry = AuditEntry.objects.filter(action="decisions.comment_submit").last()
    assert entry.actor is None and entry.ip is None
    # The name is stored encrypted, never in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM decisions_comment WHERE id = %s", [named.pk])
        assert "刘家长" not in cursor.fetchone()[0]
    assert Comment.objects.get(pk=named.pk).name == "刘家长"
    assert anonymous.name == "" and anonymous.contact == ""
    # DEC-1: not before its 30 days.
    with pytest.raises(ValidationError):
        services.consultation_close(actor=world.staff, consultation=consultation, now=start + timedelta(days=10))
    services.consultation_close(actor=world.staff, consultation=consultation)
    with pytest.raises(ValidationError):
        services.comment_submit(consultation=consultation, text="晚到的意见")
    with pytest.raises(ValidationError):
        services.consultation_report_issue(actor=world.staff, consultation=consultation)  # pending comments
    for comment in consultation.comments.all():
        services.comment_moderate(actor=world.staff, comment=comment, accept=comment.text != "广告内容", reason="广告")
    accepted = list(consultation.comments.filter(moderation=Comment.Moderation.ACCEPTED))
    group = services.group_create(actor=world.staff, consultation=consultation, title="村小与交通", comments=accepted)
    with pytest.raises(ValidationError):
        services.consultation_report_issue(actor=world.staff, consultation=consultation)  # unanswered group
    services.group_answer(
        actor=world.staff, group=group, answer=CommentGroup.Answer.PARTLY, reason="保留一个教学点，开通校车。"
    )
    services.consultation_report_issue(actor=world.staff, consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.REPORTED
    with consultation.report.file.file.open("rb") as fh:
        text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
    assert "保留一个教学点，开通校车。" in text and "刘家长" not in text
    assert item.steps.filter(step=Step.PUBLIC_PARTICIPATION, document=consultation.report).exists()


def test_tasks_run_under_supervision(world: World) -> None:
    item = decided(world, world.item())
    with pytest.raises(ValidationError):
        services.task_assign(actor=world.staff, item=world.item(title="未决"), unit=world.school, text="落实")
    task = services.task_assign(actor=world.staff, item=item, unit=world.school, text="完成校舍改造方案")
    supervision = Supervision.objects.get(rule_id="DEC-2-task", object_id=str(task.pk))
    assert supervision.organization == world.school
    with pytest.raises(PermissionDenied):
        services.task_progress(actor=world.outsider, task=task, text="完成")
    services.task_progress(actor=world.principal, task=task, text="方案已报局", done=True)
    task.refresh_from_db()
    supervision.refresh_from_db()
    assert task.status == Task.Status.DONE and supervision.status == Supervision.Status.ANSWERED
    # The next meeting lists the decision's execution on its agenda while a task is open.
    other = services.task_assign(actor=world.staff, item=item, unit=world.office, text="制定实施细则")
    meeting = world.meeting()
    point = meeting.agenda.get(item=item, kind="report")
    services.meeting_open(actor=world.staff, meeting=meeting)
    services.agenda_report(actor=world.staff, agenda_item=point, text="校舍改造方案已完成，实施细则在制定中。")
    services.meeting_close(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    with meeting.minutes.file.file.open("rb") as fh:
        text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
    assert "完成校舍改造方案" in text and "方案已报局" in text and "制定实施细则" in text
    services.task_progress(actor=world.staff, task=other, text="细则已印发", done=True)
    assert not world.meeting().agenda.filter(item=item).exists()  # carried out: nothing left to report


def kindergarten(world: World) -> tuple:
    item = decided(world, world.item(title="新建第三幼儿园", category=Category.MAJOR_PROJECT))
    project = services.project_create(actor=world.staff, item=item, title="第三幼儿园教学楼", ceiling_fen=800_000_000)
    tender = services.tender_record(
        actor=world.staff, project=project, method="open", opened_on=date(2026, 6, 1),
        bids=[("甲建设公司", 790_000_000), ("乙建工集团", 760_000_000), ("丙建筑公司", 810_000_000)],
    )  # fmt: skip
    return item, project, tender


def test_tender_award_contract_and_red_flags(world: World) -> None:
    _item, project, tender = kindergarten(world)
    above = tender.bids.get(bidder="丙建筑公司")
    with pytest.raises(ValidationError):
        services.tender_award(actor=world.staff, tender=tender, bid=above, awarded_on=date(2026, 6, 5))
    winner = tender.bids.get(bidder="甲建设公司")
    services.tender_award(actor=world.staff, tender=tender, bid=winner, awarded_on=date(2026, 6, 5))
    flags = rules.red_flags()
    assert [f.kind for f in flags] == ["near_ceiling"]  # 790/800 = 98.75 %
    with pytest.raises(ValidationError):
        services.contract_record(
            actor=world.staff, organization=world.bureau, project=project, purpose="教学楼施工",
            contractor="乙建工集团", price_fen=760_000_000, signed_on=date(2026, 6, 10),
        )  # fmt: skip
    services.contract_record(
        actor=world.staff, organization=world.bureau, project=project, purpose="教学楼施工",
        contractor="甲建设公司", price_fen=790_000_000, signed_on=date(2026, 6, 10),
    )  # fmt: skip
    published = services.tender_publish(actor=world.staff, tender=tender)
    assert published.tender_published_url


def test_single_bidder_repeat_winner_and_split_purchases(world: World) -> None:
    for n in range(3):
        item = decided(world, world.item(title=f"工程{n}", category=Category.MAJOR_PROJECT))
        project = services.project_create(actor=world.staff, item=item, title=f"工程{n}", ceiling_fen=100_000_000)
        tender = services.tender_record(
            actor=world.staff, project=project, method="invited", opened_on=date(2026, 3 + n, 1),
            bids=[("丁公司", 80_000_000)] + ([("戊公司", 90_000_000)] if n else []),
        )  # fmt: skip
        services.tender_award(actor=world.staff, tender=tender, bid=tender.bids.get(bidder="丁公司"),
                              awarded_on=date(2026, 3 + n, 2))  # fmt: skip
    kinds = sorted(f.kind for f in rules.red_flags())
    assert kinds == ["repeat_winner", "single_bidder"]
    for day, fen in ((1, 20_000_000), (20, 20_000_000), (40, 15_000_000)):
        services.contract_record(
            actor=world.staff, organization=world.bureau, purpose="多媒体设备采购", contractor="某科技公司",
            price_fen=fen, signed_on=date(2026, 1, 1) + timedelta(days=day),
        )  # fmt: skip
    assert [f.kind for f in rules.split_flags(Contract.objects.all())] == ["split"]
    Contract.objects.filter(price_fen=15_000_000).delete()
    assert rules.split_flags(Contract.objects.all()) == []  # 400,000 yuan together: under the threshold


def test_decision_published_with_its_consultation_report(world: World) -> None:
    item = world.item(title="中小学布局调整规划")
    consultation = services.consultation_open(
        actor=world.staff, item=item, title="征求意见稿", draft="草案", now=timezone.now() - timedelta(days=35)
    )
    services.consultation_close(actor=world.staff, consultation=consultation)
    services.consultation_report_issue(actor=world.staff, consultation=consultation)
    item = decided(world, item)
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")
    services.decision_publish(actor=world.staff, item=item)
    item.refresh_from_db()
    consultation.refresh_from_db()
    assert item.published_at is not None and item.published_url
    assert consultation.report.published
    with pytest.raises(PermissionDenied):
        services.decision_publish(actor=world.inspector, item=item)


def test_funds_seam_absent_says_so_and_records_nothing(world: World) -> None:
    _item, project, tender = kindergarten(world)
    services.tender_award(actor=world.staff, tender=tender, bid=tender.bids.get(bidder="乙建工集团"),
                          awarded_on=date(2026, 6, 5))  # fmt: skip
    services.contract_record(
        actor=world.staff, organization=world.bureau, project=project, purpose="教学楼施工",
        contractor="乙建工集团", price_fen=760_000_000, signed_on=date(2026, 6, 10),
    )  # fmt: skip
    with fund_project_pay.absent(), pytest.raises(SeamUnavailable):
        services.project_pay(
            actor=world.staff, project=project, amount_fen=1_000, paid_on=date(2026, 7, 1), voucher="V1"
        )
    assert not project.payments.exists()


@pytest.mark.skipif(not fund_project_pay.installed, reason="the funds module is not installed in this build")
def test_payments_never_run_ahead_of_certified_progress(world: World) -> None:
    _item, project, tender = kindergarten(world)
    services.tender_award(actor=world.staff, tender=tender, bid=tender.bids.get(bidder="乙建工集团"),
                          awarded_on=date(2026, 6, 5))  # fmt: skip
    services.contract_record(
        actor=world.staff, organization=world.bureau, project=project, purpose="教学楼施工",
        contractor="乙建工集团", price_fen=760_000_000, signed_on=date(2026, 6, 10),
    )  # fmt: skip
    services.project_funds_open(actor=world.staff, project=project)
    # Nothing certified yet: funds refuses, and nothing is recorded here.
    with pytest.raises(ValidationError):
        services.project_pay(
            actor=world.staff, project=project, amount_fen=1_000, paid_on=date(2026, 7, 1), voucher="V1"
        )
    assert not project.payments.exists()
    status = services.project_funds_status(project)
    assert status.paid_fen == 0 and status.amount_fen == 760_000_000
