"""The red flags of tenders and purchases, computed live, at the scale of a city: N
tenders (default 5,000, three bids each on average) and M purchase contracts (default
50,000) in the database, then ``sunshine.decisions.rules.red_flags()`` timed over all of
them (the discipline inspectors' page). The reference, measured in the same run, is the
plain way of finding split purchases — every pair of contracts of one organisation and
purpose compared — timed on a slice and said so in its line.

Run: ``DJANGO_SETTINGS_MODULE=config.settings.base .venv/bin/python -m bench.decisions``
(``SUNSHINE_BENCH_TENDERS`` and ``SUNSHINE_BENCH_CONTRACTS`` change the sizes).
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from typing import Any

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

TENDERS = int(os.environ.get("SUNSHINE_BENCH_TENDERS", "5000"))
CONTRACTS = int(os.environ.get("SUNSHINE_BENCH_CONTRACTS", "50000"))
REFERENCE_CONTRACTS = 5000


def build() -> None:
    from sunshine.accounts.models import User
    from sunshine.decisions.models import Bid, Contract, DecisionItem, Project, Tender
    from sunshine.orgs.models import Organization

    rng = random.Random(7)
    bureau = Organization.objects.create(code="BENCH", name="基准区教育局", kind=Organization.Kind.BUREAU)
    schools = [
        Organization.objects.create(
            code=f"BENCH-S{i}",
            name=f"基准学校{i}",
            kind=Organization.Kind.SCHOOL,
            parent=bureau,
            level=Organization.Level.PRIMARY,
            ownership=Organization.Ownership.PUBLIC,
        )
        for i in range(200)
    ]
    user = User.objects.create(username="bench")
    with transaction.atomic():
        item = DecisionItem.objects.create(
            organization=bureau, title="基准事项", category="major_project", proposer=user
        )
        projects = Project.objects.bulk_create(
            Project(
                item=item,
                organization=rng.choice(schools),
                title=f"工程{i}",
                ceiling_fen=rng.randint(10, 900) * 1_000_000,
            )
            for i in range(TENDERS)
        )
        start = date(2026, 1, 1)
        tenders = Tender.objects.bulk_create(
            Tender(project=p, method="open", opened_on=start + timedelta(days=rng.randint(0, 364))) for p in projects
        )
        bids = []
        for tender, project in zip(tenders, projects, strict=True):
            for b in range(rng.choice((1, 2, 3, 3, 4, 5))):
                bids.append(
                    Bid(
                        tender=tender,
                        bidder=f"公司{rng.randint(0, 800)}-{b}",
                        amount_fen=int(project.ceiling_fen * rng.uniform(0.85, 1.0)),
                    )
                )
        Bid.objects.bulk_create(bids, batch_size=5000)
        winners: dict[int, Any] = {}
        for bid in bids:
            winners.setdefault(bid.tender_id, bid)
        for tender in tenders:
            tender.winner = winners[tender.pk]
            tender.awarded_on = tender.opened_on
        Tender.objects.bulk_update(tenders, ["winner", "awarded_on"], batch_size=2000)
        purposes = [f"采购内容{i}" for i in range(400)]
        Contract.objects.bulk_create(
            (
                Contract(
                    organization=rng.choice(schools),
                    purpose=rng.choice(purposes),
                    contractor="某公司",
                    price_fen=rng.randint(1, 60) * 1_000_000,
                    signed_on=start + timedelta(days=rng.randint(0, 364)),
                    recorded_by=user,
                )
                for _ in range(CONTRACTS)
            ),
            batch_size=5000,
        )


def reference_pairs(rows: list[tuple[int, str, int, date]], limit: int) -> int:
    """Every pair of one organisation's contracts of one purpose within 90 days, each under
    the threshold and together at or above it: O(n²)."""
    found = set()
    for i, (org, purpose, price, day) in enumerate(rows):
        if price >= limit:
            continue
        for org2, purpose2, price2, day2 in rows[i + 1 :]:
            same = org2 == org and purpose2 == purpose and abs((day2 - day).days) <= 90
            if same and price2 < limit and price + price2 >= limit:
                found.add((org, purpose))
    return len(found)


def main() -> None:
    call_command("migrate", verbosity=0)
    from sunshine.decisions import rules
    from sunshine.decisions.models import Contract, Tender

    t0 = time.perf_counter()
    build()
    print(f"built {TENDERS:,} tenders and {CONTRACTS:,} contracts in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    flags = rules.red_flags(tenders=Tender.objects.all(), contracts=Contract.objects.all())
    elapsed = time.perf_counter() - t0
    kinds: dict[str, int] = {}
    for flag in flags:
        kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
    print(f"red_flags(): {len(flags):,} flags {kinds} in {elapsed:.2f} s over {TENDERS + CONTRACTS:,} records")
    rows = list(
        Contract.objects.values_list("organization_id", "purpose", "price_fen", "signed_on")[:REFERENCE_CONTRACTS]
    )
    t0 = time.perf_counter()
    reference_pairs(rows, rules.threshold_fen())
    ref = time.perf_counter() - t0
    scale = (CONTRACTS / REFERENCE_CONTRACTS) ** 2
    print(
        f"reference (pairwise split check): {ref:.2f} s on {REFERENCE_CONTRACTS:,} contracts; "
        f"extrapolated to {CONTRACTS:,}: {ref * scale:.0f} s (quadratic)"
    )
    t0 = time.perf_counter()
    rules.split_flags(
        Contract.objects.filter(pk__in=list(Contract.objects.values_list("pk", flat=True)[:REFERENCE_CONTRACTS]))
    )
    print(f"split_flags() on the same {REFERENCE_CONTRACTS:,} contracts: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
