"""Funds at city scale: 4,500 schools × 20 funds (90,000 allocations) and a million
disbursements. Times (1) every allocation's lag at one date (``funds.lag.lags_at``: one
GROUP BY) beside a plain-Python reference (every disbursement row fetched and summed in a
dict) in the same run, and (2) importing 100,000 disbursement rows from a CSV through the
service (``disbursements_import``: parse in core's limited process, check every row,
bulk insert, all or nothing) beside a plain-Python reference (csv module, the same checks
against dicts, no database writes).

Run: ``DJANGO_SETTINGS_MODULE=config.settings.base .venv/bin/python -m bench.funds``
(``SUNSHINE_BENCH_FUNDS_SCHOOLS``, ``SUNSHINE_BENCH_FUNDS_ROWS`` and
``SUNSHINE_BENCH_FUNDS_IMPORT`` change the scale).
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SCHOOLS = int(os.environ.get("SUNSHINE_BENCH_FUNDS_SCHOOLS", "4500"))
FUNDS = 20
ROWS = int(os.environ.get("SUNSHINE_BENCH_FUNDS_ROWS", "1000000"))
IMPORT_ROWS = int(os.environ.get("SUNSHINE_BENCH_FUNDS_IMPORT", "100000"))
AS_OF = date(2026, 11, 10)


def build() -> tuple[Any, list[int], list[Any]]:
    from sunshine.funds.models import Allocation, Fund
    from sunshine.orgs.models import Organization

    bureau = Organization.objects.create(
        kind=Organization.Kind.BUREAU, name="基准市教育局", short_name="基准", code="BENCH"
    )
    schools = Organization.objects.bulk_create(
        [
            Organization(
                kind=Organization.Kind.SCHOOL,
                name=f"基准学校{i:05d}",
                code=f"BS{i:05d}",
                parent=bureau,
                level=Organization.Level.PRIMARY,
                ownership=Organization.Ownership.PUBLIC,
            )
            for i in range(SCHOOLS)
        ],
        batch_size=2000,
    )
    for s in schools:
        s.path = f"{bureau.path}{s.pk}/"
    Organization.objects.bulk_update(schools, ["path"], batch_size=2000)
    modes = [Fund.Mode.MONTHLY, Fund.Mode.DAILY, Fund.Mode.CURVE, Fund.Mode.PROJECT]
    funds = Fund.objects.bulk_create(
        [
            Fund(
                bureau=bureau,
                name=f"基准经费{i:02d}",
                source_level=Fund.Source.CITY,
                purpose=Fund.Purpose.SPECIAL,
                year=2026,
                approved_on=date(2026, 1, 5),
                approval_document=f"基财〔2026〕{i}号",
                total_fen=SCHOOLS * 10_000_000,
                mode=modes[i % 4],
                curve_bp=[833 * (m + 1) for m in range(12)] if modes[i % 4] == Fund.Mode.CURVE else [],
                position=i,
            )
            for i in range(FUNDS)
        ]
    )
    allocations = Allocation.objects.bulk_create(
        (
            Allocation(
                fund=f,
                organization=s,
                title="工程" if f.mode == Fund.Mode.PROJECT else "",
                amount_fen=10_000_000,
                transfer_due=date(2026, 3, 6),
            )
            for f in funds
            for s in schools
        ),
        batch_size=5000,
    )
    ids = [a.pk for a in allocations]
    return bureau, ids, funds


def fill(ids: list[int]) -> None:
    rng = random.Random(7)
    start = date(2026, 1, 10)
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for n in range(ROWS):
            batch.append(
                (
                    ids[n % len(ids)],
                    (start + timedelta(days=rng.randrange(330))).isoformat(),
                    rng.randrange(1, 900_000),
                    f"BV{n:08d}",
                )
            )
            if len(batch) == 20_000:
                cursor.executemany(
                    "INSERT INTO funds_disbursement (allocation_id, paid_on, amount_fen, voucher, recorded_at) "
                    "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)",
                    batch,
                )
                batch = []
        if batch:
            cursor.executemany(
                "INSERT INTO funds_disbursement (allocation_id, paid_on, amount_fen, voucher, recorded_at) "
                "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)",
                batch,
            )
        # The allocations' kept totals, as the services keep them when they record money.
        from sunshine.funds.lag import allocation_totals_refresh
        from sunshine.funds.models import Allocation

        allocation_totals_refresh(Allocation.objects.all())
    with connection.cursor() as cursor:
        # As autovacuum leaves a loaded table: statistics and the visibility map current.
        cursor.execute(
            "ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE funds_disbursement, funds_allocation"
        )


def lag_reference(funds: list[Any]) -> int:
    from sunshine.funds.lag import schedule_bp
    from sunshine.funds.models import Allocation, Disbursement

    paid: dict[int, int] = defaultdict(int)
    for allocation_id, paid_on, amount in Disbursement.objects.values_list(
        "allocation_id", "paid_on", "amount_fen"
    ).iterator(chunk_size=20_000):
        if paid_on <= AS_OF:
            paid[allocation_id] += amount
    modes = {f.pk: (f.mode, f.curve_bp) for f in funds}  # type: ignore[attr-defined]
    lagging = 0
    for pk, fund_id, amount in Allocation.objects.values_list("pk", "fund_id", "amount_fen").iterator(
        chunk_size=20_000
    ):
        mode, curve = modes[fund_id]
        schedule = schedule_bp(mode=mode, year=2026, on=AS_OF, curve=curve)
        if schedule - paid[pk] * 10_000 // amount > 1000:
            lagging += 1
    return lagging


def import_file(fund: Any, schools: int) -> bytes:
    out = io.StringIO()
    out.write("学校代码,凭证号,拨付日期,金额(元)\n")
    for n in range(IMPORT_ROWS):
        out.write(f"BS{n % schools:05d},IM{n:08d},2026-11-{1 + n % 9:02d},{1 + n % 50}.50\n")
    return out.getvalue().encode()


def import_reference(data: bytes, fund: Any) -> int:
    from sunshine.funds.models import Allocation

    allocations = dict(Allocation.objects.filter(fund=fund).values_list("organization__code", "pk"))
    amounts = dict(Allocation.objects.filter(fund=fund).values_list("pk", "amount_fen"))
    seen: set[str] = set()
    totals: dict[int, int] = defaultdict(int)
    reader = csv.reader(io.StringIO(data.decode()))
    next(reader)
    count = 0
    for code, voucher, day, amount in reader:
        pk = allocations[code]
        assert voucher not in seen
        seen.add(voucher)
        date.fromisoformat(day)
        totals[pk] += round(float(amount) * 100)
        assert totals[pk] <= amounts[pk]
        count += 1
    return count


def main() -> None:
    from sunshine.core.actors import SYSTEM
    from sunshine.funds.lag import lags_at
    from sunshine.funds.models import Allocation, Disbursement
    from sunshine.funds.services import disbursements_import

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    _bureau, ids, funds = build()
    fill(ids)
    print(
        f"{connection.vendor}: built {len(ids):,} allocations and {ROWS:,} disbursements "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    t0 = time.perf_counter()
    lags = lags_at(Allocation.objects.all(), AS_OF)
    seconds = time.perf_counter() - t0
    lagging = sum(1 for lag in lags if lag.lagging(10.0))
    print(
        f"  lag of every allocation at {AS_OF}: {len(lags):,} allocations in {seconds:.3f} s "
        f"({lagging:,} lagging > 10 pp) — target < 1 s"
    )
    t0 = time.perf_counter()
    ref = lag_reference(funds)
    print(f"  reference (plain Python over every row): {time.perf_counter() - t0:.3f} s ({ref:,} lagging)")

    target = funds[0]
    data = import_file(target, SCHOOLS)
    t0 = time.perf_counter()
    batch = disbursements_import(actor=SYSTEM, fund=target, file=SimpleUploadedFile("bench.csv", data))
    seconds = time.perf_counter() - t0
    print(f"  import of {batch.rows:,} rows (checked, all or nothing): {seconds:.2f} s — target < 10 s")
    t0 = time.perf_counter()
    count = import_reference(data, target)
    print(
        f"  reference (csv module and dicts, the same checks, no writes): {count:,} rows "
        f"in {time.perf_counter() - t0:.2f} s"
    )
    print(f"  disbursements now: {Disbursement.objects.count():,}")


if __name__ == "__main__":
    main()
