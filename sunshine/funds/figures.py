"""The funds figures, registered in ``core.figures`` by ``FundsConfig.ready()``: money
disbursed, the on-time transfer rate (FND-3) and the lagging allocations (FND-1).
Counted over the allocations whose recipient lies in the organisation's tree; money in fen."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import FigureValue, Period, Unit, register_figure, within
from sunshine.funds.lag import alert_threshold_pp, lags_at
from sunshine.funds.models import Allocation, Disbursement


def _allocations(organization: Any) -> Any:
    return Allocation.objects.filter(within(organization, "organization"))


def disbursed(period: Period, organization: Any) -> FigureValue:
    """Money that arrived on days in the period, up to the moment the figures are taken."""
    last = min(period.last_day, period.as_of_day)
    rows = Disbursement.objects.filter(
        within(organization, "allocation__organization"), paid_on__gte=period.first_day, paid_on__lte=last
    )
    return FigureValue.count(rows.aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"])


def on_time_rate(period: Period, organization: Any) -> FigureValue:
    """FND-3: allocations whose transfer fell due in the period (by the moment taken),
    and of them those whose first money arrived by the deadline."""
    last = min(period.last_day, period.as_of_day)
    due = _allocations(organization).filter(transfer_due__gte=period.first_day, transfer_due__lte=last)
    annotated = due.annotate(first=Min("disbursements__paid_on"))
    on_time = annotated.filter(first__isnull=False, first__lte=F("transfer_due")).count()
    return FigureValue.rate(on_time, due.count())


def lagging(period: Period, organization: Any) -> FigureValue:
    """FND-1: allocations lagging their time schedule by more than the LOCAL threshold at
    the period's last day (or the moment taken, if earlier)."""
    on = min(period.last_day, period.as_of_day)
    threshold = alert_threshold_pp()
    allocations = _allocations(organization).filter(Q(fund__year=on.year))
    return FigureValue.count(sum(1 for lag in lags_at(allocations, on) if lag.lagging(threshold)))


def register() -> None:
    register_figure(
        key="funds.disbursed",
        label=_("Funds disbursed"),
        unit=Unit.YUAN,
        numerator=_("money that arrived at schools and projects in the period"),
        compute=disbursed,
        order=60,
    )
    register_figure(
        key="funds.transfer_on_time_rate",
        label=_("On-time transfer rate"),
        unit=Unit.PERCENT,
        numerator=_("allocations whose first money arrived within the transfer time limit"),
        denominator=_("allocations whose transfer fell due in the period"),
        compute=on_time_rate,
        order=61,
    )
    register_figure(
        key="funds.lagging_allocations",
        label=_("Allocations lagging their time schedule"),
        unit=Unit.CASES,
        numerator=_("allocations lagging by more than the alert threshold"),
        compute=lagging,
        order=62,
    )
