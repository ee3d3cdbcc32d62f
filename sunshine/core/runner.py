"""Run the whole platform on one machine: web server, task worker and scheduler.

``make demo`` ends here. The three processes share one database. A child that exits
is started again (after 1 s, doubling up to a minute while it keeps failing); when the
worker dies, the tasks it left RUNNING are made ready again first (``manage.py
tasks_requeue``), so the new worker picks them up. Each worker gets an id of this
machine and runner (``runner-<host>-<pid>-<n>``); when the runner starts, tasks left
RUNNING by any earlier runner's worker on this machine are made ready too. Stopping the
runner (Ctrl-C, SIGTERM) stops all of them.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a child that ran this long starts its next back-off from the first step


def worker_prefix() -> str:
    return f"runner-{socket.gethostname()[:24]}-"


@dataclass
class Child:
    """One supervised process: ``command(n)`` gives the command line of its n-th start;
    ``on_exit(n)`` runs after the n-th start has exited (before the next start)."""

    name: str
    command: Callable[[int], list[str]]
    on_exit: Callable[[int], None] | None = None
    starts: int = 0
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float = 0.0
    history: list[int] = field(default_factory=list)  # pids started, oldest first
    cleanup: threading.Thread | None = None  # on_exit of the last exit, while it runs

    def start(self) -> None:
        self.starts += 1
        self.proc = subprocess.Popen(self.command(self.starts))  # noqa: S603
        self.started_at = time.monotonic()
        self.history.append(self.proc.pid)


class Supervisor:
    """Keeps its children running until :meth:`stop`."""

    def __init__(self, children: list[Child], *, log: Callable[[str], None] = print) -> None:
        self.children = children
        self.log = log
        self.stopping = threading.Event()

    def step(self) -> None:
        """Check each child once: note an exit, restart when its back-off has passed and
        its clean-up is done. A clean-up (``on_exit``: the worker's tasks_requeue, a whole
        Django start-up) runs in a thread of its own, so it holds up only its own child,
        never the restart of the others (an app server killed at the same time)."""
        now = time.monotonic()
        for child in self.children:
            if child.proc is None:
                if child.cleanup is not None and child.cleanup.is_alive():
                    continue
                if now >= child.restart_at:
                    child.cleanup = None
                    child.start()
                continue
            code = child.proc.poll()
            if code is None:
                continue
            ran = now - child.started_at
            if ran >= HEALTHY_AFTER:
                child.backoff = BACKOFF_FIRST
            delay, child.backoff = child.backoff, min(child.backoff * 2, BACKOFF_MAX)
            self.log(f"{child.name} exited with {code}; starting it again in {delay:.0f} s.")
            child.proc = None
            child.restart_at = now + delay
            if child.on_exit is not None:
                child.cleanup = threading.Thread(
                    target=self._clean_up, args=(child, child.on_exit, child.starts), name=f"{child.name}-exit"
                )
                child.cleanup.start()

    def _clean_up(self, child: Child, on_exit: Callable[[int], None], n: int) -> None:
        try:
            on_exit(n)
        except Exception as exc:
            self.log(f"{child.name}: clean-up after exit failed: {exc}")

    def run(self, *, interval: float = 0.5) -> None:
        for child in self.children:
            child.start()
        while not self.stopping.is_set():
            self.step()
            self.stopping.wait(interval)
        self.terminate()

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def terminate(self) -> None:
        for child in self.children:
            if child.cleanup is not None:
                child.cleanup.join(timeout=60)
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.terminate()
        for child in self.children:
            if child.proc is not None:
                try:
                    child.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.proc.kill()


def _manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Sunshine's web server, worker and scheduler together.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--banner", default="", help="A text file printed once the server answers (the demo logins).")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    prefix = worker_prefix()
    run_id = f"{prefix}{os.getpid()}-"

    def worker_id(n: int) -> str:
        return f"{run_id}{n}"

    def requeue(n: int) -> None:
        subprocess.run(_manage("tasks_requeue", "--worker-id", worker_id(n)), check=False)  # noqa: S603

    # Whatever an earlier runner's workers on this machine left RUNNING: they are dead.
    subprocess.run(_manage("tasks_requeue", "--worker-prefix", prefix), check=False)  # noqa: S603
    web = [
        sys.executable,
        "-m",
        "waitress",
        f"--listen={args.host}:{args.port}",
        f"--threads={args.threads}",
        "config.wsgi:application",
    ]
    supervisor = Supervisor(
        [
            Child("web", lambda n: web),
            Child(
                "worker",
                lambda n: _manage("db_worker", "--queue-name", "default", "--worker-id", worker_id(n)),
                on_exit=requeue,
            ),
            Child("scheduler", lambda n: _manage("run_scheduler")),
        ]
    )
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)

    def announce() -> None:
        """The logins and the address, once the web server answers (after the start-up lines)."""
        _wait_until_serving(args.host, args.port, supervisor.stopping)
        if supervisor.stopping.is_set():
            return
        if args.banner and os.path.exists(args.banner):
            with open(args.banner, encoding="utf-8") as banner:
                print("\n" + banner.read().rstrip(), flush=True)
        print(f"\nSunshine is running: http://{args.host}:{args.port}/  (Ctrl-C stops it)\n", flush=True)

    threading.Thread(target=announce, name="announce", daemon=True).start()
    supervisor.run()
    return 0


def _wait_until_serving(host: str, port: int, stopping: threading.Event, timeout: float = 120) -> None:
    """Return once the web server accepts connections (its start-up lines are out by then)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and not stopping.is_set():
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    time.sleep(1.5)  # let the worker and the scheduler print their start-up lines first


if __name__ == "__main__":
    raise SystemExit(main())
