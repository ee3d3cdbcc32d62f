"""``manage.py backup --out FILE``: an encrypted archive of the database, the private
files and a signed audit anchor (thin wrapper over :mod:`sunshine.core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.backup import BackupError, backup_key, create_archive


class Command(BaseCommand):
    help = "Write an encrypted backup (database dump, private files, audit anchor) to --out."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", type=Path, required=True, help="The archive to write (never overwritten).")
        parser.add_argument("--key-file", type=Path, help="A file holding the backup key (else SUNSHINE_BACKUP_KEY).")
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            raw = options["key_file"].read_text(encoding="utf-8") if options["key_file"] else None
            manifest = create_archive(options["out"], key=backup_key(raw), alias=options["database"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        members = manifest["members"]
        size = sum(int(m["size"]) for m in members.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"OK {options['out']}: {len(members)} members, {size} bytes before encryption, "
                f"{manifest['engine']} database, audit anchor seq {manifest['anchor_seq']}"
            )
        )
