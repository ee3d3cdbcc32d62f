"""A school's promotion and title rounds: criteria, applicants, results published for a
publicity period that cannot be cut short, objections recorded and answered first; and
the school's staff congress deciding its own items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sunshine.core.models import Supervision
from sunshine.core.seams import disclosure_entry_publish
from sunshine.decisions import services
from sunshine.decisions.models import Category, DecisionItem, Meeting, TitleRound, Vote

from .conftest import World


def test_a_round_from_criteria_to_closing(world: World) -> None:
    with pytest.raises(ValidationError):
        services.round_open(actor=world.staff, organization=world.bureau, kind="title", title="x", criteria="y")
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world.outsider, organization=world.school, kind="title", title="x", criteria="y")
    rnd = services.round_open(
        actor=world.principal, organization=world.school, kind=TitleRound.Kind.TITLE,
        title="2026年中小学一级教师职称推荐", criteria="任二级教师满5年，近三年考核合格。",
    )  # fmt: skip
    first = services.applicant_add(actor=world.principal, title_round=rnd, name="李老师", post="语文教师")
    second = services.applicant_add(actor=world.principal, title_round=rnd, name="王老师", post="数学教师")
    services.applicant_evaluate(actor=world.principal, applicant=first, score=Decimal("88.5"), recommended=True)
    with pytest.raises(ValidationError):
        services.round_publish(actor=world.principal, title_round=rnd)  # 王老师 not evaluated
    services.applicant_evaluate(actor=world.principal, applicant=second, score=Decimal("71"), recommended=False)
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")
    start = timezone.now() - timedelta(days=20)
    services.round_publish(actor=world.principal, title_round=rnd, now=start)
    rnd.refresh_from_db()
    assert rnd.status == TitleRound.Status.PUBLISHED and rnd.published_url and rnd.publicity_until
    assert Supervision.objects.filter(object_id=str(rnd.pk), rule_id="ENR-3").exists()
    with pytest.raises(ValidationError):
        services.applicant_evaluate(actor=world.principal, applicant=second, score=Decimal("90"), recommended=True)
    objection = services.objection_record(
        actor=world.principal, title_round=rnd, text="王老师的课题成果未计入。", applicant=second
    )
    with pytest.raises(ValidationError):
        services.round_close(actor=world.principal, title_round=rnd, now=start + timedelta(days=1))  # publicity
    with pytest.raises(ValidationError):
        services.round_close(actor=world.principal, title_round=rnd)  # objection unanswered
    services.objection_answer(actor=world.principal, objection=objection, answer="经复核，该成果不在评审年限内。")
    services.round_close(actor=world.principal, title_round=rnd)
    rnd.refresh_from_db()
    assert rnd.status == TitleRound.Status.CLOSED


def test_the_staff_congress_decides_a_schools_item(world: World) -> None:
    item = services.item_create(
        actor=world.principal, organization=world.school, title="绩效工资分配方案", category=Category.MAJOR_DECISION
    )
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=world.principal, organization=world.school, kind=Meeting.Kind.PARTY_GOVERNMENT, title="x",
            held_at=timezone.now(), members=[("甲", "", True), ("乙", "", False)],
        )  # fmt: skip
    congress = services.meeting_create(
        actor=world.principal, organization=world.school, kind=Meeting.Kind.STAFF_CONGRESS,
        title="第五届教代会第二次会议", held_at=timezone.now(),
        members=[("刘校长", "校长", True), ("代表甲", "", False), ("代表乙", "", False)],
    )  # fmt: skip
    point = services.agenda_add(actor=world.principal, meeting=congress, item=item)
    services.meeting_open(actor=world.principal, meeting=congress)
    for member in congress.members.order_by("is_principal"):
        services.speech_record(actor=world.principal, agenda_item=point, member=member, text="同意。")
        services.vote_record(actor=world.principal, agenda_item=point, member=member, choice=Vote.Choice.FOR)
    services.agenda_decide(actor=world.principal, agenda_item=point, resolution="表决通过绩效工资分配方案。")
    item.refresh_from_db()
    assert item.status == DecisionItem.Status.DECIDED
    if disclosure_entry_publish.installed:
        services.decision_publish(actor=world.principal, item=item)
        item.refresh_from_db()
        assert item.published_url
