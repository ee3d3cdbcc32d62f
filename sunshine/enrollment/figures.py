"""Enrollment figures, registered in ``core.figures`` by ``EnrollmentConfig.ready()``.
Counted over the seasons of the bureaus in the organisation's tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.fields.json import KT
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
from sunshine.enrollment.admission import QUOTA
from sunshine.enrollment.models import AdmissionRun, Application, Disclosure, Lottery, Placement, PlanSchool


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
    query = {"submitted_from": period.first_day.isoformat(), "submitted_to": period.last_day.isoformat()}
    return [
        BreakdownRow.counts(code, label, counted.get(code, 0), query={**query, "status": code})
        for code, label in Application.Status.choices
    ]


def _labelled(rows: list[tuple[Any, ...]]) -> bool:
    """Whether the rows come from more than one season (each label then names its season)."""
    return len({row[1] for row in rows}) > 1


def lottery_by_school(period: Period, organization: Any) -> list[BreakdownRow]:
    """ENR-1: for each school of the plans whose lottery was drawn in the period, its
    places, the entries that chose it first and the entries the draw placed there. Two
    GROUP BYs: the plan lines with their placements, the entries by first choice."""
    drawn = {
        "season__lottery__drawn_at__gte": period.start,
        "season__lottery__drawn_at__lt": period.end,
    }
    first_choices = {
        (season_pk, code): n
        for season_pk, code, n in Application.objects.filter(
            within(organization, "season__bureau"), placement__isnull=False, **drawn
        )
        .annotate(first=KT("choices__0"))
        .values_list("season_id", "first")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = list(
        PlanSchool.objects.filter(within(organization, "season__bureau"), **drawn)
        .annotate(placed=Count("placements"))
        .values_list("pk", "season_id", "season__name", "code", "name", "seats", "placed")
        .order_by("season__year", "season__level", "code")
    )
    named = _labelled(rows)
    return [
        BreakdownRow.counts(
            pk,
            f"{name}（{season}）" if named else name,
            seats,
            first_choices.get((season_pk, code), 0),
            placed,
            query={"season": str(season_pk), "placed": str(pk)},
        )
        for pk, season_pk, season, code, name, seats, placed in rows
    ]


def admission_by_school(period: Period, organization: Any) -> list[BreakdownRow]:
    """ENR-2: for each school of the senior-high plans admitted in the period (each
    season's latest run in the period), its seats and quota seats, the students admitted
    on quota seats and all admitted. One query for the runs (each keeps its placements
    as one document, counted here) and one for their plan lines."""
    runs = (
        AdmissionRun.objects.filter(
            within(organization, "season__bureau"), ran_at__gte=period.start, ran_at__lt=period.end
        )
        .order_by("season_id", "-ran_at", "-pk")
        .values_list("season_id", "placements")
    )
    latest: dict[int, dict[str, list[Any]]] = {}
    for season_id, placements in runs:
        latest.setdefault(season_id, placements or {})
    if not latest:
        return []
    counted: dict[tuple[int, str], list[int]] = {}
    for season_id, placements in latest.items():
        for school, stage, _rank in placements.values():
            if school:
                tally = counted.setdefault((season_id, school), [0, 0])
                tally[0] += stage == QUOTA
                tally[1] += 1
    rows = list(
        PlanSchool.objects.filter(season_id__in=list(latest))
        .values_list("pk", "season_id", "season__name", "code", "name", "seats", "quota_seats")
        .order_by("season__year", "season__name", "code")
    )
    named = _labelled(rows)
    result = []
    for pk, season_id, season, code, name, seats, quota_seats in rows:
        quota, admitted = counted.get((season_id, code), [0, 0])
        result.append(
            BreakdownRow.counts(
                pk,
                f"{name}（{season}）" if named else name,
                seats,
                quota_seats,
                quota,
                admitted,
                query={"season": str(season_id)},
            )
        )
    return result


def register() -> None:
    register_breakdown(
        key="enrollment.applications_by_status",
        label=_("Enrollment applications by status"),
        unit=Unit.CASES,
        dimension=_("Status"),
        compute=applications_by_status,
        order=200,
        drilldown="enrollment:workbench",
        definition=_("applications submitted in the period, by where each stands now"),
    )
    register_breakdown(
        key="enrollment.lottery_by_school",
        label=_("Lottery places, applicants and placements by school"),
        unit=Unit.PEOPLE,
        dimension=_("School"),
        series=(
            Series("seats", _("Places")),
            Series("applicants", _("First-choice applicants")),
            Series("placed", _("Placed by the draw")),
        ),
        compute=lottery_by_school,
        top=20,
        order=210,
        drilldown="enrollment:workbench",
        public=False,
        definition=_(
            "for each school of the lotteries drawn in the period: its places in the plan, the entries that"
            " chose it first and the entries the draw placed there"
        ),
    )
    register_breakdown(
        key="enrollment.admission_by_school",
        label=_("Senior-high admission by school"),
        unit=Unit.PEOPLE,
        dimension=_("School"),
        series=(
            Series("seats", _("Seats in the plan")),
            Series("quota_seats", _("Quota seats")),
            Series("quota", _("Admitted on quota seats")),
            Series("admitted", _("Admitted")),
        ),
        compute=admission_by_school,
        top=20,
        order=220,
        drilldown="enrollment:workbench",
        public=False,
        definition=_(
            "for each school of the senior-high admission run in the period (a season's latest run): its seats"
            " and quota seats in the plan, the students admitted on quota seats and all students admitted"
        ),
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
