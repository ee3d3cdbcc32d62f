"""The decision figures, registered in ``core.figures`` by ``DecisionsConfig.ready()``:
items decided collectively, consultations held and the days they stayed open, dissents,
red flags. Counted over the organisation's tree (a school: itself)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import (
    BreakdownRow,
    FigureValue,
    Period,
    Series,
    Unit,
    register_breakdown,
    register_figure,
    within,
)
from sunshine.decisions import rules
from sunshine.decisions.models import Category, Consultation, Contract, DecisionItem, Tender, Vote


def _decided(period: Period, organization: Any) -> Any:
    return DecisionItem.objects.filter(
        within(organization, "organization"),
        status__in=[DecisionItem.Status.DECIDED, DecisionItem.Status.REJECTED],
        decided_at__gte=period.start,
        decided_at__lt=period.end,
    )


def items_decided(period: Period, organization: Any) -> FigureValue:
    """OVS-3: matters decided collectively in a meeting in the period."""
    return FigureValue.count(_decided(period, organization).count())


def items_by_category(period: Period, organization: Any) -> list[BreakdownRow]:
    """OVS-3: the matters decided in the period by kind (三重一大), adopted and not
    adopted (one GROUP BY)."""
    adopted = Q(status=DecisionItem.Status.DECIDED)
    counted = {
        category: (a, r)
        for category, a, r in _decided(period, organization)
        .values_list("category")
        .annotate(a=Count("pk", filter=adopted), r=Count("pk", filter=~adopted))
        .order_by()
    }
    return [BreakdownRow.counts(code, label, *counted.get(code, (0, 0))) for code, label in Category.choices]


def _consultations(period: Period, organization: Any) -> Any:
    return Consultation.objects.filter(
        within(organization, "item__organization"), opened_at__gte=period.start, opened_at__lt=period.end
    )


def consultations_held(period: Period, organization: Any) -> FigureValue:
    """DEC-1: drafts put to the public in the period."""
    return FigureValue.count(_consultations(period, organization).count())


def consultation_days(period: Period, organization: Any) -> FigureValue:
    """DEC-1: the days the period's consultations stayed open, on average."""
    rows = list(_consultations(period, organization))
    return FigureValue.average(sum(c.days_open for c in rows), len(rows))


def dissents(period: Period, organization: Any) -> FigureValue:
    """DEC-2: votes against recorded with the member's own words."""
    votes = Vote.objects.filter(
        within(organization, "agenda_item__meeting__organization"),
        choice=Vote.Choice.AGAINST,
        agenda_item__decided_at__gte=period.start,
        agenda_item__decided_at__lt=period.end,
    )
    return FigureValue.count(votes.count())


def red_flags(period: Period, organization: Any) -> FigureValue:
    """Red flags of tenders and purchases dated in the period."""
    tenders = Tender.objects.filter(within(organization, "project__organization"))
    contracts = Contract.objects.filter(within(organization, "organization"))
    flags = rules.red_flags(tenders=tenders, contracts=contracts)
    return FigureValue.count(sum(1 for f in flags if period.first_day <= f.on <= period.last_day))


def register() -> None:
    """Called once from ``DecisionsConfig.ready()``."""
    register_breakdown(
        key="decisions.items_by_category",
        label=_("Matters decided collectively by kind"),
        unit=Unit.CASES,
        dimension=_("Kind of matter"),
        series=(Series("adopted", _("adopted")), Series("rejected", _("not adopted"))),
        compute=items_by_category,
        definition=_("matters of the three-important-one-large kinds decided in the period, adopted and not adopted"),
        order=200,
    )
    register_figure(key="decisions.items_decided", label=_("Matters decided collectively"), unit=Unit.CASES,
                    numerator=_("matters decided in a meeting"), compute=items_decided)  # fmt: skip
    register_figure(key="decisions.consultations", label=_("Drafts put to public comment"), unit=Unit.CASES,
                    numerator=_("consultations opened"), compute=consultations_held)  # fmt: skip
    register_figure(
        key="decisions.consultation_days", label=_("Days a draft stayed open for comment, on average"),
        unit=Unit.DAYS, numerator=_("days open in all"), denominator=_("consultations"), compute=consultation_days,
    )  # fmt: skip
    register_figure(key="decisions.dissents", label=_("Votes against, recorded in the member's words"),
                    unit=Unit.CASES, numerator=_("votes against"), compute=dissents)  # fmt: skip
    register_figure(key="decisions.red_flags", label=_("Red flags of tenders and purchases"), unit=Unit.CASES,
                    numerator=_("red flags"), compute=red_flags)  # fmt: skip
