"""A live figure on a public page (``figure_value(..., max_age=N)``) is computed at most
once in N seconds for a period and an organisation; without ``max_age`` it is computed
every time (issue #19: public figures may be a minute old, never older)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sunshine.core import figures as registry
from sunshine.core.figures import FigureValue, Period, Unit, figure_value


@pytest.fixture
def counted():
    calls: list[Period] = []

    def compute(period: Period, organization: object) -> FigureValue:
        calls.append(period)
        return FigureValue.count(len(calls))

    registry.register_figure(key="testing.live", label="live", unit=Unit.CASES, numerator="calls", compute=compute)
    yield calls
    registry._unregister("testing.live")


def test_a_live_figure_is_read_again_within_max_age_and_measured_afresh_after(counted):
    year = Period.year(2026)
    first = figure_value("testing.live", period=year, organization="b1", max_age=60)
    again = figure_value("testing.live", period=Period.year(2026, as_of=year.as_of + timedelta(seconds=30)),
                         organization="b1", max_age=60)  # fmt: skip
    assert first.value == again.value == 1 and len(counted) == 1
    assert again.period.as_of == year.as_of  # says when it was measured
    # Another organisation or period is measured on its own.
    assert figure_value("testing.live", period=year, organization="b2", max_age=60).value == 2
    assert figure_value("testing.live", period=Period.year(2025), organization="b1", max_age=60).value == 3
    # Older than max_age: measured again.
    later = Period.year(2026, as_of=year.as_of + timedelta(seconds=61))
    assert figure_value("testing.live", period=later, organization="b1", max_age=60).value == 4


def test_without_max_age_a_figure_is_measured_every_time(counted):
    year = Period.year(2026)
    assert [figure_value("testing.live", period=year, organization="b1").value for _ in range(3)] == [1, 2, 3]
