"""``manage.py audit_verify``: check the audit log's hash chain (thin wrapper)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.audit import audit_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first altered, deleted or reordered entry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows fetched per database round trip.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify(chunk_size=options["chunk_size"])
        if not result.ok:
            # CommandError prints to stderr and exits with status 1.
            raise CommandError(f"AUDIT CHAIN BROKEN [{result.problem}] {result.message}")
        self.stdout.write(self.style.SUCCESS(f"OK {result.count} entries; head hash {result.head_hash}"))
