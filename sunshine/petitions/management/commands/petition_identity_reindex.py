"""``manage.py petition_identity_reindex``: recompute the filers' blind indexes under
the current SUNSHINE_INDEX_KEY (thin wrapper over ``services.identity_indexes_rebuild``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sunshine.petitions.services import identity_indexes_rebuild


class Command(BaseCommand):
    help = "Recompute every filer identity's blind indexes (phone, name, ID number) under the index key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = identity_indexes_rebuild(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Done: {changed} identities re-indexed."))
