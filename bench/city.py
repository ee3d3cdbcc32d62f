"""The city stack under load (part of `make bench`; nothing here is a test).

Against the stack of ``make city`` (started here when it is not running, and stopped
again afterwards), a bounded load run on loopback: ``wrk`` (Debian's package) with 32
connections for a few seconds per page, printing requests/s and p50/p99 for the home
page, a disclosure list, search and a fee notice, beside a bare static file served by
nginx in the same run (the reference). Then one request of each page profiled in
process under the same settings: the time in database queries (and how many), in
template rendering, and the rest (middleware, view code, URL resolving).

Environment: ``SUNSHINE_BENCH_CITY_SECONDS`` (default 8) per page;
``SUNSHINE_BENCH_CITY_CONNECTIONS`` (default 32).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from typing import Any

from sunshine.core import city

SECONDS = int(os.environ.get("SUNSHINE_BENCH_CITY_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("SUNSHINE_BENCH_CITY_CONNECTIONS", "32"))
PAGES = [
    ("reference: static file by nginx", f"/{city.REFERENCE}"),
    ("home page", "/"),
    ("disclosure list", "/disclosure/"),
    ("search", "/search/?q=" + urllib.parse.quote("收费")),
    ("fee notice (a school)", "/fees/schools/DEMO-S01/"),
]


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url: str) -> tuple[float, float, float, int]:
    done = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, p99, int(bad.group(1)) if bad else 0


def load_python(url: str) -> tuple[float, float, float, int]:
    """The fallback without wrk: CONNECTIONS threads with keep-alive connections."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    bad = [0]
    end = time.monotonic() + SECONDS
    lock = threading.Lock()

    def client() -> None:
        conn = HTTPConnection(parts.hostname or city.HOST, parts.port or 80, timeout=30)
        mine: list[float] = []
        while time.monotonic() < end:
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status >= 400:
                bad[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return (
        len(latencies) / SECONDS,
        latencies[len(latencies) // 2],
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        bad[0],
    )


@contextmanager
def _timed(target: Any, name: str, bucket: list[float], depth: list[int]) -> Iterator[None]:
    """Add the time of the outermost calls of ``target.name`` to ``bucket``; ``depth[0]``
    is above 0 while one runs."""
    original: Callable[..., Any] = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                bucket.append(time.perf_counter() - start)

    setattr(target, name, wrapper)
    try:
        yield
    finally:
        setattr(target, name, original)


def profile() -> None:
    """One request per page in process (Django's test client, the stack's settings and
    database): median of 20 after 3 warm-ups."""
    os.environ.update(city.city_env())
    import django

    django.setup()
    from django.db import connection
    from django.template.base import Template
    from django.test import Client

    client = Client(HTTP_HOST=city.HOST)
    heads = f"{'total ms':>9} {'queries':>8} {'db ms':>7} {'template ms':>12} {'rest ms':>8}"
    print(f"\n{'page (one request, in process)':34} {heads}")
    for label, path in PAGES[1:]:
        rows = []
        for i in range(23):
            db: list[float] = []
            db_in_template: list[float] = []
            rendered: list[float] = []
            count = [0]
            depth = [0]

            def wrap(
                execute: Any,
                sql: Any,
                params: Any,
                many: Any,
                context: Any,
                count: list[int] = count,
                db: list[float] = db,
                depth: list[int] = depth,
                db_in_template: list[float] = db_in_template,
            ) -> Any:
                count[0] += 1
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent = time.perf_counter() - start
                    db.append(spent)
                    if depth[0]:
                        db_in_template.append(spent)

            with connection.execute_wrapper(wrap), _timed(Template, "render", rendered, depth):
                start = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - start
            assert response.status_code == 200, (path, response.status_code)
            if i >= 3:
                rows.append((total, count[0], sum(db), sum(rendered) - sum(db_in_template)))
        total = statistics.median(r[0] for r in rows) * 1000
        queries = statistics.median(r[1] for r in rows)
        db_ms = statistics.median(r[2] for r in rows) * 1000
        tpl_ms = statistics.median(r[3] for r in rows) * 1000
        print(f"{label:34} {total:9.1f} {queries:8.0f} {db_ms:7.1f} {tpl_ms:12.1f} {total - db_ms - tpl_ms:8.1f}")
    print("(db ms: every query, also those a template runs; template ms: rendering without them;")
    print(" rest ms: middleware, view code, URL resolving, the test client)")


def main() -> int:
    started = False
    if not city.serving():
        print("city: not running; starting it (make city) …", flush=True)
        if city.start(demo=True) != 0:
            print("(city stack could not start: load run skipped)")
            return 0
        started = True
    try:
        time.sleep(1)
        load = load_wrk if shutil.which("wrk") else load_python
        tool = "wrk" if load is load_wrk else "a Python load generator (wrk not installed)"
        print(f"Load on http://{city.HOST}:{city.PROXY_PORT}: {tool}, {CONNECTIONS} connections, {SECONDS} s per page")
        print(f"{'page':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for label, path in PAGES:
            for _ in range(3 * len(city.APP_PORTS)):  # warm every app server's process
                conn = HTTPConnection(city.HOST, city.PROXY_PORT, timeout=30)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
            rps, p50, p99, bad = load(f"http://{city.HOST}:{city.PROXY_PORT}{path}")
            print(f"{label:34} {rps:9.0f} {p50:8.1f} {p99:8.1f} {bad:7d}", flush=True)
        subprocess.run([sys.executable, "-m", "bench.city", "--profile"], check=False)
    finally:
        if started:
            city.stop()
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--profile"]:
        profile()
        raise SystemExit(0)
    raise SystemExit(main())
