"""Enrollment figures, registered in ``core.figures`` by ``EnrollmentConfig.ready()``.
Counted over the seasons of the bureaus in the organisation's tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import BreakdownRow, FigureValue, Period, Unit, register_breakdown, register_figure, within
from sunshine.enrollment.models import Application, Disclosure, Lottery, Placement


def applications(period: Period, organization: Any) -> FigureValue:
    """Applications submitted in the period."""
    rows = Application.objects.filter(
        within(organization, "season__bureau"), submitted_at__gte=period.start, submitted_at__lt=period.end
    )
    return FigureValue.count(rows.count())


def lottery_admitted(period: Period, organization: Any) -> FigureValue:
    """ENR-1: entries admitted by lotteries drawn in the period, of all entries drawn."""
    rows = Placement.objects.filter(
        within(organization, "lottery__season__bureau"),
        lottery__drawn_at__gte=period.start,
        lottery__drawn_at__lt=period.end,
    )
    return FigureValue.rate(rows.filter(school__isnull=False).count(), rows.count())


def lotteries_published(period: Period, organization: Any) -> FigureValue:
    rows = Lottery.objects.filter(
        within(organization, "season__bureau"),
        status=Lottery.Status.PUBLISHED,
        drawn_at__gte=period.start,
        drawn_at__lt=period.end,
    )
    return FigureValue.count(rows.count())


def disclosures_published(period: Period, organization: Any) -> FigureValue:
    """ENR-4: disclosures (of the five) published in the period."""
    rows = Disclosure.objects.filter(
        within(organization, "season__bureau"), published_at__gte=period.start, published_at__lt=period.end
    )
    return FigureValue.count(rows.count())


def applications_by_status(period: Period, organization: Any) -> list[BreakdownRow]:
    """Applications submitted in the period, by where they stand now (every status,
    one GROUP BY)."""
    counted = dict(
        Application.objects.filter(
            within(organization, "season__bureau"), submitted_at__gte=period.start, submitted_at__lt=period.end
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [BreakdownRow.counts(code, label, counted.get(code, 0)) for code, label in Application.Status.choices]


def register() -> None:
    register_breakdown(
        key="enrollment.applications_by_status",
        label=_("Enrollment applications by status"),
        unit=Unit.CASES,
        dimension=_("Status"),
        compute=applications_by_status,
        order=200,
    )
    register_figure(
        key="enrollment.applications",
        label=_("Enrollment applications"),
        unit=Unit.CASES,
        numerator=_("applications submitted in the period"),
        compute=applications,
        order=10,
    )
    register_figure(
        key="enrollment.lottery_admitted",
        label=_("Admitted by lottery"),
        unit=Unit.PERCENT,
        numerator=_("lottery entries admitted"),
        denominator=_("lottery entries drawn in the period"),
        compute=lottery_admitted,
        order=20,
    )
    register_figure(
        key="enrollment.lotteries_published",
        label=_("Lotteries published"),
        unit=Unit.CASES,
        numerator=_("lotteries drawn in the period whose result and data are published"),
        compute=lotteries_published,
        order=30,
    )
    register_figure(
        key="enrollment.disclosures_published",
        label=_("Enrollment disclosures published"),
        unit=Unit.CASES,
        numerator=_("policies, plans, rules, cutoff lines and results published in the period"),
        compute=disclosures_published,
        order=40,
    )
