"""``manage.py rotate_field_keys``: re-encrypt every encrypted field value under the
current key and cipher (thin wrapper over
:func:`sunshine.core.fields.field_keys_rotate`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.crypto import DecryptionError, FieldKeyError
from sunshine.core.fields import field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every EncryptedTextField value that is not under the current key (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            reports = field_keys_rotate(dry_run=options["dry_run"], batch_size=options["batch_size"])
        except (DecryptionError, FieldKeyError) as exc:
            raise CommandError(str(exc)) from exc
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        total = 0
        for report in reports:
            total += report.rotated
            self.stdout.write(
                f"{report.context}: {report.scanned} values, {report.current} current, "
                f"{report.empty} empty, {verb} {report.rotated}"
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {verb} {total} values in {len(reports)} fields."))
