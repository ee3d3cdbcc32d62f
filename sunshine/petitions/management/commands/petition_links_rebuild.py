"""``manage.py petition_links_rebuild [--since YYYY-MM-DD]``: backfill the cross-channel
links — re-index the filers' contact keys, store every case's text band keys and link
each case to the same filer's cases and to cases alike in content (thin wrapper over
``services.petition_links_rebuild``; idempotent, staff decisions kept)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sunshine.petitions.services import petition_links_rebuild


class Command(BaseCommand):
    help = "Backfill the links between cases of the same filer or alike in content."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", help="only cases received on or after this day (YYYY-MM-DD)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                day = date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError("--since takes a day as YYYY-MM-DD") from exc
            since = timezone.make_aware(datetime.combine(day, time.min))
        cases, links = petition_links_rebuild(since=since, batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Done: {cases} cases looked at, {links} links made or changed."))
