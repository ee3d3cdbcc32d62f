"""``manage.py audit_anchor --out FILE``: export a signed anchor of the audit chain's
head (sequence, hash, time) for the audit administrator to keep outside the database
(thin wrapper over :func:`sunshine.core.audit.audit_anchor_export`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.audit import audit_anchor_export


class Command(BaseCommand):
    help = "Write a signed anchor of the audit chain's head; audit_verify --anchor FILE checks the chain against it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", type=Path, required=True, help="The file to write ('-' for standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchor = audit_anchor_export()
        except ValueError as exc:
            raise CommandError(f"No anchor written: the chain does not verify. {exc}") from exc
        text = json.dumps(anchor, indent=2) + "\n"
        out: Path = options["out"]
        if str(out) == "-":
            self.stdout.write(text, ending="")
            return
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite an older anchor
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.stderr.write(f"Anchor of seq {anchor['seq']} written to {out}")
