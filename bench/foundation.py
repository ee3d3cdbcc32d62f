"""The foundation's hot paths: deadlines, the audit chain, field encryption."""

from __future__ import annotations

import random
import resource
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name: str, count: int, seconds: float, unit: str) -> None:
    print(f"{name:<48} {count:>9,} {unit} in {seconds:7.2f} s = {count / seconds:>11,.0f} {unit}/s")


def bench_deadlines(n: int = 100_000) -> None:
    from sunshine.core.clocks import CLOCKS, deadline

    rng = random.Random(7)
    rules = sorted(CLOCKS)
    starts = [
        datetime.combine(date(2024, 1, 1) + timedelta(days=rng.randrange(0, 4 * 365)), dtime(9, 30), tzinfo=SH)
        for _ in range(n)
    ]
    deadline("PET-5", starts[0])  # warm the calendar cache
    t0 = time.perf_counter()
    for i, start in enumerate(starts):
        deadline(rules[i % len(rules)], start)
    report("deadline() across 2024-2027, every clock", n, time.perf_counter() - t0, "deadlines")


def bench_audit(n: int = 20_000) -> None:
    from sunshine.core.audit import audit_record, audit_verify

    t0 = time.perf_counter()
    batch = 500
    for offset in range(0, n, batch):
        with transaction.atomic():
            for i in range(offset, min(offset + batch, n)):
                audit_record(actor=None, action="bench.event", data={"i": i, "note": "基准测试"})
    report(f"audit_record() ({batch} per transaction)", n, time.perf_counter() - t0, "entries")
    t0 = time.perf_counter()
    result = audit_verify()
    assert result.ok, result.message
    report("audit_verify() whole chain", result.count, time.perf_counter() - t0, "entries")


def bench_crypto(n: int = 50_000) -> None:
    from django.test.utils import override_settings

    from sunshine.core.crypto import decrypt, encrypt

    texts = [f"张三{i} 350302199001011234 13800000000 示范区教育路{i}号" for i in range(n)]
    for cipher in ("aes-256-gcm", "sm4-gcm"):
        with override_settings(SUNSHINE_FIELD_CIPHER=cipher):
            t0 = time.perf_counter()
            tokens = [encrypt(text, context="bench.identity") for text in texts]
            mid = time.perf_counter()
            for token in tokens:
                decrypt(token, context="bench.identity")
            end = time.perf_counter()
        report(f"encrypt ({cipher})", n, mid - t0, "values")
        report(f"decrypt ({cipher})", n, end - mid, "values")


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    bench_deadlines()
    bench_audit()
    bench_crypto()
    print(f"peak memory: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
