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


def test_schedule_against_disbursed_by_month(world):
    """FND-1 by month: the money the time schedule called for by each month's end (a
    project: its certified progress) against the money disbursed by then, added up."""
    from sunshine.core.figures import breakdown_value
    from sunshine.funds.tests.conftest import evidence

    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=2_000_000, voucher="A1"
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.b, paid_on=date(2026, 3, 1), amount_fen=10_000_000, voucher="B1"
    )
    services.progress_certify(
        actor=world.certifier,
        allocation=world.project,
        progress_bp=3_000,
        certified_on=date(2026, 2, 10),
        evidence=evidence(),
    )
    period = Period.quarter(2026, 1, as_of=datetime(2026, 11, 10, 12, tzinfo=SHANGHAI))
    bureau = breakdown_value("funds.schedule_by_month", period=period, organization=world.d.bureau)
    assert [r.key for r in bureau.rows] == ["2026-01", "2026-02", "2026-03"]
    planned = [r.values[0].value for r in bureau.rows]
    disbursed = [r.values[1].value for r in bureau.rows]
    assert planned == [2_000_000, 4_000_000 + 30_000_000, 6_000_000 + 30_000_000]
    assert disbursed == [2_000_000, 2_000_000, 12_000_000]
    assert bureau.values(1) == [20_000.0, 20_000.0, 120_000.0]  # shown in yuan
    school = breakdown_value("funds.schedule_by_month", period=period, organization=world.d.other_school)
    assert [(r.values[0].value, r.values[1].value) for r in school.rows] == [
        (1_000_000, 0),
        (2_000_000, 0),
        (3_000_000, 10_000_000),
    ]
    # Taken on 15 March: no month after it, March's schedule as of that day (two months done).
    early = Period.year(2026, as_of=datetime(2026, 3, 15, 12, tzinfo=SHANGHAI))
    cut = breakdown_value("funds.schedule_by_month", period=early, organization=world.d.bureau)
    assert [r.key for r in cut.rows] == ["2026-01", "2026-02", "2026-03"]
    assert cut.rows[-1].values[0].value == 4_000_000 + 30_000_000


def test_lagging_counted_in_the_database_at_the_threshold(world):
    """FND-1 counted in one query (funds.lag.lagging_count), by hand at 31 March: three
    months of twelve call for 25 %. A has 20,000 of 120,000 yuan (16.66 %: 8.34 points
    behind), B 100,000 (83.33 %: ahead), the project 30 % certified and nothing paid
    (30 points behind); B is 58.33 points ahead. A lag exactly at the line is not over it."""
    from sunshine.funds.lag import alert_threshold_pp, lagging_count, lags_at
    from sunshine.funds.models import Allocation
    from sunshine.funds.tests.conftest import evidence

    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=2_000_000, voucher="A1"
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.b, paid_on=date(2026, 3, 1), amount_fen=10_000_000, voucher="B1"
    )
    services.progress_certify(
        actor=world.certifier,
        allocation=world.project,
        progress_bp=3_000,
        certified_on=date(2026, 2, 10),
        evidence=evidence(),
    )
    every = Allocation.objects.all()
    on = date(2026, 3, 31)
    for threshold, hand in [(8.33, 2), (8.34, 1), (29.99, 1), (30.0, 0), (-58.33, 2), (-58.34, 3), (-60.0, 3)]:
        assert lagging_count(every, on, threshold) == hand, threshold
        assert sum(1 for lag in lags_at(every, on) if lag.lagging(threshold)) == hand, threshold
    # Before the certification the project's schedule is nothing: only A is behind.
    assert lagging_count(every, date(2026, 2, 9), alert_threshold_pp()) == sum(
        1 for lag in lags_at(every, date(2026, 2, 9)) if lag.lagging(alert_threshold_pp())
    )
    assert lagging_count(Allocation.objects.filter(pk=world.b.pk), on, 8.0) == 0
    assert lagging_count(Allocation.objects.none(), on, 8.0) == 0


def test_transfer_on_time_counts_money_on_the_deadline_itself(world):
    """FND-3: the first money on the transfer deadline is on time, a day after is late,
    however much arrives later."""
    due = world.a.transfer_due
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=due, amount_fen=1_000_000, voucher="A1"
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 6, 1), amount_fen=1_000_000, voucher="A2"
    )
    services.disbursement_record(
        actor=world.finance,
        allocation=world.b,
        paid_on=date.fromordinal(due.toordinal() + 1),
        amount_fen=1_000_000,
        voucher="B1",
    )
    period = Period.year(2026, as_of=datetime(2026, 11, 10, 12, tzinfo=SHANGHAI))
    rate = figure_value("funds.transfer_on_time_rate", period=period, organization=world.d.bureau).measured
    assert (rate.numerator, rate.denominator) == (1, 3)


def test_schedule_by_month_puts_the_last_and_first_day_of_a_month_in_their_months(world):
    from sunshine.core.figures import breakdown_value

    for voucher, paid_on, fen in [
        ("A1", date(2026, 1, 31), 100),
        ("A2", date(2026, 2, 1), 20),
        ("A3", date(2026, 3, 31), 3),
    ]:
        services.disbursement_record(
            actor=world.finance, allocation=world.a, paid_on=paid_on, amount_fen=fen, voucher=voucher
        )
    period = Period.quarter(2026, 1, as_of=datetime(2026, 11, 10, 12, tzinfo=SHANGHAI))
    rows = breakdown_value("funds.schedule_by_month", period=period, organization=world.d.bureau).rows
    assert [r.values[1].value for r in rows] == [100, 120, 123]
    cut = Period.quarter(2026, 1, as_of=datetime(2026, 3, 30, 12, tzinfo=SHANGHAI))
    rows = breakdown_value("funds.schedule_by_month", period=cut, organization=world.d.bureau).rows
    assert [r.values[1].value for r in rows] == [100, 120, 120]


def test_kept_totals_follow_every_write_and_the_figures_read_them_exactly(world):
    """The allocations' kept totals (paid, first and last day) are what their disbursements
    add up to after a single payment and after an import, and the figures that read them
    (money disbursed in a period, the lag at a date) equal the disbursements added up by
    hand for periods that cut through an allocation's payments, start before them or end
    before them."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Max, Min, Sum

    from sunshine.funds.lag import alert_threshold_pp, lagging_count, lags_at
    from sunshine.funds.models import Allocation, Disbursement

    def kept_equals_record() -> None:
        for allocation in Allocation.objects.all():
            record = Disbursement.objects.filter(allocation=allocation).aggregate(
                s=Sum("amount_fen"), first=Min("paid_on"), last=Max("paid_on")
            )
            kept = (allocation.paid_fen, allocation.first_paid_on, allocation.last_paid_on)
            assert kept == (record["s"] or 0, record["first"], record["last"]), allocation

    kept_equals_record()  # nothing paid: 0 and no days
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=2_000_000, voucher="A1"
    )
    kept_equals_record()
    lines = [
        "学校代码,凭证号,拨付日期,金额(元)",
        f"{world.d.school.code},A2,2026-03-31,5000",
        f"{world.d.school.code},A3,2026-04-01,7000",
        f"{world.d.other_school.code},B1,2026-06-30,30000",
        f"{world.d.other_school.code},B2,2026-07-01,1",
    ]
    content = ("\n".join(lines) + "\n").encode()
    services.disbursements_import(
        actor=world.finance, fund=world.fund, file=SimpleUploadedFile("拨付.csv", content, content_type="text/csv")
    )
    kept_equals_record()
    world.a.refresh_from_db()
    assert (world.a.paid_fen, world.a.first_paid_on, world.a.last_paid_on) == (
        2_000_000 + 500_000 + 700_000,
        date(2026, 1, 20),
        date(2026, 4, 1),
    )

    as_of = datetime(2026, 11, 10, 12, tzinfo=SHANGHAI)
    periods = [Period.year(2026, as_of=as_of), Period.year(2025, as_of=as_of)]
    periods += [Period.quarter(2026, q, as_of=as_of) for q in (1, 2, 3, 4)]
    periods += [Period.month(2026, m, as_of=as_of) for m in range(1, 13)]
    periods.append(Period.year(2026, as_of=datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)))  # cut on a day of money
    for period in periods:
        last = min(period.last_day, period.as_of_day)
        for organization in (world.d.bureau, world.d.school, world.d.other_school):
            by_hand = Disbursement.objects.filter(
                allocation__organization__path__startswith=organization.path,
                paid_on__gte=period.first_day,
                paid_on__lte=last,
            ).aggregate(s=Sum("amount_fen"))["s"]
            got = figure_value("funds.disbursed", period=period, organization=organization).measured.value
            assert got == (by_hand or 0), (period, organization)
    every = Allocation.objects.all()
    for on in (date(2026, 1, 19), date(2026, 1, 20), date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30)):
        for threshold in (alert_threshold_pp(), 0.0, 50.0):
            hand = sum(1 for lag in lags_at(every, on) if lag.lagging(threshold))
            assert lagging_count(every, on, threshold) == hand, (on, threshold)
