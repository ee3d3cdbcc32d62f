"""``manage.py restore ARCHIVE``: restore an encrypted backup into an empty database and
an empty private-file folder, then verify the audit chain (thin wrapper over
:mod:`sunshine.core.backup`). A tampered or wrongly keyed archive changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.audit import audit_anchor_load
from sunshine.core.backup import BackupError, backup_key, restore_archive


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database and file folder; then verify the audit chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path, help="The archive written by `backup`.")
        parser.add_argument("--key-file", type=Path, help="A file holding the backup key (else SUNSHINE_BACKUP_KEY).")
        parser.add_argument("--anchor", type=Path, help="An offline audit anchor the restored chain must also reach.")
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            raw = options["key_file"].read_text(encoding="utf-8") if options["key_file"] else None
            offline = None
            if options["anchor"] is not None:
                offline = audit_anchor_load(options["anchor"].read_text(encoding="utf-8"))
            result = restore_archive(
                options["archive"], key=backup_key(raw), alias=options["database"], offline_anchor=offline
            )
        except (BackupError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"OK restored {options['archive']}: {result.files} files; "
                f"audit chain verified, {result.audit_count} entries. {result.audit_message}"
            )
        )
