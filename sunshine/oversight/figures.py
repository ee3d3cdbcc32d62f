"""Oversight's figures in the core registry. Each figure is a count or a rate over one
base query, so the evaluation can read it for every school at once (``bulk``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sunshine.core.clocks import Rag
from sunshine.core.figures import (
    BreakdownRow,
    Chart,
    FigureValue,
    Period,
    Series,
    Unit,
    pass_shared,
    register_breakdown,
    register_figure,
    within,
)
from sunshine.oversight.models import (
    Campaign,
    CampaignReturn,
    CircularConfirmation,
    Evaluation,
    Inspection,
    InspectionFinding,
    RectificationItem,
    SchoolScore,
    Talk,
    Veto,
)


@dataclass(frozen=True)
class Measure:
    """A figure as rows of one model, keyed to a school by ``school`` (a field path):
    ``rows(period)`` counted, or, for a rate, the share of them matching ``hit``."""

    school: str
    rows: Callable[[Period], QuerySet[Any]]
    hit: Q | None = None

    def compute(self, period: Period, organization: Any) -> FigureValue:
        rows = self.rows(period).filter(within(organization, self.school))
        if self.hit is None:
            return FigureValue.count(rows.count())
        return FigureValue.rate(rows.filter(self.hit).count(), rows.count())

    def bulk(self, period: Period, bureau: Any, school_ids: Sequence[int]) -> dict[int, Decimal | None]:
        """The value for each of ``bureau``'s schools in one grouped query (None: a rate
        of nothing)."""
        rows = self.rows(period).filter(within(bureau, self.school))
        aggregates: dict[str, Any] = {"n": Count("pk")}
        if self.hit is not None:
            aggregates["hit"] = Count("pk", filter=self.hit)
        found = {row[self.school]: row for row in rows.values(self.school).annotate(**aggregates).order_by()}
        values: dict[int, Decimal | None] = {}
        for school_id in school_ids:
            row = found.get(school_id)
            if self.hit is None:
                values[school_id] = Decimal(row["n"] if row else 0)
            else:
                values[school_id] = (
                    (Decimal(100) * row["hit"] / row["n"]).quantize(Decimal("0.1")) if row and row["n"] else None
                )
        return values


def _inspections(period: Period) -> QuerySet[Inspection]:
    return Inspection.objects.filter(
        status=Inspection.Status.FILED, filed_at__gte=period.start, filed_at__lt=period.end
    )


def _findings(period: Period) -> QuerySet[InspectionFinding]:
    return InspectionFinding.objects.filter(
        inspection__status=Inspection.Status.FILED,
        inspection__filed_at__gte=period.start,
        inspection__filed_at__lt=period.end,
    )


def _items_due(period: Period) -> QuerySet[RectificationItem]:
    """Items due within the period, up to the day it is taken: a deadline passed
    unverified counts against the unit."""
    last = min(period.last_day, period.as_of_day)
    return RectificationItem.objects.filter(due_on__gte=period.first_day, due_on__lte=last)


def _items_verified(period: Period) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(
        status=RectificationItem.Status.VERIFIED, verified_at__gte=period.start, verified_at__lt=period.end
    )


def _confirmations(period: Period) -> QuerySet[CircularConfirmation]:
    return CircularConfirmation.objects.filter(
        circular__issued_at__gte=period.start, circular__issued_at__lt=min(period.end, period.as_of)
    )


def _talks(kind: str) -> Callable[[Period], QuerySet[Talk]]:
    def rows(period: Period) -> QuerySet[Talk]:
        return Talk.objects.filter(kind=kind, held_on__gte=period.first_day, held_on__lte=period.last_day)

    return rows


def _vetoes(period: Period) -> QuerySet[Veto]:
    return Veto.objects.exclude(status=Veto.Status.LIFTED).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )


def _pledges(period: Period) -> QuerySet[CampaignReturn]:
    return CampaignReturn.objects.filter(
        campaign__kind=Campaign.Kind.PLEDGE,
        campaign__created_at__gte=period.start,
        campaign__created_at__lt=min(period.end, period.as_of),
    )


MEASURES: dict[str, Measure] = {
    "oversight.pledge_completion_rate": Measure("school", _pledges, hit=Q(done_at__isnull=False)),
    "oversight.inspections": Measure("school", _inspections),
    "oversight.findings": Measure("inspection__school", _findings),
    "oversight.rectification_items": Measure("order__organization", _items_due),
    "oversight.rectification_verified": Measure("order__organization", _items_verified),
    "oversight.rectification_on_time_rate": Measure(
        "order__organization", _items_due, hit=Q(status=RectificationItem.Status.VERIFIED, verified_on_time=True)
    ),
    "oversight.circular_completion_rate": Measure("school", _confirmations, hit=Q(studied_at__isnull=False)),
    "oversight.talks": Measure("unit", _talks(Talk.Kind.TALK)),
    "oversight.sanctions": Measure("unit", _talks(Talk.Kind.SANCTION)),
    "oversight.vetoes": Measure("school", _vetoes),
}


# --- the red / amber / green map (OVS-1) ----------------------------------------------------------


def latest_evaluations(period: Period, organization: Any) -> list[int]:
    """OVS-1: the evaluation whose bulletin each bureau covering ``organization`` (in
    its tree, or above it) issued last, computed before the period ended and the
    moment the figures are taken; a school's colour stands until the next one."""

    def compute() -> list[int]:
        above = [int(part) for part in organization.path.strip("/").split("/") if part]
        found = (
            Evaluation.objects.filter(
                Q(indicator_set__bureau__path__startswith=organization.path) | Q(indicator_set__bureau_id__in=above),
                status=Evaluation.Status.ISSUED,
                computed_at__lt=min(period.end, period.as_of),
            )
            .order_by("indicator_set__bureau_id", "-computed_at", "-pk")
            .values_list("pk", "indicator_set__bureau_id")
        )
        latest: dict[int, int] = {}
        for pk, bureau_id in found:
            latest.setdefault(bureau_id, pk)
        return sorted(latest.values())

    key = ("oversight.latest_evaluations", period.start, period.end, period.as_of, organization.pk)
    return pass_shared(key, compute)


def _scores(period: Period, organization: Any) -> QuerySet[SchoolScore]:
    return SchoolScore.objects.filter(
        within(organization, "school"), evaluation_id__in=latest_evaluations(period, organization)
    )


def rag_map(period: Period, organization: Any) -> list[BreakdownRow]:
    """Each school's colour and score in the latest evaluation, the lowest score first
    (red, then amber, then green); one query."""
    rows = (
        _scores(period, organization)
        .order_by("score", "school__name")
        .values_list("school_id", "school__name", "score", "rag")
    )
    return [
        BreakdownRow(
            key=str(school_id),
            label=name,
            values=(FigureValue(value=float(score)),),
            organization=school_id,
            colour=rag,
        )
        for school_id, name, score, rag in rows
    ]


def rag_counts(period: Period, organization: Any) -> list[BreakdownRow]:
    """How many schools are red, amber and green in the latest evaluation (one GROUP BY)."""
    counted = dict(_scores(period, organization).values_list("rag").annotate(n=Count("pk")).order_by())
    return [BreakdownRow.counts(rag, label, counted.get(rag, 0), colour=rag) for rag, label in reversed(Rag.choices)]


def register() -> None:
    register_breakdown(
        key="oversight.rag_counts",
        label=_("Schools by colour in the latest evaluation"),
        unit=Unit.SCHOOLS,
        dimension=_("Colour"),
        series=(Series("schools", _("Schools")),),
        compute=rag_counts,
        definition=_("schools rated red, amber and green in the latest evaluation issued"),
        order=200,
    )
    register_breakdown(
        key="oversight.rag_map",
        label=_("Red, amber and green map of the schools"),
        unit=Unit.POINTS,
        dimension=_("School"),
        series=(Series("score", _("Score")),),
        compute=rag_map,
        chart=Chart.TILES,
        top=120,
        order=210,
        public=False,
    )
    labels: list[tuple[str, Any, Unit, Any, Any]] = [
        ("oversight.inspections", _("Supervisors' inspections filed"), Unit.CASES, _("inspection reports filed"), ""),
        ("oversight.findings", _("Supervisors' findings"), Unit.CASES, _("findings in filed inspection reports"), ""),
        ("oversight.rectification_items", _("Rectification items due"), Unit.CASES, _("items due in the period"), ""),
        (
            "oversight.rectification_verified",
            _("Rectification items verified"),
            Unit.CASES,
            _("items the issuer verified as rectified"),
            "",
        ),
        (
            "oversight.rectification_on_time_rate",
            _("Rectification verified on time"),
            Unit.PERCENT,
            _("items due and verified as rectified by their due date"),
            _("items due in the period"),
        ),
        (
            "oversight.circular_completion_rate",
            _("Circulated documents studied"),
            Unit.PERCENT,
            _("schools that confirmed the study"),
            _("schools a document was circulated to"),
        ),
        (
            "oversight.pledge_completion_rate",
            _("Pledges signed"),
            Unit.PERCENT,
            _("schools that signed the pledge"),
            _("schools asked to sign"),
        ),
        ("oversight.talks", _("Admonishment talks"), Unit.CASES, _("admonishment talks held"), ""),
        ("oversight.sanctions", _("Disciplinary sanctions"), Unit.PERSONS, _("sanctions imposed"), ""),
        ("oversight.vetoes", _("Advanced ratings vetoed"), Unit.SCHOOLS, _("vetoes in force or under appeal"), ""),
    ]
    for order, (key, label, unit, numerator, denominator) in enumerate(labels):
        register_figure(
            key=key,
            label=label,
            unit=unit,
            numerator=numerator,
            denominator=denominator,
            compute=MEASURES[key].compute,
            order=order,
        )
