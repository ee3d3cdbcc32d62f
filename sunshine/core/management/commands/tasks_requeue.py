"""``manage.py tasks_requeue --worker-id ID …`` / ``--worker-prefix P``: make the tasks a
dead worker left RUNNING ready again (``core.tasks.tasks_requeue_orphans``). The
single-box runner calls it when it restarts a worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.core.tasks import tasks_requeue_orphans


class Command(BaseCommand):
    help = "Make the tasks of a dead worker ready again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--worker-id", action="append", default=[], help="A dead worker's id (repeatable).")
        parser.add_argument("--worker-prefix", default="", help="Every worker whose id starts with this is dead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["worker_id"] and not options["worker_prefix"]:
            raise CommandError("Name the dead worker: --worker-id or --worker-prefix.")
        result = tasks_requeue_orphans(worker_ids=options["worker_id"], worker_prefix=options["worker_prefix"])
        self.stdout.write(f"requeued {result['requeued']}, failed {result['failed']}")
