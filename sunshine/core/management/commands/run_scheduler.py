"""``manage.py run_scheduler [--once] [--interval 15]``: enqueue due periodic jobs."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from sunshine.core.scheduler import scheduler_tick


class Command(BaseCommand):
    help = "Enqueue the periodic tasks that are due, every --interval seconds (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between ticks (default 15).")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        if once:
            for name in scheduler_tick():
                self.stdout.write(f"enqueued {name}")
            return
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"signal {signum}: stopping after this tick")
            stop.set()

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stop.is_set():
                close_old_connections()
                self._tick()
                stop.wait(max(interval, 0.1))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            close_old_connections()

    def _tick(self) -> None:
        try:
            names = scheduler_tick()
        except Exception as exc:  # keep the loop alive; the next tick retries
            self.stderr.write(f"scheduler tick failed: {exc!r}")
            return
        for name in names:
            self.stdout.write(f"enqueued {name}")
