"""FEE-1 on the dashboard: refund orders by school — money ordered against money
refunded (yuan) and the number of orders, the rest folded past ``top``, each school's
row leading to its refund orders."""

from __future__ import annotations

import dataclasses

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sunshine.core.figures import REST_KEY, Period, breakdown_get, breakdown_value, figure_value
from sunshine.core.testing import login_verified
from sunshine.fees.models import Finding, RefundLine, RefundOrder
from sunshine.fees.services import finding_confirm, ledger_audit, ledger_import, refund_order_issue, refund_record
from sunshine.fees.tests.test_audit import csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(world):
    """An order to each school: the primary school's two students (one refunded in part),
    the senior school's one student (nothing refunded yet)."""
    world.file(world.primary, "meals", 90000)
    world.file(world.senior, "meals", 90000)
    for school, clerk, lines in (
        (world.primary, world.clerk, ["S1,张三,讲义费,30,2026-09-01,R1", "S2,李四,学费,800,2026-09-01,R2"]),
        (world.senior, world.senior_clerk, ["H1,赵六,讲义费,45,2026-09-01,R9"]),
    ):
        ledger_import(school=school, term=world.term, file=csv_file(lines), actor=clerk)
        ledger_audit(school=school, term=world.term, actor=world.reviewer)
    for finding in Finding.objects.filter(kind__in=["prohibited", "compulsory"]):
        finding_confirm(finding=finding, actor=world.reviewer)
    made = {
        school: refund_order_issue(school=school, term=world.term, actor=world.reviewer)
        for school in (world.primary, world.senior)
    }
    line = made[world.primary].lines.order_by("student_no").first()
    refund_record(line=line, actor=world.clerk, refunded_fen=1000, refunded_on=timezone.localdate())
    return made


def _by_hand(school):
    lines = RefundLine.objects.filter(order__school=school)
    sums = lines.aggregate(ordered=Sum("amount_fen"), refunded=Sum("refunded_fen"))
    return sums["ordered"] / 100, sums["refunded"] / 100, RefundOrder.objects.filter(school=school).count()


def test_refunds_by_school_equal_the_orders_counted_by_hand(world, orders):
    period = Period.year(timezone.localdate().year)
    money = breakdown_value("fees.refunds_by_school", period=period, organization=world.bureau)
    count = breakdown_value("fees.refund_orders_by_school", period=period, organization=world.bureau)
    expected = {school.name: _by_hand(school) for school in (world.primary, world.senior)}
    assert expected[world.primary.name][0] > 0 and expected[world.senior.name][0] > 0
    shown = {r.label: (money.shown(r.values[0].value), money.shown(r.values[1].value)) for r in money.rows}
    assert shown == {name: (ordered, refunded) for name, (ordered, refunded, _n) in expected.items()}
    assert {r.label: r.values[0].value for r in count.rows} == {name: n for name, (_o, _r, n) in expected.items()}
    # The most money ordered first; both breakdowns in one order; each row is its school.
    assert [r.label for r in money.rows] == [r.label for r in count.rows]
    assert money.rows[0].values[0].value >= money.rows[1].values[0].value
    assert {r.organization for r in money.rows} == {world.primary.pk, world.senior.pk}
    # Together they are the figure; a school's own is its own; another year has none.
    ordered = figure_value("fees.refunds_ordered", period=period, organization=world.bureau).value
    assert sum(money.values(0)) == ordered
    own = breakdown_value("fees.refunds_by_school", period=period, organization=world.senior)
    assert [r.label for r in own.rows] == [world.senior.name]
    assert breakdown_value("fees.refunds_by_school", period=Period.year(2000), organization=world.bureau).rows == ()
    with translation.override("zh-hans"):
        assert money.display(money.rows[0].values[0]).endswith("元")
    assert not breakdown_get("fees.refunds_by_school").public


def test_schools_past_top_are_folded_into_one_row(world, orders):
    period = Period.year(timezone.localdate().year)
    one = dataclasses.replace(breakdown_get("fees.refunds_by_school"), top=1)
    rows = one.measured(period, world.bureau)
    everything = breakdown_value("fees.refunds_by_school", period=period, organization=world.bureau).rows
    assert len(rows) == 2 and rows[1].key == REST_KEY and rows[1].organization is None
    assert rows[1].values[0].value == everything[1].values[0].value
    assert rows[1].values[1].value == everything[1].values[1].value


def test_a_school_row_leads_to_that_schools_refund_orders(world, orders):
    period = Period.year(timezone.localdate().year)
    money = breakdown_value("fees.refunds_by_school", period=period, organization=world.bureau)
    row = next(r for r in money.rows if r.organization == world.senior.pk)
    client = Client()
    login_verified(client, world.reviewer)
    page = client.get(reverse("fees:refund-list"), row.query).content.decode()
    assert orders[world.senior].number in page and orders[world.primary].number not in page
    assert world.senior.name in page  # what the list is shown for
    everything = client.get(reverse("fees:refund-list")).content.decode()
    assert orders[world.senior].number in everything and orders[world.primary].number in everything
    # Another year's orders: none.
    past = client.get(
        reverse("fees:refund-list"), {**row.query, "issued_from": "2000-01-01", "issued_to": "2000-12-31"}
    )
    assert orders[world.senior].number not in past.content.decode()
