"""funds' receivers of the decisions → funds seams (FND-2), registered in
``FundsConfig.ready()``. A decision opens a project paid against certified progress,
pays it, and asks where it stands; funds refuses, in Chinese and recording nothing, a
payment ahead of the certified progress, over the amount, or with a repeated voucher.

The calling module has checked its actor's right to hand the project over; funds records
who called (audit) and does the work as the platform."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM
from sunshine.core.audit import audit_record
from sunshine.core.seams import FundProject, FundProjectPayment, FundProjectQuery, FundProjectResult, FundProjectStatus
from sunshine.funds import services
from sunshine.funds.models import Allocation, Fund
from sunshine.orgs.models import Organization

# The fund that holds the projects decisions hand over, one per bureau and year.
PROJECT_FUND_NAME = "重大事项项目资金"


def _project_fund(bureau: Organization, year: int, approved_on: Any) -> Fund:
    fund = Fund.objects.select_for_update().filter(bureau=bureau, year=year, name=PROJECT_FUND_NAME).first()
    if fund is None:
        fund = services.fund_create(
            actor=SYSTEM,
            bureau=bureau,
            name=PROJECT_FUND_NAME,
            source_level=Fund.Source.DISTRICT,
            purpose=Fund.Purpose.SPECIAL,
            year=year,
            approved_on=approved_on,
            approval_document=_("Approved by decision"),
            total_fen=0,
            mode=Fund.Mode.PROJECT,
            position=900,
        )
    return fund


def _status(allocation: Allocation) -> FundProjectStatus:
    certs = allocation.certifications.order_by("-progress_bp", "-certified_on")
    latest = certs.first()
    return FundProjectStatus(
        allocation_id=allocation.pk,
        amount_fen=allocation.amount_fen,
        certified_bp=latest.progress_bp if latest else 0,
        certified_on=latest.certified_on if latest else None,
        payable_fen=services.payable_fen(allocation),
        paid_fen=services.paid_fen(allocation),
    )


@transaction.atomic
def project_open(payload: FundProject, *, actor: Any) -> FundProjectResult:
    if payload.amount_fen <= 0:
        raise ValidationError(_("A project's amount must be more than zero."))
    if not (payload.title or "").strip():
        raise ValidationError(_("A project needs a title."))
    organization = get_object_or_404(Organization, pk=payload.organization_id)
    existing = Allocation.objects.select_for_update().filter(source_label=payload.source_label).first()
    if existing is not None:
        if payload.amount_fen != existing.amount_fen:
            paid = services.paid_fen(existing)
            if payload.amount_fen < paid:
                raise ValidationError(
                    _("The project has %(paid)s yuan paid already; its amount cannot fall below that.")
                    % {"paid": services.yuan(paid)}
                )
            fund = Fund.objects.select_for_update().get(pk=existing.fund_id)
            fund.total_fen += payload.amount_fen - existing.amount_fen
            fund.save(update_fields=["total_fen"])
            old = existing.amount_fen
            existing.amount_fen = payload.amount_fen
            existing.save(update_fields=["amount_fen"])
            audit_record(
                actor=actor,
                action="funds.project_amount",
                target=existing,
                data={"from_fen": old, "to_fen": payload.amount_fen, "source": payload.source_label},
            )
        return FundProjectResult(allocation_id=existing.pk, url=reverse("funds:allocation", args=[existing.pk]))
    fund = _project_fund(organization.bureau, payload.year, payload.approved_on)
    fund.total_fen += payload.amount_fen
    fund.save(update_fields=["total_fen"])
    allocation = services.allocation_create(
        actor=SYSTEM,
        fund=fund,
        organization=organization,
        amount_fen=payload.amount_fen,
        title=payload.title.strip()[:120],
        source_label=payload.source_label,
    )
    audit_record(actor=actor, action="funds.project_open", target=allocation, data={"source": payload.source_label})
    return FundProjectResult(allocation_id=allocation.pk, url=reverse("funds:allocation", args=[allocation.pk]))


def _by_label(label: str) -> Allocation:
    allocation = Allocation.objects.select_related("fund").filter(source_label=label).first()
    if allocation is None:
        raise ValidationError(_("No project of funds was opened for this item."))
    return allocation


@transaction.atomic
def project_pay(payload: FundProjectPayment, *, actor: Any) -> FundProjectStatus:
    allocation = _by_label(payload.source_label)
    services.disbursement_record(
        actor=SYSTEM,
        allocation=allocation,
        paid_on=payload.paid_on,
        amount_fen=payload.amount_fen,
        voucher=payload.voucher,
    )
    audit_record(
        actor=actor,
        action="funds.project_pay",
        target=allocation,
        data={"amount_fen": payload.amount_fen, "source": payload.source_label},
    )
    return _status(allocation)


def project_status(payload: FundProjectQuery, *, actor: Any) -> FundProjectStatus:
    return _status(_by_label(payload.source_label))


def paid_total(fund: Fund) -> int:
    return fund.allocations.aggregate(s=Coalesce(Sum("disbursements__amount_fen"), 0))["s"]
