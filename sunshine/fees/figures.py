"""The fee figures (the seed's "清退违规收费 N 元"), registered in ``core.figures`` by
``FeesConfig.ready()``. Counted over the schools in the organisation's tree (a school:
itself); money in fen."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import BreakdownRow, FigureValue, Period, Unit, register_breakdown, register_figure, within
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
