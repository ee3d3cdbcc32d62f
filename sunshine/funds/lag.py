"""FND-1: the time schedule, the actual share and the lag of every allocation at a date.

* schedule (序时进度): monthly = completed months ÷ 12; daily = days elapsed ÷ days in
  the year; a planned curve = the curve's cumulative share at the last completed month;
  a project allocation's schedule is its certified progress (FND-2);
* actual = disbursed up to the date ÷ the allocation;
* lag = schedule − actual, in percentage points.

:func:`lags_at` computes every allocation of a set at one date with one GROUP BY over
the disbursements (and one over the certifications of project allocations)."""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from django.db.models import (
    BigIntegerField,
    Case,
    Expression,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from sunshine.core.local_rules import local_rule
from sunshine.funds.models import FULL_BP, Allocation, Disbursement, Fund, ProgressCertification


def completed_months(year: int, on: date) -> int:
    if on.year < year:
        return 0
    if on.year > year:
        return 12
    last_day = calendar.monthrange(on.year, on.month)[1]
    return on.month - 1 + (1 if on.day == last_day else 0)


def schedule_bp(*, mode: str, year: int, on: date, curve: Iterable[int] = ()) -> int:
    """The time schedule of a fund of ``mode`` in ``year`` at the end of day ``on``."""
    if mode == Fund.Mode.MONTHLY:
        return completed_months(year, on) * FULL_BP // 12
    if mode == Fund.Mode.DAILY:
        if on.year < year:
            return 0
        if on.year > year:
            return FULL_BP
        days = 366 if calendar.isleap(year) else 365
        return on.timetuple().tm_yday * FULL_BP // days
    if mode == Fund.Mode.CURVE:
        points = list(curve)
        months = completed_months(year, on)
        if months == 0 or not points:
            return 0
        return int(points[min(months, len(points)) - 1])
    return 0  # a project's schedule is its certified progress


def scheduled_fen(*, total_fen: int, mode: str, year: int, on: date, curve: Iterable[int] = ()) -> int:
    """The money the time schedule calls for by the end of ``on`` out of ``total_fen``:
    the schedule's exact share (months ÷ 12, days ÷ days in the year; a curve's basis
    points), not rounded to basis points first. A project's is its certified progress."""
    if mode == Fund.Mode.MONTHLY:
        return total_fen * completed_months(year, on) // 12
    if mode == Fund.Mode.DAILY and on.year == year:
        days = 366 if calendar.isleap(year) else 365
        return total_fen * on.timetuple().tm_yday // days
    return total_fen * schedule_bp(mode=mode, year=year, on=on, curve=curve) // FULL_BP


def share_bp(part: int, whole: int) -> int:
    if whole <= 0:
        return 0
    return part * FULL_BP // whole


class Lag(NamedTuple):
    """One allocation at one date (a named tuple: a city has 90,000 of them)."""

    allocation_id: int
    fund_id: int
    organization_id: int
    amount_fen: int
    paid_fen: int
    schedule_bp: int
    actual_bp: int

    @property
    def lag_bp(self) -> int:
        return self.schedule_bp - self.actual_bp

    @property
    def lag_pp(self) -> float:
        return self.lag_bp / 100

    @property
    def schedule_pct(self) -> float:
        return self.schedule_bp / 100

    @property
    def actual_pct(self) -> float:
        return self.actual_bp / 100

    def lagging(self, threshold_pp: float) -> bool:
        return self.lag_pp > threshold_pp


def alert_threshold_pp() -> float:
    """FND-1 (LOCAL): the lag, in percentage points, above which an allocation is lagging."""
    return float(local_rule("FND-1-alert-lag-pp"))


def _within(rows: QuerySet[Any], allocations: QuerySet[Allocation]) -> QuerySet[Any]:
    """``rows`` of the allocations (no sub-select when the set is every allocation)."""
    if not allocations.query.where:
        return rows
    return rows.filter(allocation__in=allocations.values("pk"))


def allocation_totals_refresh(allocations: QuerySet[Allocation]) -> int:
    """Set the kept totals of ``allocations`` (``Allocation.paid_fen``, ``first_paid_on``,
    ``last_paid_on``) from their disbursements, in one UPDATE: called by every write of
    money in its own transaction, with the allocations locked, so the totals never
    differ from the disbursements (the figures' tests check them against a sum)."""
    money = Disbursement.objects.filter(allocation=OuterRef("pk")).values("allocation")
    return allocations.update(
        paid_fen=Coalesce(
            Subquery(money.annotate(s=Sum("amount_fen")).values("s"), output_field=BigIntegerField()), Value(0)
        ),
        first_paid_on=Subquery(money.annotate(d=Min("paid_on")).values("d")),
        last_paid_on=Subquery(money.annotate(d=Max("paid_on")).values("d")),
    )


def _paid_within(first: date | None, last: date) -> Expression:
    """The disbursements of the allocation (the outer row) on days from ``first`` (any
    day, when None) to ``last``, added up in the database from the (allocation, day) index."""
    rows = Disbursement.objects.filter(allocation=OuterRef("pk"), paid_on__lte=last)
    if first is not None:
        rows = rows.filter(paid_on__gte=first)
    total = rows.values("allocation").annotate(total=Sum("amount_fen")).values("total")
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def paid_between(first: date | None, last: date) -> Expression:
    """An allocation's money that arrived on days from ``first`` (None: from the start) to
    ``last``, as an expression over its row: its kept total when all its money arrived in
    that span, nothing when none could have, else the disbursements added up."""
    whole = Q(last_paid_on__lte=last) if first is None else Q(first_paid_on__gte=first, last_paid_on__lte=last)
    outside = Q(first_paid_on__gt=last) if first is None else Q(first_paid_on__gt=last) | Q(last_paid_on__lt=first)
    return Case(
        When(Q(paid_fen=0) | outside, then=Value(0)),
        When(whole, then=F("paid_fen")),
        default=_paid_within(first, last),
        output_field=BigIntegerField(),
    )


def paid_up_to(on: date) -> Expression:
    """An allocation's money that arrived by the end of ``on`` (see :func:`paid_between`)."""
    return paid_between(None, on)


def paid_by_allocation(allocations: QuerySet[Allocation], on: date) -> dict[int, int]:
    """{allocation id: disbursed up to ``on``} in one GROUP BY."""
    rows = (
        _within(Disbursement.objects.filter(paid_on__lte=on), allocations)
        .values_list("allocation_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return dict(rows)  # type: ignore[arg-type]


def certified_by_allocation(allocations: QuerySet[Allocation], on: date) -> dict[int, int]:
    """{project allocation id: highest progress certified up to ``on``} (progress never goes back)."""
    rows = (
        _within(ProgressCertification.objects.filter(certified_on__lte=on), allocations)
        .values_list("allocation_id")
        .annotate(progress=Max("progress_bp"))
        .order_by()
    )
    return dict(rows)  # type: ignore[arg-type]


def lags_at(allocations: QuerySet[Allocation], on: date) -> list[Lag]:
    """Every allocation's schedule, actual share and lag at the end of ``on``."""
    funds = {
        f["pk"]: f
        for f in Fund.objects.filter(pk__in=allocations.values("fund_id")).values("pk", "mode", "year", "curve_bp")
    }
    paid = paid_by_allocation(allocations, on)
    project_funds = [pk for pk, f in funds.items() if f["mode"] == Fund.Mode.PROJECT]
    certified = certified_by_allocation(allocations.filter(fund_id__in=project_funds), on) if project_funds else {}
    schedules = {pk: schedule_bp(mode=f["mode"], year=f["year"], on=on, curve=f["curve_bp"]) for pk, f in funds.items()}
    projects = set(project_funds)
    result: list[Lag] = []
    append = result.append
    for pk, fund_id, org_id, amount in allocations.values_list(
        "pk", "fund_id", "organization_id", "amount_fen"
    ).order_by():
        got = paid.get(pk, 0)
        schedule = certified.get(pk, 0) if fund_id in projects else schedules[fund_id]
        append(Lag(pk, fund_id, org_id, amount, got, schedule, got * FULL_BP // amount if amount > 0 else 0))
    return result


def lagging_bp(threshold_pp: float) -> int:
    """The smallest lag in basis points that :meth:`Lag.lagging` counts as lagging by more
    than ``threshold_pp`` (the same float comparison, so a lag exactly at the line is not)."""
    bp = math.floor(threshold_pp * 100) - 2
    while not bp / 100 > threshold_pp:
        bp += 1
    return bp


def lagging_count(allocations: QuerySet[Allocation], on: date, threshold_pp: float) -> int:
    """How many of ``allocations`` lag their time schedule at the end of ``on`` by more
    than ``threshold_pp``: the count of :func:`lags_at` whose ``lagging(threshold_pp)``,
    in one query (each allocation's money paid from its kept total, :func:`paid_up_to`,
    and its certified progress from the (allocation, day) index), without building a row
    per allocation.

    With ``actual_bp = paid * FULL_BP // amount`` and ``lag_bp = schedule_bp - actual_bp``,
    ``lag_bp >= L`` is ``paid * FULL_BP < (schedule_bp - L + 1) * amount`` for an amount
    above zero (an allocation of nothing has an actual share of 0)."""
    funds = list(
        Fund.objects.filter(pk__in=allocations.values("fund_id")).values_list("pk", "mode", "year", "curve_bp")
    )
    if not funds:
        return 0
    least = lagging_bp(threshold_pp)
    projects = [pk for pk, mode, _year, _curve in funds if mode == Fund.Mode.PROJECT]
    certified = Coalesce(
        Subquery(
            ProgressCertification.objects.filter(allocation=OuterRef("pk"), certified_on__lte=on)
            .values("allocation")
            .annotate(progress=Max("progress_bp"))
            .values("progress"),
            output_field=BigIntegerField(),
        ),
        Value(0),
        output_field=BigIntegerField(),
    )
    schedule = Case(
        *([When(fund_id__in=projects, then=certified)] if projects else []),
        *(
            When(fund_id=pk, then=Value(schedule_bp(mode=mode, year=year, on=on, curve=curve)))
            for pk, mode, year, curve in funds
            if mode != Fund.Mode.PROJECT
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    paid = paid_up_to(on)
    rows = allocations.alias(
        schedule=schedule,
        margin=(F("schedule") - Value(least - 1)) * F("amount_fen") - paid * Value(FULL_BP),
    )
    return rows.filter(Q(amount_fen__gt=0, margin__gt=0) | Q(amount_fen__lte=0, schedule__gte=least)).count()


def lag_of(allocation: Allocation, on: date) -> Lag:
    return lags_at(Allocation.objects.filter(pk=allocation.pk), on)[0]
