"""Reports' hot paths on a city-sized tree: every dashboard figure and breakdown of one
period for the bureau computed cold (each breakdown timed on its own too), one chart
served (live and from a snapshot, p95), the nightly snapshot of the bureau, and the
annual work summary written and issued.

The data set: 4,500 schools and 150,000 letters of the year (``BENCH_REPORTS_SCALE``,
default 1.0, scales both; 0.1 for a quick run). The other modules' tables are present
but not filled here (their own benchmarks fill them); the reference printed beside each
figure is a plain COUNT over the same letters, measured in the same run."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
SCALE = float(os.environ.get("BENCH_REPORTS_SCALE", "1.0"))


def setup(schools_n: int, cases_n: int) -> tuple:
    from sunshine.orgs.models import Organization
    from sunshine.petitions.models import Petition

    bureau = Organization.objects.create(code="RBENCH", name="基准市教育局", short_name="基准局", kind="bureau")
    t0 = time.perf_counter()
    schools = []
    for i in range(schools_n):
        school = Organization(
            code=f"RB-S{i:05d}",
            name=f"基准第{i}学校",
            kind="school",
            parent=bureau,
            level="primary",
            ownership="public",
        )
        schools.append(school)
    with transaction.atomic():
        Organization.objects.bulk_create(schools, batch_size=1000)
        created = list(Organization.objects.filter(parent=bureau))
        for school in created:
            school.path = f"{bureau.path}{school.pk}/"
        Organization.objects.bulk_update(created, ["path"], batch_size=1000)
    print(f"{len(created):,} schools created in {time.perf_counter() - t0:.1f} s")

    rng = random.Random(3)
    S = Petition.Status
    start = datetime(2026, 1, 1, tzinfo=SH)
    t0 = time.perf_counter()
    batch: list[Petition] = []
    for i in range(cases_n):
        received = start + timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
        status = rng.choice([S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.ANSWERED, S.RATED, S.CLOSED, S.DECLINED])
        accepted = received + timedelta(days=rng.randrange(1, 20)) if status not in (S.REGISTERED, S.DECLINED) else None
        answered = (
            accepted + timedelta(days=rng.randrange(10, 80))
            if accepted and status in (S.ANSWERED, S.RATED, S.CLOSED)
            else None
        )
        batch.append(
            Petition(
                bureau=bureau,
                number=f"RB-{i:07d}",
                kind=rng.choice(Petition.Kind.values),
                channel=rng.choice(["web", "letter", "phone", "hotline"]),
                status=status,
                title="t",
                facts="f",
                subject_organization=rng.choice(created),
                received_at=received,
                notice_due_at=received + timedelta(days=15),
                notified_at=accepted or (received + timedelta(days=5) if status == S.DECLINED else None),
                accepted_at=accepted,
                handling_due_at=accepted + timedelta(days=60) if accepted else None,
                answered_at=answered,
                rated_at=received + timedelta(days=90) if status == S.RATED else None,
                satisfaction=rng.choice(Petition.Satisfaction.values) if status == S.RATED else "",
            )
        )
        if len(batch) == 10_000:
            with transaction.atomic():
                Petition.objects.bulk_create(batch)
            batch = []
    with transaction.atomic():
        Petition.objects.bulk_create(batch)
    print(f"{cases_n:,} letters created in {time.perf_counter() - t0:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return bureau, created


def reference(bureau) -> float:
    from sunshine.petitions.models import Petition

    t0 = time.perf_counter()
    Petition.objects.filter(bureau=bureau, received_at__year=2026).count()
    return time.perf_counter() - t0


def main() -> None:
    from sunshine.core.actors import SYSTEM
    from sunshine.core.figures import Period, breakdown_value, breakdowns_registered, figures_snapshot
    from sunshine.reports.mechanisms import sections_for
    from sunshine.reports.summary import summary_issue

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; scale {SCALE}")
    bureau, schools = setup(int(4500 * SCALE), int(150_000 * SCALE))
    ref = reference(bureau)
    print(f"reference: COUNT of the year's letters                  {ref * 1000:8.1f} ms")

    period = Period.year(2026)
    t0 = time.perf_counter()
    sections = sections_for(period=period, organization=bureau)
    cold = time.perf_counter() - t0
    count = sum(len(s.results) for s in sections)
    split = sum(len(s.breakdowns) for s in sections)
    print(
        f"every dashboard figure, bureau, one year (cold)         {cold * 1000:8.1f} ms"
        f"  ({count} figures and {split} breakdowns; target < 2000 ms)"
    )
    for breakdown in breakdowns_registered():
        t0 = time.perf_counter()
        rows = breakdown_value(breakdown.key, period=period, organization=bureau).rows
        took = time.perf_counter() - t0
        print(f"  breakdown {breakdown.key:<36} {took * 1000:8.1f} ms  ({len(rows)} rows)")

    def p95(fn, n: int = 30) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.quantiles(times, n=20)[-1]

    t0 = time.perf_counter()
    cache.clear()
    sections_for(period=period, organization=bureau, only="petitions")[0].chart()
    print(f"one chart (petitions), live, first request (cold)       {(time.perf_counter() - t0) * 1000:8.1f} ms")
    live = p95(lambda: sections_for(period=period, organization=bureau, only="petitions")[0].chart())
    print(f"one chart (petitions), live, p95 (kept five minutes)          {live * 1000:8.1f} ms  (target < 200 ms)")
    t0 = time.perf_counter()
    figures_snapshot(period=period, organization=bureau)
    snap = time.perf_counter() - t0
    print(f"nightly snapshot of the bureau, one period              {snap * 1000:8.1f} ms")
    as_of = datetime(2026, 12, 31, 23, 0, tzinfo=SH)
    stored = p95(lambda: sections_for(period=period, organization=bureau, as_of=as_of, only="petitions")[0].chart())
    print(f"one chart (petitions), as of a snapshot, p95            {stored * 1000:8.1f} ms  (target < 200 ms)")
    school = schools[0]
    t0 = time.perf_counter()
    sections_for(period=period, organization=school)
    print(f"every dashboard figure, one school                      {(time.perf_counter() - t0) * 1000:8.1f} ms")
    t0 = time.perf_counter()
    document = summary_issue(bureau=bureau, year=2026, actor=SYSTEM)
    print(
        f"annual work summary written and issued ({document.number})"
        f"  {(time.perf_counter() - t0):6.2f} s  (target < 10 s)"
    )


if __name__ == "__main__":
    main()
