"""Run the whole platform on one machine: web server, task worker and scheduler.

``make demo`` starts it while the database is still being built: the web server loads
the application (every view, the static files' index) as soon as the assets are made
(``--assets-ready FILE``) and listens once the demo is built (``--after FILE``); the
worker and the scheduler start once the web server answers, so they do not slow its
start. With ``--log FILE`` the children's output goes to that file, and the logins
(``--banner``) are the last lines in the terminal. The three processes share one database. A child that exits
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
from typing import IO

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
    output: IO[bytes] | None = None  # where its stdout and stderr go (None: the runner's own)
    held: threading.Event | None = None  # not started before this is set

    def start(self) -> None:
        self.starts += 1
        self.proc = subprocess.Popen(self.command(self.starts), stdout=self.output, stderr=self.output)  # noqa: S603
        self.started_at = time.monotonic()
        self.history.append(self.proc.pid)


class Supervisor:
    """Keeps its children running until :meth:`stop`."""

    def __init__(self, children: list[Child], *, log: Callable[[str], None] = print) -> None:
        self.children = children
        self.log = log
        self.stopping = threading.Event()  # set once the loop ends; other threads wait on it
        self._stop_asked = False

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
                if now >= child.restart_at and (child.held is None or child.held.is_set()):
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
        while not self._stop_asked:
            self.step()
            time.sleep(interval)
        self.stopping.set()
        self.terminate()

    def stop(self, *_: object) -> None:
        """Ask the loop to stop. Only a plain flag: this is the signal handler, and taking
        an Event's lock in a handler can deadlock the thread that waits on that Event
        (a runner left hanging after Ctrl-C, its children dead)."""
        self._stop_asked = True

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
    parser.add_argument("--log", default="", help="Write the children's output to this file, not the terminal.")
    parser.add_argument(
        "--assets-ready", default="", help="The web server loads the application once this file exists."
    )
    parser.add_argument("--after", default="", help="Nothing touches the database before this file exists.")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the web child itself
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if args.serve:
        return serve(args.host, args.port, threads=args.threads, assets_ready=args.assets_ready, after=args.after)
    output = open(args.log, "wb") if args.log else None  # noqa: SIM115 - open while the runner runs
    prefix = worker_prefix()
    run_id = f"{prefix}{os.getpid()}-"

    def worker_id(n: int) -> str:
        return f"{run_id}{n}"

    def requeue(n: int) -> None:
        subprocess.run(_manage("tasks_requeue", "--worker-id", worker_id(n)), check=False, stdout=output, stderr=output)  # noqa: S603

    web = [sys.executable, "-m", "sunshine.core.runner", "--serve", "--host", args.host, "--port", str(args.port)]
    web += ["--threads", str(args.threads), "--assets-ready", args.assets_ready, "--after", args.after]
    opened = threading.Event()  # the worker and the scheduler wait for the web server
    supervisor = Supervisor(
        [
            Child("web", lambda n: web, output=output),
            Child(
                "worker",
                lambda n: _manage("db_worker", "--queue-name", "default", "--worker-id", worker_id(n)),
                on_exit=requeue,
                output=output,
                held=opened,
            ),
            Child("scheduler", lambda n: _manage("run_scheduler"), output=output, held=opened),
        ]
    )
    stopping = supervisor.stopping
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)

    def open_up() -> None:
        """Once the database is built: make ready what earlier workers left RUNNING while
        the web server starts, print the logins once it answers, then let the worker and
        the scheduler start."""
        if not _wait_for_file(args.after, stopping):
            return
        # Whatever an earlier runner's workers on this machine left RUNNING: they are dead.
        requeued = subprocess.Popen(_manage("tasks_requeue", "--worker-prefix", prefix), stdout=output, stderr=output)  # noqa: S603
        _wait_until_serving(args.host, args.port, stopping)
        if output is None:  # to the terminal: their start-up lines come before the logins
            requeued.wait()
            opened.set()
            time.sleep(1.5)
        if not stopping.is_set():
            if args.banner and os.path.exists(args.banner):
                with open(args.banner, encoding="utf-8") as banner:
                    print("\n" + banner.read().rstrip(), flush=True)
            if args.log:
                print(f"\nThe services write their log to {args.log}", flush=True)
            print(f"\nSunshine is running: http://{args.host}:{args.port}/  (Ctrl-C stops it)\n", flush=True)
        requeued.wait()
        opened.set()

    threading.Thread(target=open_up, name="open-up", daemon=True).start()
    supervisor.run()
    return 0


def serve(host: str, port: int, *, threads: int, assets_ready: str = "", after: str = "") -> int:
    """The web child: once ``assets_ready`` exists (the catalogue and the static files whose
    index the application reads when it loads), load Django, every view and the
    application; listen once ``after`` exists. ``make demo`` has it load while the demo is
    still being built, on the core the build leaves free."""
    never = threading.Event()
    if not _wait_for_file(assets_ready, never):
        return 1
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver
    from waitress import serve as waitress_serve

    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018 - imports every view now, not on the first request
    if not _wait_for_file(after, never):
        return 1
    waitress_serve(application, listen=f"{host}:{port}", threads=threads)
    return 0


def _wait_for_file(path: str, stopping: threading.Event) -> bool:
    """Return once ``path`` exists (at once without one); False if stopped first."""
    while path and not os.path.exists(path):
        if stopping.wait(0.1):
            return False
    return not stopping.is_set()


def _wait_until_serving(host: str, port: int, stopping: threading.Event, timeout: float = 120) -> None:
    """Return once the web server accepts connections."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and not stopping.is_set():
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)


if __name__ == "__main__":
    raise SystemExit(main())
