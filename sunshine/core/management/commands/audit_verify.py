"""``manage.py audit_verify [--anchor FILE]``: check the audit log's hash chain (thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.audit import audit_anchor_load, audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's keyed hash chain and report the first altered, deleted or reordered entry; "
        "with --anchor, also detect a wiped, truncated or recomputed chain."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows fetched per database round trip.")
        parser.add_argument("--anchor", type=Path, help="A signed anchor written by audit_anchor (kept offline).")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"] is not None:
            try:
                anchor = audit_anchor_load(options["anchor"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"ANCHOR REFUSED {options['anchor']}: {exc}") from exc
        result = audit_verify(chunk_size=options["chunk_size"], anchor=anchor)
        if not result.ok:
            # CommandError prints to stderr and exits with status 1.
            raise CommandError(f"AUDIT CHAIN BROKEN [{result.problem}] {result.message}")
        suffix = f"; anchored seq {anchor.seq} matches" if anchor is not None else ""
        self.stdout.write(self.style.SUCCESS(f"OK {result.count} entries; head hash {result.head_hash}{suffix}"))
