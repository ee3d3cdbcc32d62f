"""Benchmarks for `make bench`: they print their figures; nothing here is a test.

Runs each benchmark on a fresh SQLite file and, when PostgreSQL answers at
SUNSHINE_BENCH_PG (default postgres://postgres@127.0.0.1:5432/sunshine_bench), again
on PostgreSQL. Each database run is a child process so settings stay clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

# One child process per module and database. A module adds its benchmark here.
BENCH_MODULES = [
    "bench.foundation",
    "bench.fees",
    "bench.opinion",
    "bench.disclosure",
    "bench.petitions",
    "bench.funds",
    "bench.decisions",
    "bench.enrollment",
    "bench.reports",
    "bench.oversight",
    "bench.privacy",
]

PG_URL = os.environ.get("SUNSHINE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sunshine_bench")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3, autocommit=True) as conn:
            name = PG_URL.rsplit("/", 1)[1]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:
        print(f"(PostgreSQL not available for benchmarks: {exc})")
        return False


def main() -> int:
    runs: list[tuple[str, str | None]] = [("SQLite", None)]
    if _pg_available():
        runs.append(("PostgreSQL", PG_URL))
    for label, url in runs:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.base", SUNSHINE_LOG_LEVEL="WARNING")
        data_dir = tempfile.mkdtemp(prefix="sunshine-bench-")
        env["SUNSHINE_DATA_DIR"] = data_dir
        if url:
            env["DATABASE_URL"] = url
        else:
            env.pop("DATABASE_URL", None)
        for module in BENCH_MODULES:
            print(f"\n=== {module} on {label} ===", flush=True)
            code = subprocess.call([sys.executable, "-m", module], env=env)  # noqa: S603
            if code:
                return code
    # The city stack (make city) under load on loopback: once, on its own PostgreSQL database.
    print("\n=== bench.city (make city: nginx, three app servers, PostgreSQL) ===", flush=True)
    code = subprocess.call([sys.executable, "-m", "bench.city"])
    if code:
        return code
    # Filing at a steady rate while an app server, a task worker and a scheduler are killed.
    print("\n=== bench.faults (make city: filing while processes are killed) ===", flush=True)
    return subprocess.call([sys.executable, "-m", "bench.faults"])


if __name__ == "__main__":
    raise SystemExit(main())
