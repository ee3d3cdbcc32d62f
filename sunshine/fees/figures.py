"""The fee figures (the seed's "清退违规收费 N 元"), registered in ``core.figures`` by
``FeesConfig.ready()``. Counted over the schools in the organisation's tree (a school:
itself); money in fen."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import (
    BreakdownRow,
    FigureValue,
    Period,
    Series,
    Unit,
    pass_shared,
    register_breakdown,
    register_figure,
    within,
)
from sunshine.fees.models import Finding, RefundLine, SchoolYearVeto


def _confirmed(period: Period, organization: Any) -> Any:
    return Finding.objects.filter(
        within(organization, "school"),
        status=Finding.Status.CONFIRMED,
        confirmed_at__gte=period.start,
        confirmed_at__lt=period.end,
    )


def findings_confirmed(period: Period, organization: Any) -> FigureValue:
    """FEE-1: illegal fees confirmed in the period."""
    return FigureValue.count(_confirmed(period, organization).count())


def schools_affected(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(_confirmed(period, organization).aggregate(n=Count("school", distinct=True))["n"])


def refunds_ordered(period: Period, organization: Any) -> FigureValue:
    """FEE-1: amounts ordered refunded in refund orders issued in the period (fen)."""
    lines = RefundLine.objects.filter(
        within(organization, "order__school"), order__issued_at__gte=period.start, order__issued_at__lt=period.end
    )
    return FigureValue.count(lines.aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"])


def refunded(period: Period, organization: Any) -> FigureValue:
    """Amounts refunded to students on days in the period (fen)."""
    lines = RefundLine.objects.filter(
        within(organization, "order__school"), refunded_on__gte=period.first_day, refunded_on__lte=period.last_day
    )
    return FigureValue.count(lines.aggregate(s=Coalesce(Sum("refunded_fen"), 0))["s"])


def schools_vetoed(period: Period, organization: Any) -> FigureValue:
    """FEE-6: schools whose "advanced" rating was vetoed by a veto set in the period."""
    vetoes = SchoolYearVeto.objects.filter(
        within(organization, "school"), created_at__gte=period.start, created_at__lt=period.end
    )
    return FigureValue.count(vetoes.values("school").distinct().count())


def findings_by_school(period: Period, organization: Any) -> list[BreakdownRow]:
    """FEE-1: illegal fees confirmed in the period, by school, the most first (one GROUP BY)."""
    grouped = (
        _confirmed(period, organization)
        .values_list("school_id", "school__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "school__name")
    )
    return [BreakdownRow.counts(pk, name, n, organization=pk) for pk, name, n in grouped]


def refunds_grouped(period: Period, organization: Any) -> list[tuple[int, str, int, int, int]]:
    """(school, name, fen ordered, fen refunded so far, orders) of the refund orders
    issued in the period, the most money ordered first: one GROUP BY over their lines,
    shared by the two breakdowns of one pass."""

    def compute() -> list[tuple[int, str, int, int, int]]:
        rows = (
            RefundLine.objects.filter(
                within(organization, "order__school"),
                order__issued_at__gte=period.start,
                order__issued_at__lt=period.end,
            )
            .values_list("order__school_id", "order__school__name")
            .annotate(
                ordered=Coalesce(Sum("amount_fen"), 0),
                paid=Coalesce(Sum("refunded_fen"), 0),
                orders=Count("order", distinct=True),
            )
            .order_by("-ordered", "order__school__name")
        )
        return list(rows)  # type: ignore[arg-type]

    key = ("fees.refunds_grouped", period.start, period.end, period.as_of, organization.pk, organization.path)
    return pass_shared(key, compute)


def _refund_query(period: Period, school: int) -> dict[str, str]:
    """The refund orders list's filters for a school's orders issued in the period."""
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    return {"school": str(school), "issued_from": first, "issued_to": last}


def refunds_by_school(period: Period, organization: Any) -> list[BreakdownRow]:
    """FEE-1: money ordered refunded by the orders issued in the period and refunded
    so far under them, by school (fen)."""
    return [
        BreakdownRow.counts(pk, name, ordered, paid, organization=pk, query=_refund_query(period, pk))
        for pk, name, ordered, paid, _orders in refunds_grouped(period, organization)
    ]


def refund_orders_by_school(period: Period, organization: Any) -> list[BreakdownRow]:
    """FEE-1: refund orders issued in the period, by school (in the money's order)."""
    return [
        BreakdownRow.counts(pk, name, orders, organization=pk, query=_refund_query(period, pk))
        for pk, name, _ordered, _paid, orders in refunds_grouped(period, organization)
    ]


def register() -> None:
    """Called once from ``FeesConfig.ready()``."""
    register_breakdown(
        key="fees.findings_by_school",
        label=_("Violations confirmed by school"),
        unit=Unit.CASES,
        dimension=_("School"),
        compute=findings_by_school,
        top=15,
        order=200,
        public=False,
    )
    register_breakdown(
        key="fees.refunds_by_school",
        label=_("Refunds ordered and refunded by school"),
        unit=Unit.YUAN,
        dimension=_("School"),
        series=(Series("ordered", _("Ordered refunded")), Series("refunded", _("Refunded so far"))),
        compute=refunds_by_school,
        top=15,
        order=210,
        drilldown="fees:refund-list",
        public=False,
        definition=_(
            "refund orders issued in the period: the amounts they order refunded to students and what the"
            " school has refunded under them so far"
        ),
    )
    register_breakdown(
        key="fees.refund_orders_by_school",
        label=_("Refund orders by school"),
        unit=Unit.CASES,
        dimension=_("School"),
        series=(Series("orders", _("Refund orders")),),
        compute=refund_orders_by_school,
        top=15,
        order=220,
        drilldown="fees:refund-list",
        public=False,
        definition=_("refund orders issued to each school in the period"),
    )
    register_figure(
        key="fees.findings_confirmed",
        label=_("Violations confirmed"),
        unit=Unit.CASES,
        numerator=_("illegal fees confirmed in the period after the ledger audit"),
        compute=findings_confirmed,
        order=10,
    )
    register_figure(
        key="fees.refunds_ordered",
        label=_("Refunds ordered"),
        unit=Unit.YUAN,
        numerator=_("amounts ordered refunded to students by refund orders issued in the period"),
        compute=refunds_ordered,
        order=20,
    )
    register_figure(
        key="fees.refunded",
        label=_("Refunded"),
        unit=Unit.YUAN,
        numerator=_("amounts refunded to students on days in the period"),
        compute=refunded,
        order=30,
    )
    register_figure(
        key="fees.schools_affected",
        label=_("Schools affected"),
        unit=Unit.SCHOOLS,
        numerator=_("schools with an illegal fee confirmed in the period"),
        compute=schools_affected,
        order=40,
    )
    register_figure(
        key="fees.schools_vetoed",
        label=_("Schools vetoed"),
        unit=Unit.SCHOOLS,
        numerator=_("schools whose advanced rating for the school year was vetoed in the period for an illegal fee"),
        compute=schools_vetoed,
        order=50,
    )
