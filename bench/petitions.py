"""Petitions' hot paths: intake throughput (petition_file with identity encryption,
clocks, supervision and audit) and the PET-10 figures query on 100k cases."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def report(name: str, count: int, seconds: float, unit: str) -> None:
    print(f"{name:<52} {count:>9,} {unit} in {seconds:7.2f} s = {count / seconds:>11,.1f} {unit}/s")


def setup() -> tuple:
    from sunshine.accounts.models import User
    from sunshine.orgs.models import Organization, Role
    from sunshine.orgs.services import membership_grant

    bureau = Organization.objects.create(code="BENCH", name="基准区教育局", kind="bureau")
    disc = Organization.objects.create(code="BENCH-DISC", name="纪检组", kind="department", parent=bureau)
    schools = [
        Organization.objects.create(
            code=f"BENCH-S{i:03d}",
            name=f"基准第{i}小学",
            kind="school",
            parent=bureau,
            level="primary",
            ownership="public",
        )
        for i in range(150)
    ]
    depts = [
        Organization.objects.create(code=f"BENCH-D{i:02d}", name=f"股室{i}", kind="department", parent=bureau)
        for i in range(10)
    ]
    inspector = User.objects.create(username="bench-inspector", full_name="基准纪检")
    membership_grant(actor=None, user=inspector, organization=disc, role=Role.DISCIPLINE_INSPECTOR)
    return bureau, schools, depts


def bench_intake(bureau, schools, n: int = 500) -> None:
    from sunshine.petitions.services import IdentityInput, petition_file

    rng = random.Random(1)
    t0 = time.perf_counter()
    for i in range(n):
        identity = (
            IdentityInput(name=f"基准{i}", phone=f"1990000{i:04d}", id_number=f"99010119900101{i:04d}", address="某路")
            if i % 2
            else None
        )
        petition_file(
            bureau=bureau,
            kind=rng.choice(["report", "complaint", "suggestion", "inquiry"]),
            channel="web",
            title="基准测试信访件",
            facts="学校违规收费，请求查处。" * 5,
            request="清退",
            subject_organization=rng.choice(schools),
            identity=identity,
            actor=None,
        )
    report("petition_file() (half named, encrypted identity)", n, time.perf_counter() - t0, "cases")


def bench_figures(bureau, schools, depts, n: int = 100_000) -> None:
    from sunshine.core.figures import Period, figures_all
    from sunshine.petitions.models import Petition

    rng = random.Random(2)
    S = Petition.Status
    start = datetime(2025, 1, 1, tzinfo=SH)
    units = schools + depts
    t0 = time.perf_counter()
    batch: list[Petition] = []
    for i in range(n):
        received = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        status = rng.choice([S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.ANSWERED, S.RATED, S.CLOSED, S.DECLINED])
        accepted_at = (
            received + timedelta(days=rng.randrange(1, 20)) if status not in (S.REGISTERED, S.DECLINED) else None
        )
        answered_at: datetime | None = None
        if accepted_at is not None and status in (S.ANSWERED, S.RATED, S.CLOSED):
            answered_at = accepted_at + timedelta(days=rng.randrange(10, 80))
        batch.append(
            Petition(
                bureau=bureau,
                number=f"B-{i:06d}",
                kind=rng.choice(Petition.Kind.values),
                channel=rng.choice(["web", "letter", "phone", "hotline"]),
                status=status,
                title="t",
                facts="f",
                subject_organization=rng.choice(units),
                received_at=received,
                notice_due_at=received + timedelta(days=15),
                notified_at=accepted_at or (received + timedelta(days=5) if status == S.DECLINED else None),
                accepted_at=accepted_at,
                handling_due_at=accepted_at + timedelta(days=60) if accepted_at else None,
                answered_at=answered_at,
                rated_at=received + timedelta(days=90) if status == S.RATED else None,
                satisfaction=rng.choice(Petition.Satisfaction.values) if status == S.RATED else "",
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Petition.objects.bulk_create(batch)
            batch = []
    report("bulk_create cases (setup)", n, time.perf_counter() - t0, "cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE petitions_petition")
    period = Period.year(2025)
    for organization in (bureau, schools[0], depts[0]):
        t0 = time.perf_counter()
        rows = figures_all(period=period, organization=organization, prefix="petitions.")
        seconds = time.perf_counter() - t0
        counted = next(r.value for r in rows if r.key == "petitions.received")
        print(
            f"figures_all(petitions.) for {organization.kind:<10} over {counted:,} cases: "
            f"{seconds * 1000:8.1f} ms ({len(rows)} figures)"
        )


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    bureau, schools, depts = setup()
    bench_intake(bureau, schools)
    bench_figures(bureau, schools, depts)


if __name__ == "__main__":
    main()
