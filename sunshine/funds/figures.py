"""The funds figures, registered in ``core.figures`` by ``FundsConfig.ready()``: money
disbursed, the on-time transfer rate (FND-3) and the lagging allocations (FND-1).
Counted over the allocations whose recipient lies in the organisation's tree; money in fen."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import (
    BreakdownRow,
    Chart,
    FigureValue,
    Period,
    Series,
    Unit,
    register_breakdown,
    register_figure,
    within,
)
from sunshine.funds.lag import alert_threshold_pp, lagging_count, paid_between, scheduled_fen
from sunshine.funds.models import FULL_BP, Allocation, Disbursement, Fund, ProgressCertification


def _allocations(organization: Any) -> Any:
    return Allocation.objects.filter(within(organization, "organization"))


def disbursed(period: Period, organization: Any) -> FigureValue:
    """Money that arrived on days in the period, up to the moment the figures are taken:
    each allocation's kept total when all its money arrived in the period, else its
    disbursements in the period added up (``funds.lag.paid_between``)."""
    first, last = period.first_day, min(period.last_day, period.as_of_day)
    overlapping = _allocations(organization).filter(first_paid_on__lte=last, last_paid_on__gte=first)
    return FigureValue.count(overlapping.aggregate(s=Coalesce(Sum(paid_between(first, last)), 0))["s"])


def on_time_rate(period: Period, organization: Any) -> FigureValue:
    """FND-3: allocations whose transfer fell due in the period (by the moment taken),
    and of them those whose first money (kept on the allocation) arrived by the deadline."""
    last = min(period.last_day, period.as_of_day)
    due = _allocations(organization).filter(transfer_due__gte=period.first_day, transfer_due__lte=last)
    on_time = due.filter(first_paid_on__lte=F("transfer_due")).count()
    return FigureValue.rate(on_time, due.count())


def lagging(period: Period, organization: Any) -> FigureValue:
    """FND-1: allocations lagging their time schedule by more than the LOCAL threshold at
    the period's last day (or the moment taken, if earlier), counted in the database."""
    on = min(period.last_day, period.as_of_day)
    allocations = _allocations(organization).filter(Q(fund__year=on.year))
    return FigureValue.count(lagging_count(allocations, on, alert_threshold_pp()))


def month_ends(period: Period) -> list[date]:
    """The last day of each month of the period, the last one cut at the day the
    figures are taken (no month after it)."""
    last = min(period.last_day, period.as_of_day)
    ends = []
    day = period.first_day.replace(day=1)
    while day <= last:
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        ends.append(min(end, last))
        day = end + timedelta(days=1)
    return ends


def schedule_by_month(period: Period, organization: Any) -> list[BreakdownRow]:
    """FND-1 by month: the money the time schedule called for by the end of each month
    (each fund's schedule share of its allocations in the tree; a project's, its
    certified progress) against the money disbursed by then (cumulative over the
    fund's year), in fen. One GROUP BY for the allocations, one for the disbursements
    by day (at most a year's days of rows, added up here: no date function per
    disbursement in the database; the tree's allocations as a sub-select, so the
    (allocation, day) index answers), one for the project certifications."""
    ends = month_ends(period)
    if not ends:
        return []
    years = sorted({end.year for end in ends})
    allocations = Allocation.objects.filter(within(organization, "organization"), fund__year__in=years)
    totals = dict(allocations.values_list("fund_id").annotate(total=Sum("amount_fen")).order_by())
    funds = {f.pk: f for f in Fund.objects.filter(pk__in=list(totals)).only("pk", "mode", "year", "curve_bp")}
    certified = list(
        ProgressCertification.objects.filter(
            allocation__in=allocations.filter(fund__mode=Fund.Mode.PROJECT), certified_on__lte=ends[-1]
        ).values_list(
            "allocation_id", "allocation__fund__year", "allocation__amount_fen", "certified_on", "progress_bp"
        )
    )
    by_day = [
        (year, day, total)
        for year in years
        for day, total in Disbursement.objects.filter(
            allocation__in=allocations.filter(fund__year=year).values("pk"), paid_on__lte=ends[-1]
        )
        .values_list("paid_on")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    ]
    rows = []
    for end in ends:
        planned = 0
        for pk, total in totals.items():
            fund = funds[pk]
            if fund.year == end.year and fund.mode != Fund.Mode.PROJECT:
                planned += scheduled_fen(total_fen=total, mode=fund.mode, year=fund.year, on=end, curve=fund.curve_bp)
        progress: dict[int, tuple[int, int]] = {}
        for allocation_id, year, amount, on, bp in certified:
            if year == end.year and on <= end and (allocation_id not in progress or bp > progress[allocation_id][1]):
                progress[allocation_id] = (amount, bp)
        planned += sum(amount * bp // FULL_BP for amount, bp in progress.values())
        disbursed = sum(total for year, day, total in by_day if year == end.year and day <= end)
        label = gettext("%(year)s, month %(month)s") % {"year": end.year, "month": end.month}
        rows.append(BreakdownRow.counts(f"{end:%Y-%m}", label, planned, disbursed))
    return rows


def register() -> None:
    register_breakdown(
        key="funds.schedule_by_month",
        label=_("Time schedule against money disbursed, added up month by month"),
        unit=Unit.YUAN,
        dimension=_("Month"),
        series=(
            Series("planned", _("Due by the time schedule")),
            Series("disbursed", _("Disbursed")),
        ),
        compute=schedule_by_month,
        definition=_(
            "by the end of each month: the money the time schedule called for and the money disbursed,"
            " each added up from the start of the fund's year"
        ),
        chart=Chart.MONTHS,
        order=200,
    )
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
