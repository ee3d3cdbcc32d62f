"""Breakdowns: a figure split by a dimension, registered once (bad registrations are
refused), cut to its ``top`` rows with the rest summed, kept in snapshots with the
figures and read "as of" a past moment exactly as it was measured."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from sunshine.core import figures as registry
from sunshine.core.figures import (
    REST_KEY,
    BreakdownRow,
    Chart,
    FigureValue,
    Period,
    Series,
    Unit,
    breakdown_value,
    breakdowns_as_of,
    breakdowns_snapshot,
    figures_snapshot,
    figures_snapshot_nightly,
    register_breakdown,
    register_figure,
)
from sunshine.core.models import FigureSnapshot
from sunshine.orgs.models import Organization
from sunshine.orgs.tests.factories import BureauFactory, SchoolFactory

SH = ZoneInfo("Asia/Shanghai")


def _schools(period: Period, organization: Organization) -> list[BreakdownRow]:
    schools = Organization.objects.filter(path__startswith=organization.path, kind=Organization.Kind.SCHOOL)
    return [
        BreakdownRow.counts(s.pk, s.name, len(s.name), 2, organization=s.pk, colour="red", query={"school": str(s.pk)})
        for s in schools.order_by("name")
    ]


def _rates(period: Period, organization: Organization) -> list[BreakdownRow]:
    return [BreakdownRow(key=str(i), label=f"第{i}项", values=(FigureValue.rate(i, 4),)) for i in range(1, 5)]


@pytest.fixture
def splits():
    register_breakdown(
        key="splittest.schools",
        label="各校",
        unit=Unit.CASES,
        dimension="学校",
        series=(Series("a", "甲"), Series("b", "乙")),
        compute=_schools,
    )
    register_breakdown(key="splittest.rates", label="比率", unit=Unit.PERCENT, dimension="项目", compute=_rates, top=2)
    register_figure(
        key="splittest.count", label="件数", unit=Unit.CASES, numerator="件", compute=lambda p, o: FigureValue.count(1)
    )
    yield
    for key in ("splittest.schools", "splittest.rates", "splittest.count"):
        registry._unregister(key)


def test_bad_registrations_are_refused(splits):
    good = {"label": "x", "unit": Unit.CASES, "dimension": "学校", "compute": _schools}
    bad = [
        {"key": "nodot"},
        {"key": "splittest."},
        {"key": " splittest.x"},
        {"key": "splittest.schools"},  # a breakdown registered twice
        {"key": "splittest.count"},  # a figure's key
        {"key": "splittest.x", "series": ()},
        {"key": "splittest.x", "series": (Series("a", "甲"), Series("a", "乙"))},
        {"key": "splittest.x", "top": -1},
        {"key": "splittest.x", "dimension": " "},
        {"key": "splittest.x", "chart": "pie"},
        {"key": "splittest.x", "unit": "cases"},
    ]
    for change in bad:
        with pytest.raises(ImproperlyConfigured):
            register_breakdown(**{**good, **change})  # type: ignore[arg-type]
    with pytest.raises(ImproperlyConfigured):
        register_figure(key="splittest.rates", label="x", unit=Unit.CASES, numerator="x", compute=lambda p, o: None)
    assert "splittest.x" not in registry._BREAKDOWNS


@pytest.mark.django_db
def test_rows_past_top_are_summed_and_a_row_must_fit_the_series(splits):
    bureau = BureauFactory()
    with translation.override("zh-hans"):
        rates = breakdown_value("splittest.rates", period=Period.year(2026), organization=bureau)
    assert [r.label for r in rates.rows] == ["第1项", "第2项", "其余2项"]
    rest = rates.rows[-1]
    assert rest.key == REST_KEY and (rest.values[0].numerator, rest.values[0].denominator) == (7, 8)
    assert rates.display(rest.values[0]) == "87.5%" and rates.values(0) == [25.0, 50.0, 87.5]

    def wrong(period: Period, organization: Organization) -> list[BreakdownRow]:
        return [BreakdownRow.counts("a", "甲", 1)]

    register_breakdown(
        key="splittest.wrong", label="x", unit=Unit.CASES, dimension="x", series=(Series("a", "甲"), Series("b", "乙")),
        compute=wrong,
    )  # fmt: skip
    try:
        with pytest.raises(ValueError, match="2 series"):
            breakdown_value("splittest.wrong", period=Period.year(2026), organization=bureau)
    finally:
        registry._unregister("splittest.wrong")


@pytest.mark.django_db
def test_a_snapshot_reproduces_the_breakdown_exactly(splits):
    bureau = BureauFactory(code="SPLIT")
    SchoolFactory(parent=bureau, name="第一小学")
    first = datetime(2026, 3, 1, 2, 0, tzinfo=SH)
    period = Period.year(2026, as_of=first)
    taken = figures_snapshot(period=period, organization=bureau, prefix="splittest.")
    assert [r.key for r in taken] == ["splittest.count"]  # the figures returned, the breakdowns kept
    kept = FigureSnapshot.objects.get(key="splittest.schools", taken_at=first)
    assert kept.value[0]["label"] == "第一小学"
    measured = breakdown_value("splittest.schools", period=period, organization=bureau)

    SchoolFactory(parent=bureau, name="第二小学")
    Organization.objects.filter(name="第一小学").update(name="第一实验小学")
    later = first + timedelta(days=1)
    breakdowns_snapshot(period=period, organization=bureau, prefix="splittest.", taken_at=later)

    then = {r.key: r for r in breakdowns_as_of(period=period, organization=bureau, as_of=first + timedelta(hours=1))}
    assert then["splittest.schools"].rows == measured.rows  # labels, values, links, colours: all as they were
    assert then["splittest.schools"].snapshot_at == first
    assert then["splittest.rates"].rows == breakdown_value("splittest.rates", period=period, organization=bureau).rows
    now = {r.key: r for r in breakdowns_as_of(period=period, organization=bureau, as_of=later)}
    assert [r.label for r in now["splittest.schools"].rows] == ["第一实验小学", "第二小学"]
    assert breakdowns_as_of(period=period, organization=bureau, as_of=first - timedelta(1), prefix="splittest.") == []


@pytest.mark.django_db
def test_the_nightly_job_keeps_the_breakdowns(splits):
    bureau = BureauFactory(code="SPLIT2")
    school = SchoolFactory(parent=bureau)
    now = datetime(2026, 5, 20, 1, 0, tzinfo=SH)
    figures_snapshot_nightly(now=now, organizations=[bureau, school])
    kept = FigureSnapshot.objects.filter(key="splittest.schools", taken_at=now)
    assert kept.filter(organization=bureau).count() == 3  # year, quarter, month
    assert kept.filter(organization=school).count() == 1
    assert Chart.TILES.label
