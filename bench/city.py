"""The city stack under load (part of `make bench`; nothing here is a test).

Against the stack of ``make city`` (started here when it is not running, and stopped
again afterwards), a bounded load run on loopback: ``wrk`` (Debian's package) with 32
connections for a few seconds per page, printing requests/s and p50/p99 of the public
pages of issue #19 (the home page, a disclosure list and a document, a fee notice,
search, the lottery and the admission look-up, and a filer's own case page, read with
the session its receipt code opened) beside a bare static file served by nginx in the
same run (the reference), and whether each meets the target (``TARGET_RPS`` requests/s
with p99 under ``TARGET_P99_MS``). Then one request of each page profiled in process
under the same settings: the time in database queries (and how many), in template
rendering, and the rest (middleware, view code, URL resolving).

Environment: ``SUNSHINE_BENCH_CITY_SECONDS`` (default 8) per page;
``SUNSHINE_BENCH_CITY_CONNECTIONS`` (default 32).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
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
TARGET_RPS = 1000
TARGET_P99_MS = 100.0
CASE_PAGE = "/petitions/follow/case/"
PAGES = [
    ("reference: static file by nginx", f"/{city.REFERENCE}"),
    ("home page", "/"),
    ("disclosure list", "/disclosure/"),
    ("disclosure document", "/disclosure/documents/{document}/"),
    ("fee notice (a school)", "/fees/schools/DEMO-S01/"),
    ("search", "/search/?q=" + urllib.parse.quote("收费")),
    ("lottery and its look-up", "/enrollment/lotteries/{lottery}/"),
    ("admission look-up", "/enrollment/seasons/{season}/admission/"),
    ("a filer's own case (session)", CASE_PAGE),
]


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url: str, headers: dict[str, str]) -> tuple[float, float, float, int]:
    extra = [part for name, value in headers.items() for part in ("-H", f"{name}: {value}")]
    done = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", *extra, url],
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


def load_python(url: str, headers: dict[str, str]) -> tuple[float, float, float, int]:
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
            conn.request("GET", path, headers=headers)
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


def profile(cookie: str = "") -> None:
    """One request per page in process (Django's test client, the stack's settings and
    database): median of 20 after 3 warm-ups. With ``SUNSHINE_BENCH_CITY_CPROFILE=1``,
    also the 15 functions of most own time of each page (cProfile)."""
    os.environ.update(city.city_env())
    import django

    django.setup()
    from django.db import connection
    from django.template.base import Template
    from django.test import Client

    client = Client(HTTP_HOST=city.HOST)
    case_client = Client(HTTP_HOST=city.HOST)
    for part in filter(None, (p.strip() for p in cookie.split(";"))):
        name, _, value = part.partition("=")
        case_client.cookies[name] = value
    heads = f"{'total ms':>9} {'queries':>8} {'db ms':>7} {'template ms':>12} {'rest ms':>8}"
    print(f"\n{'page (one request, in process)':34} {heads}")
    detail: list[tuple[str, str]] = []
    for label, path in resolve_pages()[1:]:
        asker = case_client if path == CASE_PAGE else client
        if path == CASE_PAGE and not cookie:
            continue
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
                response = asker.get(path)
                total = time.perf_counter() - start
            if response.status_code != 200:
                break
            if i >= 3:
                rows.append((total, count[0], sum(db), sum(rendered) - sum(db_in_template)))
        if not rows:
            print(f"{label:34} (answered {response.status_code} in process: skipped)")
            continue
        if os.environ.get("SUNSHINE_BENCH_CITY_CPROFILE"):
            profiler = cProfile.Profile()
            profiler.runcall(asker.get, path)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
            detail.append((label, out.getvalue()))
        total = statistics.median(r[0] for r in rows) * 1000
        queries = statistics.median(r[1] for r in rows)
        db_ms = statistics.median(r[2] for r in rows) * 1000
        tpl_ms = statistics.median(r[3] for r in rows) * 1000
        print(f"{label:34} {total:9.1f} {queries:8.0f} {db_ms:7.1f} {tpl_ms:12.1f} {total - db_ms - tpl_ms:8.1f}")
    print("(db ms: every query, also those a template runs; template ms: rendering without them;")
    print(" rest ms: middleware, view code, URL resolving, the test client)")
    for label, text in detail:
        print(f"\n--- {label}: cProfile, by own time ---")
        print("\n".join(line for line in text.splitlines() if line.strip())[:3000])


def _get(path: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    conn = HTTPConnection(city.HOST, city.PROXY_PORT, timeout=120)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body, response


def _first(pattern: str, path: str) -> str:
    found = re.search(pattern, _get(path)[1])
    return found.group(1) if found else "0"


def resolve_pages() -> list[tuple[str, str]]:
    """The pages with the ids of the demo district's records (read from its own pages)."""
    ids = {
        "document": _first(r'href="/disclosure/documents/(\d+)/"', "/disclosure/"),
        "lottery": _first(r'href="/enrollment/lotteries/(\d+)/"', "/enrollment/"),
        "season": "0",
    }
    for season in re.findall(r'href="/enrollment/seasons/(\d+)/"', _get("/enrollment/")[1]):
        if f"/enrollment/seasons/{season}/admission/" in _get(f"/enrollment/seasons/{season}/")[1]:
            ids["season"] = season
    return [(label, path.format(**ids)) for label, path in PAGES]


def case_session() -> str:
    """A ``Cookie`` header holding the session a demo receipt code opens (the code from
    the demo district's logins file), or "" when there is none."""
    logins = city.CITY / "demo-logins.txt"
    found = re.search(r"^\s+(\d{16})\s+[(（]XF-", logins.read_text(encoding="utf-8"), re.M) if logins.exists() else None
    if found is None:
        return ""
    _status, body, response = _get("/petitions/follow/")
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if csrf is None or token is None:
        return ""
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "code": found.group(1)})
    conn = HTTPConnection(city.HOST, city.PROXY_PORT, timeout=120)
    conn.request(
        "POST",
        "/petitions/follow/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf.group(1)}"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 302 or session is None:
        return ""
    return f"csrftoken={csrf.group(1)}; sessionid={session.group(1)}"


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
        print(f"target: at least {TARGET_RPS} req/s with p99 under {TARGET_P99_MS:.0f} ms; machine: {_uptime()}")
        print(f"{'page':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  target")
        cookie = case_session()
        for label, path in resolve_pages():
            headers = {"Cookie": cookie} if path == CASE_PAGE else {}
            if path == CASE_PAGE and not cookie:
                print(f"{label:34} (no demo receipt code opened a session: skipped)")
                continue
            status, body, _response = _get(path, headers)
            if status != 200 or (path == CASE_PAGE and "XF-" not in body):
                print(f"{label:34} (answered {status} at {path}: skipped)")
                continue
            for _ in range(3 * len(city.APP_PORTS)):  # warm every app server's process
                _get(path, headers)
            rps, p50, p99, bad = load(f"http://{city.HOST}:{city.PROXY_PORT}{path}", headers)
            verdict = (
                ""
                if path == PAGES[0][1]
                else ("pass" if rps >= TARGET_RPS and p99 < TARGET_P99_MS and not bad else "FAIL")
            )
            print(f"{label:34} {rps:9.0f} {p50:8.1f} {p99:8.1f} {bad:7d}  {verdict}", flush=True)
        print(f"machine after the run: {_uptime()}")
        subprocess.run([sys.executable, "-m", "bench.city", "--profile", cookie], check=False)  # noqa: S603
    finally:
        if started:
            city.stop()
    return 0


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    except OSError:
        return "(uptime not available)"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--profile"]:
        profile(sys.argv[2] if len(sys.argv) > 2 else "")
        raise SystemExit(0)
    raise SystemExit(main())
