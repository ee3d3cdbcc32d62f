"""``manage.py report_annual_summary --year 2026 --out FILE.docx [--bureau CODE]``:
write the bureau's annual work summary from the figures, issue it (文号; a new version
under the same number when issued before) and save the .docx to FILE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM
from sunshine.orgs.models import Organization


class Command(BaseCommand):
    help = "Write and issue the annual work summary of a bureau as .docx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--bureau", default="", help="the bureau's code (default: the first bureau)")

    def handle(self, *args: Any, **options: Any) -> None:
        from sunshine.reports.summary import summary_issue

        bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU)
        bureau = bureaus.filter(code=options["bureau"]).first() if options["bureau"] else bureaus.order_by("pk").first()
        if bureau is None:
            raise CommandError(_("No bureau has that code."))
        if not 2000 <= options["year"] <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        document = summary_issue(bureau=bureau, year=options["year"], actor=SYSTEM)
        with document.file.file.open("rb") as fh:
            Path(options["out"]).write_bytes(fh.read())
        self.stdout.write(f"{document.number} → {options['out']}")
