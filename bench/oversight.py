"""The evaluation at city scale: 4,500 schools × 30 indicators for one period — three
indicators fed from oversight's figures (rectification on time, circulars studied,
supervisors' findings) over a year of records, 27 scored by hand — read
and scored with working, colour and rank (``evaluation_compute``), saved,
on the database in use. Target: under 2 s for both.

The reference, measured in the same run, is the way this must not be done: each figure
read school by school through the registry (``figure_value``), timed on 100 schools and
extrapolated to all (said so in its line).

Run: ``DJANGO_SETTINGS_MODULE=config.settings.base .venv/bin/python -m bench.oversight``
(``SUNSHINE_BENCH_OVS_SCHOOLS`` changes the number of schools).
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from decimal import Decimal

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from sunshine.core.actors import SYSTEM  # noqa: E402
from sunshine.core.figures import figure_value  # noqa: E402
from sunshine.orgs.models import Organization  # noqa: E402
from sunshine.oversight import services  # noqa: E402
from sunshine.oversight.indicators import period_of  # noqa: E402
from sunshine.oversight.models import (  # noqa: E402
    Circular,
    CircularConfirmation,
    Evaluation,
    Indicator,
    IndicatorSet,
    IndicatorValue,
    RectificationItem,
    RectificationOrder,
    SchoolScore,
)

SCHOOLS = int(os.environ.get("SUNSHINE_BENCH_OVS_SCHOOLS", "4500"))
HAND = 27
REFERENCE_SCHOOLS = 100


def build() -> Evaluation:
    bureau = Organization.objects.create(code="BENCH-CITY", name="示范市教育局", kind=Organization.Kind.BUREAU)
    schools = Organization.objects.bulk_create(
        [
            Organization(
                code=f"BS{n:05d}",
                name=f"示范市第{n}学校",
                kind=Organization.Kind.SCHOOL,
                parent=bureau,
                level=Organization.Level.PRIMARY,
                ownership=Organization.Ownership.PUBLIC,
            )
            for n in range(SCHOOLS)
        ],
        batch_size=1000,
    )
    if schools[0].pk is None:  # a backend that returns no keys
        schools = list(Organization.objects.filter(parent=bureau).order_by("pk"))
    for school in schools:
        school.path = f"{bureau.path}{school.pk}/"
    Organization.objects.bulk_update(schools, ["path"], batch_size=1000)

    rng = random.Random(14)
    now = timezone.now()
    year = timezone.localdate().year
    # A year of records: two rectification items per school, one circular to every school.
    orders = RectificationOrder.objects.bulk_create(
        [
            RectificationOrder(organization=s, issuer=bureau, source_label=f"bench:{s.pk}", title="整改")
            for s in schools
        ],
        batch_size=1000,
    )
    if orders[0].pk is None:
        orders = list(RectificationOrder.objects.filter(issuer=bureau).order_by("pk"))
    items = []
    for order in orders:
        for position in (1, 2):
            verified = rng.random() < 0.7
            items.append(
                RectificationItem(
                    order=order,
                    position=position,
                    text="整改事项",
                    due_on=timezone.localdate() - timedelta(days=rng.randint(1, 200)),
                    status=RectificationItem.Status.OPEN,
                    verified_on_time=verified,
                )
            )
    RectificationItem.objects.bulk_create(items, batch_size=2000)
    with connection.cursor() as cursor:  # synthetic history: verified items, written past the one door
        table = RectificationItem._meta.db_table
        cursor.execute(f"UPDATE {table} SET status = %s WHERE verified_on_time", ["verified"])  # noqa: S608
    circular = Circular.objects.create(
        bureau=bureau, number="市教〔2026〕1号", title="通知", issued_at=now - timedelta(days=30)
    )
    CircularConfirmation.objects.bulk_create(
        [
            CircularConfirmation(circular=circular, school=s, studied_at=now if rng.random() < 0.8 else None)
            for s in schools
        ],
        batch_size=2000,
    )

    indicator_set = IndicatorSet.objects.create(bureau=bureau, period=str(year), title="考评")
    sources = [
        ("整改落实", "oversight.rectification_on_time_rate", Indicator.Method.RATE, 0),
        ("文件学习", "oversight.circular_completion_rate", Indicator.Method.RATE, 0),
        ("监督检查", "oversight.findings", Indicator.Method.DEDUCT, 1),
    ] + [(f"手工指标{n}", Indicator.MANUAL, Indicator.Method.RATE, 0) for n in range(HAND)]
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                indicator_set=indicator_set,
                position=n,
                name=name,
                source=source,
                method=method,
                weight=3 if n < 10 else 4,
                per_unit=Decimal(per),
            )
            for n, (name, source, method, per) in enumerate(sources)
        ]
    )
    if indicators[0].pk is None:
        indicators = list(indicator_set.indicators.order_by("position"))
    evaluation = Evaluation.objects.create(indicator_set=indicator_set)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                evaluation=evaluation, indicator=ind, school=s, raw=Decimal(rng.randint(40, 100)), note="考核表"
            )
            for ind in indicators[3:]
            for s in schools
        ],
        batch_size=5000,
    )
    return evaluation


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    evaluation = build()
    hand = IndicatorValue.objects.count()
    print(f"built {SCHOOLS} schools, {hand} hand scores in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    scored = services.evaluation_compute(evaluation=evaluation, actor=SYSTEM)
    total = time.perf_counter() - started
    colours = {
        rag: SchoolScore.objects.filter(evaluation=evaluation, rag=rag).count() for rag in ("green", "amber", "red")
    }
    print(f"evaluation: {SCHOOLS} schools × 30 indicators")
    print(
        f"  figures read in bulk, hand scores read, {scored} schools scored with working, colour and rank, saved: "
        f"{total:.2f} s (target < 2 s) {'OK' if total < 2 else 'OVER TARGET'}; colours {colours}"
    )

    # Reference: the registry read school by school, for the three figure-fed indicators.
    period = period_of(evaluation.indicator_set.period)
    sample = list(
        Organization.objects.filter(parent=evaluation.indicator_set.bureau).order_by("pk")[:REFERENCE_SCHOOLS]
    )
    keys = [i.source for i in evaluation.indicator_set.indicators.exclude(source=Indicator.MANUAL)]
    started = time.perf_counter()
    for school in sample:
        for key in keys:
            figure_value(key, period=period, organization=school)
    per_school = (time.perf_counter() - started) / len(sample)
    print(
        f"  reference, figures school by school: {per_school * 1000:.1f} ms a school on {len(sample)} schools, "
        f"extrapolated to {SCHOOLS}: {per_school * SCHOOLS:.1f} s for 3 of the 30 indicators"
    )


if __name__ == "__main__":
    main()
