"""A small read-only API of funds: a school's allocations and arrivals (the public
page's data) and the statement figures of a bureau at a date. Public data only."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Schema

from sunshine.funds import access
from sunshine.funds.lag import lags_at
from sunshine.funds.models import Allocation, Disbursement

api = NinjaAPI(urls_namespace="funds-api", title="Sunshine funds API", version="1", docs_url=None)


class Arrival(Schema):
    paid_on: date
    amount_fen: int


class AllocationOut(Schema):
    fund: str
    project: str
    year: int
    amount_fen: int
    paid_fen: int
    schedule_pct: float
    actual_pct: float
    lag_pp: float
    transfer_due: date
    arrivals: list[Arrival]


class SchoolOut(Schema):
    code: str
    name: str
    as_of: date
    allocations: list[AllocationOut]


@api.get("/schools/{code}", response=SchoolOut)
def school(request: HttpRequest, code: str, as_of: date | None = None) -> SchoolOut:
    school = access.schools_public().filter(code=code).first()
    if school is None:
        raise Http404
    on = as_of or timezone.localdate()
    allocations = Allocation.objects.filter(organization=school, fund__year=on.year).select_related("fund")
    lags = {lag.allocation_id: lag for lag in lags_at(allocations, on)}
    arrivals: dict[int, list[Arrival]] = {}
    for d in Disbursement.objects.filter(allocation__in=allocations, paid_on__lte=on).order_by("paid_on", "pk"):
        arrivals.setdefault(d.allocation_id, []).append(Arrival(paid_on=d.paid_on, amount_fen=d.amount_fen))
    return SchoolOut(
        code=school.code,
        name=school.name,
        as_of=on,
        allocations=[
            AllocationOut(
                fund=a.fund.name,
                project=a.title,
                year=a.fund.year,
                amount_fen=a.amount_fen,
                paid_fen=lags[a.pk].paid_fen,
                schedule_pct=lags[a.pk].schedule_pct,
                actual_pct=lags[a.pk].actual_pct,
                lag_pp=lags[a.pk].lag_pp,
                transfer_due=a.transfer_due,
                arrivals=arrivals.get(a.pk, []),
            )
            for a in allocations.order_by("fund__position", "fund__pk", "title")
        ],
    )
