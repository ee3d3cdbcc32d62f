"""The funds figures in core's registry: disbursed, on-time transfer rate, lagging."""

from datetime import date, datetime

import pytest

from sunshine.core.clocks import SHANGHAI
from sunshine.core.figures import Period, figure_value, figures_registered
from sunshine.funds import services

pytestmark = pytest.mark.django_db


def test_registered():
    keys = {f.key for f in figures_registered("funds.")}
    assert keys == {"funds.disbursed", "funds.transfer_on_time_rate", "funds.lagging_allocations"}


def test_values(world):
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=2_000_000, voucher="A1"
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.b, paid_on=date(2026, 3, 1), amount_fen=10_000_000, voucher="B1"
    )
    period = Period.year(2026, as_of=datetime(2026, 11, 10, 12, tzinfo=SHANGHAI))
    bureau = world.d.bureau
    assert figure_value("funds.disbursed", period=period, organization=bureau).measured.value == 12_000_000
    assert figure_value("funds.disbursed", period=period, organization=world.d.school).measured.value == 2_000_000
    # A on time (due 4 February), B late (1 March), the project due 6 March with nothing: 1 of 3.
    rate = figure_value("funds.transfer_on_time_rate", period=period, organization=bureau).measured
    assert (rate.numerator, rate.denominator) == (1, 3)
    lagging = figure_value("funds.lagging_allocations", period=period, organization=bureau).measured
    assert lagging.value == 1  # school A: 16.7 % against 83.3 %
