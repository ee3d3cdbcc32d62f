"""Filing under load while processes die (part of `make bench`; nothing here is a test).

Against the stack of ``make city`` (started here when it is not running, and stopped
again afterwards): client threads file letters on the public web form through nginx at a
steady rate, as a browser would (the form, its CSRF token and one-time token, the POST,
the receipt page). During the run one app server (its gunicorn master and workers), one
task worker and one scheduler are killed with SIGKILL; the city's supervisor starts them
again. Meanwhile the supervision sweep is made due again and again (the administrator's
"run at the next tick": ``next_run_at`` = now) while two schedulers tick.

Each filing is classified: succeeded (a receipt page with case number and receipt code),
refused (a 4xx/503 page with a Chinese message, e.g. the per-address form throttle), or
failed (no answer, a 5xx, no receipt). Afterwards, in the database (the ORM under the
city's settings) and over HTTP:

- every receipted case exists, carries the receipt code's hash, its PET-3 clock
  (an active supervision), its audit entry, its claimed form token and, when filed under
  a name, its encrypted identity; and it opens on the public follow page with its code
  (``lost`` counts the receipted cases that fail any of this: it must be 0);
- no case of the run lacks those rows (``half-written`` must be 0);
- each due moment of the sweep was enqueued once (``double runs`` must be 0), and every
  enqueued sweep finished (a run cut by the killed worker is run again);
- the audit chain verifies.

Every simulated citizen has an address of its own: the client binds each connection to a
fresh loopback address (127.x.y.z, all of 127/8 is local on Linux), so nginx forwards that
address and the per-address throttle applies to each citizen as in production; nothing
is relaxed for the run. A share of the filings (``SUNSHINE_BENCH_FAULTS_CROWDED``) comes
from one shared address, to show the throttle's refusal.

Environment: ``SUNSHINE_BENCH_FAULTS_SECONDS`` (default 60), ``SUNSHINE_BENCH_FAULTS_RATE``
(filings per second, default 6), ``SUNSHINE_BENCH_FAULTS_CLIENTS`` (threads, default 16),
``SUNSHINE_BENCH_FAULTS_CROWDED`` (default 0.05). The city's own variables
(``SUNSHINE_CITY_PORT``, ``SUNSHINE_CITY_DB``) choose the stack. Exit status 1 when
lost, half-written, double runs or the audit chain say so.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

from sunshine.core import city

SECONDS = float(os.environ.get("SUNSHINE_BENCH_FAULTS_SECONDS", "60"))
RATE = float(os.environ.get("SUNSHINE_BENCH_FAULTS_RATE", "6"))
CLIENTS = int(os.environ.get("SUNSHINE_BENCH_FAULTS_CLIENTS", "16"))
CROWDED = float(os.environ.get("SUNSHINE_BENCH_FAULTS_CROWDED", "0.05"))
FORM = "/petitions/write/"
FOLLOW = "/petitions/follow/"
SWEEP = "supervision-sweep"
SWEEP_TASK = "sunshine.core.tasks.supervision_sweep_task"
CJK = re.compile(r"[\u4e00-\u9fff]")
BEGIN = [0.0]  # the run's start (time.monotonic)
# The faults, at these fractions of the run.
FAULTS = (("app", 0.2), ("worker", 0.4), ("scheduler", 0.6))


# --- A browser, as little of one as the form needs --------------------------------------


class Browser:
    """One citizen: its own loopback address, its cookies; a fresh connection per request."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = HTTPConnection(city.HOST, city.PROXY_PORT, timeout=60, source_address=(self.address, 0))
        try:
            sent = {"Host": f"{city.HOST}:{city.PROXY_PORT}", "User-Agent": "sunshine-bench-faults"}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            sent.update(headers or {})
            conn.request(method, path, body=body or None, headers=sent)
            response: HTTPResponse = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()

    def post_form(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, dict[str, str], str]:
        """A multipart POST as the browser sends a form with a file input (no file chosen)."""
        boundary = f"----sunshine{secrets.token_hex(8)}"
        parts = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
        parts.append(f"--{boundary}--\r\n")
        body = "".join(parts).encode("utf-8")
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://{city.HOST}:{city.PROXY_PORT}{path}",
        }
        return self.request("POST", path, body, headers)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(rf'value="([^"]*)" name="{name}"', page)
    return html.unescape(found.group(1)) if found else ""


def _by_id(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1)).strip() if found else ""


def _message(page: str) -> str:
    """The error a person reads on a refused page: the items of the form's error box,
    else the page's heading."""
    box = re.search(r'role="alert"[^>]*>(.*?)</div>', page, re.S)
    items = re.findall(r"<li>(.*?)</li>", box.group(1), re.S) if box else []
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    for raw in [*items, *([heading.group(1)] if heading else [])]:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
        if CJK.search(text):
            return text
    return ""


# --- Filings --------------------------------------------------------------------------------


@dataclass
class Filing:
    n: int
    address: str
    named: bool
    title: str
    token: str = ""
    outcome: str = "failed"  # succeeded | refused | failed
    status: int = 0
    detail: str = ""
    number: str = ""
    code: str = ""
    seconds: float = 0.0
    started: float = 0.0
    resent: int = 0  # times the same form was sent again after no answer (a browser's retry)


# A filer with no answer sends the same form again (its one-time token brings back the
# receipt of a case filed before the answer was lost: core.forms' receipt escrow).
RESENDS = 2
RESEND_PAUSE = 1.5


def file_one(filing: Filing, tag: str) -> None:
    browser = Browser(filing.address)
    start = time.perf_counter()
    filing.started = time.monotonic() - BEGIN[0]
    try:
        status, _, page = browser.request("GET", FORM)
        filing.status = status
        if status != 200 or "csrftoken" not in browser.cookies:
            filing.detail = f"form: HTTP {status}"
            return
        filing.token = _hidden(page, "submission")
        fields = [
            ("csrfmiddlewaretoken", _hidden(page, "csrfmiddlewaretoken")),
            ("submission", filing.token),
            ("kind", "complaint"),
            ("subject_organization", ""),
            ("accused_name", ""),
            ("accused_organization", ""),
            ("title", filing.title),
            ("facts", f"{tag}：第{filing.n}封信。学校食堂的饭菜价格上涨，未见公示。"),
            ("request", "请公开食堂收费标准。"),
            ("reasons", "家长有权知道收费依据。"),
            ("filer", "named" if filing.named else "anonymous"),
            ("name", "张测试" if filing.named else ""),
            ("id_number", ""),
            ("phone", f"1380000{filing.n % 10000:04d}" if filing.named else ""),
            ("address", ""),
            ("email", ""),
            ("unit", ""),
            ("privacy", "on"),
        ]
        for attempt in range(RESENDS + 1):
            try:
                status, headers, page = browser.post_form(FORM, fields)
            except OSError as exc:
                status, headers, page = 0, {}, ""
                filing.detail = f"{type(exc).__name__}"
            if status and status < 500:
                break
            if attempt < RESENDS:  # no answer: the filer sends the same form again, as a browser offers
                filing.resent += 1
                time.sleep(RESEND_PAUSE)
        filing.status = status
        if not status:
            return
        if status == 302 and headers.get("location", "").endswith("/petitions/write/receipt/"):
            status, _, page = browser.request("GET", "/petitions/write/receipt/")
            filing.status = status
            filing.number = _by_id(page, "receipt-number")
            filing.code = re.sub(r"\D", "", _by_id(page, "receipt-code"))
            if status == 200 and filing.number and len(filing.code) == 16:
                filing.outcome = "succeeded"
            else:
                filing.detail = f"receipt: HTTP {status}, no code"
            return
        message = _message(page)
        if (400 <= status < 500 or status == 503) and message:
            filing.outcome = "refused"
            filing.detail = f"HTTP {status}: {message[:60]}"
        else:
            filing.detail = f"HTTP {status}" + (f": {message[:60]}" if message else "")
    except OSError as exc:
        filing.detail = f"{type(exc).__name__}"
    finally:
        filing.seconds = time.perf_counter() - start


def follow_one(number: str, code: str, address: str) -> str:
    """Open the case with its code on the public follow page; "" when it opens, else why not."""
    browser = Browser(address)
    try:
        status, _, page = browser.request("GET", FOLLOW)
        if status != 200:
            return f"follow form: HTTP {status}"
        body = f"csrfmiddlewaretoken={_hidden(page, 'csrfmiddlewaretoken')}&code={code}".encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{city.HOST}:{city.PROXY_PORT}{FOLLOW}",
        }
        status, headers_in, page = browser.request("POST", FOLLOW, body, headers)
        if status != 302:
            return f"follow: HTTP {status} {_message(page)[:40]}"
        status, _, page = browser.request("GET", headers_in["location"])
        if status != 200 or number not in page:
            return f"case page: HTTP {status}, number {'shown' if number in page else 'missing'}"
        return ""
    except OSError as exc:
        return type(exc).__name__


def browser_origin_check() -> str:
    """A browser sends ``Origin`` with every POST; Django's CSRF check compares it with the
    Host the proxy forwards. "" when a POST with the browser's Origin passes, else why not."""
    browser = Browser(next(_addresses()))
    try:
        status, _, page = browser.request("GET", FOLLOW)
        body = f"csrfmiddlewaretoken={_hidden(page, 'csrfmiddlewaretoken')}&code=1".encode()
        origin = f"http://{city.HOST}:{city.PROXY_PORT}"
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
        status, _, _ = browser.request("POST", FOLLOW, body, headers)
    except OSError as exc:
        return type(exc).__name__
    return "" if status != 403 else f"a POST with Origin {origin} is refused (403)"


# --- The stack's processes -------------------------------------------------------------------


@dataclass
class Proc:
    pid: int
    role: str  # nginx | app | worker | scheduler
    args: list[str] = field(default_factory=list)

    @property
    def worker_id(self) -> str:
        return self.args[self.args.index("--worker-id") + 1] if "--worker-id" in self.args else ""


def _ppid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def stack_children() -> list[Proc]:
    """The supervisor's children (city.pid), by role, from /proc."""
    supervisor = int(city.PIDFILE.read_text())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or _ppid(int(entry.name)) != supervisor:
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        line = " ".join(args)
        role = (
            "app"
            if "gunicorn" in line or "waitress" in line
            else "worker"
            if "db_worker" in line
            else "scheduler"
            if "run_scheduler" in line
            else "nginx"
            if "nginx" in line
            else "?"
        )
        found.append(Proc(int(entry.name), role, args))
    return found


def busy_worker_ids(wait: float) -> set[str]:
    """The ids of task workers running a task now (waiting up to ``wait`` s for one)."""
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    end = time.monotonic() + wait
    try:
        while True:
            busy = {r.worker_ids[-1] for r in DBTaskResult.objects.running() if r.worker_ids}
            if busy or time.monotonic() >= end:
                return busy
            time.sleep(0.1)
    finally:
        close_old_connections()


def kill_role(role: str) -> Proc | None:
    """SIGKILL one child of ``role``: an app server with its worker processes; a task
    worker running a task when one does within a few seconds."""
    victims = [p for p in stack_children() if p.role == role]
    if role == "worker":
        busy = busy_worker_ids(wait=8)
        victims = [p for p in victims if p.worker_id in busy] or victims
    if not victims:
        return None
    victim = random.choice(victims)
    group = [victim.pid] + [
        int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _ppid(int(e.name)) == victim.pid
    ]
    for pid in group:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return victim


def back_within(role: str, count: int, victim: Proc | None, limit: float = 180) -> float | None:
    """Seconds until ``count`` children of ``role`` run again, the dead one not among
    them; for an app server, until its port accepts connections again."""
    start = time.monotonic()
    dead = victim.pid if victim else -1
    bind = victim.args[victim.args.index("--bind") + 1] if victim and "--bind" in victim.args else ":0"
    port = int(bind.rsplit(":", 1)[1])
    while time.monotonic() - start < limit:
        alive = [p for p in stack_children() if p.role == role and p.pid != dead]
        if len(alive) >= count and (not port or _listening(port)):
            return time.monotonic() - start
        time.sleep(0.2)
    return None


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((city.HOST, port), timeout=2):
            return True
    except OSError:
        return False


# --- The run --------------------------------------------------------------------------------


def _addresses() -> Any:
    """A fresh loopback address per citizen, different in every run (the throttle's
    counters of an earlier run are another citizen's)."""
    used: set[str] = set()
    while True:
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        if address not in used:
            used.add(address)
            yield address


def run_load(tag: str) -> tuple[list[Filing], list[tuple[str, Proc | None, float, float | None]], list[datetime]]:
    from django.db import close_old_connections
    from django.utils import timezone

    from sunshine.core.models import ScheduledJob

    total = int(SECONDS * RATE)
    fresh = _addresses()
    crowd = next(fresh)
    filings = []
    for n in range(total):
        shared = random.random() < CROWDED
        filings.append(Filing(n, crowd if shared else next(fresh), n % 2 == 1, f"{tag} 第{n}封"))
    tickets = iter(filings)
    lock = threading.Lock()
    begin = time.monotonic() + 0.5
    BEGIN[0] = begin

    def client() -> None:
        while True:
            with lock:
                filing = next(tickets, None)
            if filing is None:
                return
            wait = begin + filing.n / RATE - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            file_one(filing, tag)

    faults: list[tuple[str, Proc | None, float, float | None]] = []

    def fault(role: str, at: float) -> None:
        wait = begin + at * SECONDS - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        count = len([p for p in stack_children() if p.role == role])
        killed = kill_role(role)
        when = time.monotonic() - begin
        back = back_within(role, count, killed)
        with lock:
            faults.append((role, killed, when, back))

    moments: list[datetime] = []
    stop = threading.Event()

    def due_maker() -> None:
        """Make the sweep due (an administrator's "run at the next tick"), wait until a
        scheduler has taken it, leave room for a second scheduler to take it again, repeat."""
        try:
            while not stop.is_set():
                now = timezone.now()
                ScheduledJob.objects.filter(name=SWEEP).update(next_run_at=now)
                moments.append(now)
                while not stop.is_set():
                    job = ScheduledJob.objects.get(name=SWEEP)
                    if job.last_run_at is not None and job.last_run_at >= now:
                        break
                    stop.wait(0.5)
                stop.wait(3)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=client, name=f"client-{k}") for k in range(CLIENTS)]
    faulters = [threading.Thread(target=fault, args=fault_at, name=f"kill-{fault_at[0]}") for fault_at in FAULTS]
    due = threading.Thread(target=due_maker, name="due")
    for thread in [*threads, *faulters, due]:
        thread.start()
    for thread in [*threads, *faulters]:
        thread.join()
    stop.set()
    due.join()
    faults.sort(key=lambda row: row[2])
    return filings, faults, moments


@dataclass
class Checked:
    lost: list[str] = field(default_factory=list)
    half: list[str] = field(default_factory=list)
    unreceipted: int = 0
    follow_failed: list[str] = field(default_factory=list)
    follow_retried: int = 0
    runs: Counter[str] = field(default_factory=Counter)
    double: list[str] = field(default_factory=list)
    retried: int = 0
    audit: str = ""
    audit_ok: bool = False


def _complete(petition: Any, tokens: dict[str, Filing]) -> str:
    """ "" when the case has every row intake writes, else what is missing."""
    from django.contrib.contenttypes.models import ContentType

    from sunshine.core.models import AuditEntry, FormSubmission, Supervision
    from sunshine.petitions.models import FilerIdentity

    missing = []
    kind = ContentType.objects.get_for_model(type(petition))
    if not Supervision.objects.filter(content_type=kind, object_id=str(petition.pk), status="open").exists():
        missing.append("clock")
    if petition.notice_due_at is None:
        missing.append("notice date")
    if not AuditEntry.objects.filter(action="petitions.petition_file", target_id=str(petition.pk)).exists():
        missing.append("audit entry")
    if petition.named:
        identity = FilerIdentity.objects.filter(petition=petition).first()
        if identity is None or not identity.name:
            missing.append("identity")
    filing = tokens.get(petition.title)
    digest = hashlib.sha256(filing.token.encode()).hexdigest() if filing is not None else ""
    if filing is not None and filing.token and not FormSubmission.objects.filter(token=digest).exists():
        missing.append("form token")
    return ", ".join(missing)


def verify(tag: str, filings: list[Filing], moments: list[datetime], run_start: datetime) -> Checked:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from sunshine.core.audit import audit_verify
    from sunshine.core.crypto import keyed_hash
    from sunshine.petitions import rules
    from sunshine.petitions.models import Petition

    checked = Checked()
    by_title = {f.title: f for f in filings}
    receipted = [f for f in filings if f.outcome == "succeeded"]
    cases = {p.title: p for p in Petition.objects.filter(title__startswith=tag)}
    for filing in receipted:
        petition = cases.get(filing.title)
        if petition is None or petition.number != filing.number:
            checked.lost.append(f"{filing.number}: not in the database")
            continue
        if petition.receipt_hash != keyed_hash(filing.code, purpose=rules.RECEIPT_PURPOSE):
            checked.lost.append(f"{filing.number}: the receipt code does not open it")
            continue
        if petition.named != filing.named:
            checked.lost.append(f"{filing.number}: named={petition.named}")
    for title, petition in cases.items():
        missing = _complete(petition, by_title)
        if missing:
            checked.half.append(f"{petition.number}: {missing}")
            sent = by_title.get(title)
            if sent is not None and sent.outcome == "succeeded":
                checked.lost.append(f"{petition.number}: {missing}")
        if by_title.get(title) is None or by_title[title].outcome != "succeeded":
            checked.unreceipted += 1

    # Every receipted case opens with its code on the public follow page.
    fresh = _addresses()
    queue = iter(receipted)
    lock = threading.Lock()

    def follower() -> None:
        while True:
            with lock:
                item = next(queue, None)
                address = next(fresh)
            if item is None:
                return
            why = follow_one(item.number, item.code, address)
            for _again in range(2):  # a person whose page failed tries again
                if not why:
                    break
                with lock:
                    checked.follow_retried += 1
                time.sleep(1)
                why = follow_one(item.number, item.code, address)
            if why:
                with lock:
                    checked.follow_failed.append(f"{item.number}: {why}")

    threads = [threading.Thread(target=follower) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked.lost += [f"{line} (follow page)" for line in checked.follow_failed]

    # Each due moment of the sweep: enqueued once; every run finished.
    deadline = time.monotonic() + 90
    sweeps = DBTaskResult.objects.filter(task_path=SWEEP_TASK, enqueued_at__gte=moments[0] if moments else run_start)
    while time.monotonic() < deadline and sweeps.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
        time.sleep(1)
    edges = [*moments, None]
    for k, moment in enumerate(moments):
        window = sweeps.filter(enqueued_at__gte=moment)
        if edges[k + 1] is not None:
            window = window.filter(enqueued_at__lt=edges[k + 1])
        count = window.count()
        checked.runs["enqueued once" if count == 1 else "not taken (yet)" if count == 0 else "enqueued twice"] += 1
        if count > 1:
            checked.double.append(f"due at {moment:%H:%M:%S}: enqueued {count} times")
    for result in sweeps:
        checked.runs[f"sweep {result.status.lower()}"] += 1
        if len(result.worker_ids) > 1:
            checked.retried += 1

    outcome = audit_verify()
    checked.audit_ok = outcome.ok
    checked.audit = f"{outcome.count} entries, intact" if outcome.ok else f"BROKEN: {outcome.message}"
    close_old_connections()
    return checked


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def report(filings: list[Filing], faults: list[Any], checked: Checked, moments: list[datetime], elapsed: float) -> int:
    outcomes = Counter(f.outcome for f in filings)
    times = [f.seconds * 1000 for f in filings if f.outcome == "succeeded"]
    print(f"\n{'submitted':32} {len(filings):6d}  ({len(filings) / elapsed:.1f}/s over {elapsed:.0f} s)")
    print(f"{'succeeded (receipt shown)':32} {outcomes['succeeded']:6d}")
    print(f"{'refused with a clear message':32} {outcomes['refused']:6d}")
    print(f"{'failed (no receipt)':32} {outcomes['failed']:6d}")
    print(f"{'lost (receipted, not complete)':32} {len(checked.lost):6d}   must be 0")
    print(f"{'half-written cases':32} {len(checked.half):6d}   must be 0")
    print(f"{'filed, receipt never shown':32} {checked.unreceipted:6d}   (killed between commit and answer)")
    resent = [f for f in filings if f.resent]
    back = sum(1 for f in resent if f.outcome == "succeeded")
    print(f"{'sent again after no answer':32} {len(resent):6d}   ({back} then saw their receipt)")
    opened = outcomes["succeeded"] - len(checked.follow_failed)
    print(f"{'receipted, opened by code':32} {opened:6d}   ({checked.follow_retried} tries again after an error)")
    print(f"filing p50 / p99 (form, post, receipt): {_percentile(times, 0.5):.0f} / {_percentile(times, 0.99):.0f} ms")
    slowest = sorted(filings, key=lambda f: f.seconds, reverse=True)[:3]
    print("slowest: " + "; ".join(f"from {f.started:.0f} s took {f.seconds:.1f} s ({f.outcome})" for f in slowest))
    reasons = Counter(f.detail for f in filings if f.outcome != "succeeded")
    for reason, count in reasons.most_common(6):
        print(f"  {count:5d} × {reason}")
    print("faults (killed with SIGKILL at; running again after — an app server: listening):")
    for role, victim, when, back in faults:
        who = f"pid {victim.pid} {victim.worker_id or ' '.join(victim.args[-3:])}" if victim else "none found"
        print(f"  {role:10} at {when:5.1f} s, running again after {'—' if back is None else f'{back:.1f} s'}  ({who})")
    print(f"sweep made due {len(moments)} times: " + ", ".join(f"{k} {v}" for k, v in sorted(checked.runs.items())))
    print(f"{'double runs':32} {len(checked.double):6d}   must be 0")
    print(f"{'sweeps run again after a kill':32} {checked.retried:6d}")
    print(f"audit chain: {checked.audit}")
    for line in (checked.lost + checked.half + checked.double)[:10]:
        print(f"  ! {line}")
    bad = checked.lost or checked.half or checked.double or not checked.audit_ok
    return 1 if bad else 0


def main() -> int:
    started = False
    if not city.serving():
        print("city: not running; starting it (make city) …", flush=True)
        if city.start(demo=True) != 0:
            print("(city stack could not start: fault run skipped)")
            return 0
        started = True
    try:
        os.environ.update(city.city_env())
        import django

        django.setup()
        from django.utils import timezone

        tag = f"压测{uuid.uuid4().hex[:6]}"
        print(
            f"Filing on http://{city.HOST}:{city.PROXY_PORT}{FORM}: {RATE:g}/s for {SECONDS:g} s, {CLIENTS} clients, "
            f"{CROWDED:.0%} from one shared address; SIGKILL "
            + ", ".join(f"{role} at {at * SECONDS:.0f} s" for role, at in FAULTS),
            flush=True,
        )
        refused = browser_origin_check()
        if refused:
            print(
                f"NOTE: {refused}: the proxy forwards Host without its port, so Django's CSRF check refuses "
                "every browser's form on this port (nginx: proxy_set_header Host $http_host). "
                "This run's client sends no Origin header.",
                flush=True,
            )
        run_start = timezone.now()
        begin = time.monotonic()
        filings, faults, moments = run_load(tag)
        elapsed = time.monotonic() - begin
        checked = verify(tag, filings, moments, run_start)
        return report(filings, faults, checked, moments, elapsed)
    finally:
        if started:
            city.stop()


if __name__ == "__main__":
    sys.exit(main())
