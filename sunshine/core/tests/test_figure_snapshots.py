"""Figure snapshots: a figure read "as of" a past moment is what was measured then,
whatever the records became since; the nightly job keeps year, quarter and month."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sunshine.core import figures as registry
from sunshine.core.figures import (
    FigureValue,
    Period,
    Unit,
    figure_value_as_of,
    figures_as_of,
    figures_snapshot,
    figures_snapshot_nightly,
    register_figure,
    snapshot_moments,
)
from sunshine.core.models import FigureSnapshot
from sunshine.core.scheduler import PERIODIC_JOBS
from sunshine.orgs.models import Organization
from sunshine.orgs.tests.factories import BureauFactory, SchoolFactory

SH = ZoneInfo("Asia/Shanghai")


def _schools(period: Period, organization: Organization) -> FigureValue:
    return FigureValue.count(
        Organization.objects.filter(path__startswith=organization.path, kind=Organization.Kind.SCHOOL).count()
    )


def _share(period: Period, organization: Organization) -> FigureValue:
    return FigureValue.rate(1, 3)


@pytest.fixture
def snapfigures():
    register_figure(key="snaptest.schools", label="Schools", unit=Unit.SCHOOLS, numerator="schools", compute=_schools)
    register_figure(
        key="snaptest.share", label="Share", unit=Unit.PERCENT, numerator="one", denominator="three", compute=_share
    )
    yield
    registry._unregister("snaptest.schools")
    registry._unregister("snaptest.share")


@pytest.mark.django_db
def test_a_past_snapshot_reproduces_what_was_measured(snapfigures):
    bureau = BureauFactory(code="SNAP")
    SchoolFactory(parent=bureau)
    first = datetime(2026, 3, 1, 2, 0, tzinfo=SH)
    period = Period.year(2026, as_of=first)
    taken = figures_snapshot(period=period, organization=bureau, prefix="snaptest.")
    assert {r.key: r.value for r in taken} == {"snaptest.schools": 1, "snaptest.share": 33.3}
    SchoolFactory(parent=bureau)
    SchoolFactory(parent=bureau)
    figures_snapshot(period=period, organization=bureau, prefix="snaptest.", taken_at=first + timedelta(days=1))

    before = figure_value_as_of(
        "snaptest.schools", period=period, organization=bureau, as_of=first + timedelta(hours=5)
    )
    after = figure_value_as_of("snaptest.schools", period=period, organization=bureau, as_of=first + timedelta(days=2))
    assert before is not None and before.value == 1 and before.snapshot_at == first
    assert after is not None and after.value == 3
    rate = figure_value_as_of("snaptest.share", period=period, organization=bureau, as_of=first)
    assert rate is not None and (rate.value, rate.numerator, rate.denominator) == (33.3, 1, 3)
    # Before any snapshot there is nothing, and an unknown key is no error.
    assert (
        figure_value_as_of("snaptest.schools", period=period, organization=bureau, as_of=first - timedelta(1)) is None
    )
    assert figure_value_as_of("nosuch.key", period=period, organization=bureau, as_of=first) is None
    assert figures_as_of(period=period, organization=bureau, as_of=first - timedelta(1), prefix="snaptest.") == []


@pytest.mark.django_db
def test_the_nightly_job_keeps_year_quarter_and_month_and_the_schools_year(snapfigures):
    bureau = BureauFactory(code="SNAP2")
    school = SchoolFactory(parent=bureau)
    now = datetime(2026, 5, 20, 1, 0, tzinfo=SH)
    assert [str(p) for p in snapshot_moments(now)] == [
        "2026-01-01–2026-12-31",
        "2026-04-01–2026-06-30",
        "2026-05-01–2026-05-31",
    ]
    figures_snapshot_nightly(now=now, organizations=[bureau, school])
    kept = FigureSnapshot.objects.filter(key__startswith="snaptest.", taken_at=now)
    assert kept.filter(organization=bureau).count() == 2 * 3  # year, quarter, month
    assert kept.filter(organization=school).count() == 2  # a school: the year
    assert kept.count() == 8
    # Taking the same moment again keeps the first, adds nothing.
    figures_snapshot_nightly(now=now, organizations=[bureau, school])
    assert kept.count() == 8
    assert "figures-snapshot" in PERIODIC_JOBS
