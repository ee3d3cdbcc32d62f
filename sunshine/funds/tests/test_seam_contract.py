"""The decisions → funds seams (FND-2) run against funds' real receivers."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from sunshine.core.seams import (
    FundProject,
    FundProjectPayment,
    FundProjectQuery,
    FundProjectResult,
    FundProjectStatus,
    fund_project_open,
    fund_project_pay,
    fund_project_status,
)
from sunshine.core.testing import District
from sunshine.funds import services
from sunshine.funds.models import Allocation, Disbursement
from sunshine.funds.tests.conftest import evidence
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db

LABEL = "decisions.project:4"


def _open(d: District, amount: int = 50_000_000) -> FundProjectResult:
    return fund_project_open(
        FundProject(
            organization_id=d.school.pk,
            title="幼儿园教学楼",
            amount_fen=amount,
            year=2026,
            approved_on=date(2026, 3, 1),
            source_label=LABEL,
        ),
        actor=d.user(Role.LEADER),
    )


def _certify(d: District, allocation_id: int, bp: int) -> None:
    allocation = Allocation.objects.get(pk=allocation_id)
    services.progress_certify(
        actor=d.user(Role.DEPARTMENT_STAFF),
        allocation=allocation,
        progress_bp=bp,
        certified_on=date(2026, 4, 1),
        evidence=evidence(),
    )


def _pay(d: District, amount: int, voucher: str) -> FundProjectStatus:
    return fund_project_pay(
        FundProjectPayment(source_label=LABEL, amount_fen=amount, paid_on=date(2026, 4, 2), voucher=voucher),
        actor=d.user(Role.LEADER),
    )


def test_open_is_idempotent_and_gives_the_workbench_page():
    d = District()
    first = _open(d)
    again = _open(d)
    assert isinstance(first, FundProjectResult)
    assert first.allocation_id == again.allocation_id
    assert first.url == f"/funds/staff/allocations/{first.allocation_id}/"
    allocation = Allocation.objects.get(pk=first.allocation_id)
    assert allocation.fund.is_project and allocation.amount_fen == 50_000_000
    assert allocation.fund.total_fen == 50_000_000
    raised = _open(d, amount=60_000_000)
    assert Allocation.objects.get(pk=raised.allocation_id).amount_fen == 60_000_000


def test_pay_within_certified_progress_and_status():
    d = District()
    opened = _open(d)
    _certify(d, opened.allocation_id, 4000)  # 40 %: 20 000 000 fen payable
    status = _pay(d, 15_000_000, "PZ-1")
    assert status == FundProjectStatus(
        allocation_id=opened.allocation_id,
        amount_fen=50_000_000,
        certified_bp=4000,
        certified_on=date(2026, 4, 1),
        payable_fen=20_000_000,
        paid_fen=15_000_000,
    )
    assert fund_project_status(FundProjectQuery(source_label=LABEL), actor=d.user(Role.LEADER)) == status


@pytest.mark.parametrize(
    ("amount", "voucher", "needle"),
    [
        (6_000_000, "PZ-2", "ahead of the certified progress"),  # 15 + 6 > 20 payable
        (5_000_000, "PZ-1", "already recorded"),  # a repeated voucher
    ],
)
def test_refused_and_nothing_recorded(amount, voucher, needle):
    d = District()
    opened = _open(d)
    _certify(d, opened.allocation_id, 4000)
    _pay(d, 15_000_000, "PZ-1")
    before = Disbursement.objects.count()
    with pytest.raises(ValidationError) as exc:
        _pay(d, amount, voucher)
    assert needle in " ".join(exc.value.messages)
    assert Disbursement.objects.count() == before


def test_over_the_amount_refused_even_when_complete():
    d = District()
    opened = _open(d)
    _certify(d, opened.allocation_id, 10_000)
    with pytest.raises(ValidationError) as exc:
        _pay(d, 50_000_001, "PZ-9")
    assert "against an allocation" in " ".join(exc.value.messages)
    assert not Disbursement.objects.exists()


def test_refusal_is_in_chinese_for_a_reader():
    from django.utils import translation

    d = District()
    _open(d)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _pay(d, 1, "PZ-0")
    assert "已认定" in " ".join(exc.value.messages) or "进度" in " ".join(exc.value.messages)
