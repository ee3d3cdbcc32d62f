"""The seams oversight receives, sent for real to its real subscribers:
``rectification_request`` (any module → OVS-4) and ``fee_violation_confirmed``
(FEE-6 → OVS-2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.local_rules import local_rule_set
from sunshine.core.models import Supervision
from sunshine.core.seams import (
    FeeViolationConfirmed,
    RectificationRequest,
    fee_violation_confirmed,
    rectification_request,
)
from sunshine.core.seams import (
    RectificationItem as SeamItem,
)
from sunshine.core.supervision import supervision_list_of
from sunshine.oversight.models import RectificationItem, RectificationOrder, Veto

pytestmark = pytest.mark.django_db


def _request(world, label="funds.transfer:12", due=None):
    return RectificationRequest(
        organization_id=world.school.pk,
        issuer_id=world.bureau.pk,
        source_label=label,
        items=(SeamItem(text="补齐专项资金拨付凭证", due_on=due), SeamItem(text="公开资金使用情况")),
    )


def test_a_rectification_request_becomes_an_order_with_supervised_items(world):
    due = timezone.localdate() + timedelta(days=10)
    assert rectification_request.send(_request(world, due=due), actor=SYSTEM) >= 1
    order = RectificationOrder.objects.get(source_label="funds.transfer:12")
    assert order.organization == world.school and order.issuer == world.bureau
    assert order.source == RectificationOrder.Source.FUNDS
    first, second = order.items.order_by("position")
    assert first.due_on == due  # the order's date
    assert second.due_on > timezone.localdate()  # OVS-4's clock
    for item in (first, second):
        (clock,) = supervision_list_of(item)
        assert clock.rule_id == "OVS-4" and clock.organization == world.school
        assert clock.status == Supervision.Status.OPEN
        assert timezone.localtime(clock.due_at).date() == item.due_on


def test_the_same_source_twice_makes_one_order(world):
    rectification_request.send(_request(world), actor=SYSTEM)
    rectification_request.send(_request(world), actor=SYSTEM)
    assert RectificationOrder.objects.filter(source_label="funds.transfer:12").count() == 1
    assert RectificationItem.objects.count() == 2


def test_a_request_without_an_actor_is_refused_and_records_nothing(world):
    with pytest.raises(PermissionDenied):
        rectification_request.send(_request(world), actor=None)
    assert not RectificationOrder.objects.exists()


def _violation(world, finding=7, year="2026-2027"):
    return FeeViolationConfirmed(
        school_id=world.school.pk,
        school_year=year,
        finding_id=finding,
        finding_label="2026年秋季学期 教辅材料费：未备案收费",
    )


def test_a_confirmed_illegal_fee_vetoes_the_school_year_once(world):
    fee_violation_confirmed.send(_violation(world, finding=7), actor=world.inspector)
    fee_violation_confirmed.send(_violation(world, finding=8), actor=world.inspector)
    (veto,) = Veto.objects.all()
    assert (veto.school, veto.school_year, veto.reason) == (world.school, "2026-2027", Veto.Reason.ILLEGAL_FEE)
    assert "未备案收费" in veto.evidence and veto.source_label == "fees.finding:7"
    assert veto.appeal_due_on > date.today() - timedelta(days=1)
    fee_violation_confirmed.send(_violation(world, finding=9, year="2027-2028"), actor=world.inspector)
    assert Veto.objects.count() == 2


def test_the_local_rule_turned_off_vetoes_nothing(world):
    local_rule_set(actor=None, key="FEE-6-veto", value="no")
    fee_violation_confirmed.send(_violation(world), actor=world.inspector)
    assert not Veto.objects.exists()
