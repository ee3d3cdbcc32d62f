"""``manage.py report_disclosure_annual --year 2026 --out FILE.docx [--bureau CODE]``:
the FOI-5 annual report of a bureau as .docx — the issued record when the office has
issued it (published by 31 January), else a draft from the records (not issued), with
the request table cross-checked and compared with the year before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunshine.core.issued import document_for
from sunshine.disclosure.models import AnnualReport
from sunshine.disclosure.report import ANNUAL_REPORT_DOCUMENT, annual_report_docx
from sunshine.disclosure.services import ReportCheckError, foi_annual_report, foi_report_section2
from sunshine.orgs.models import Organization


class Command(BaseCommand):
    help = "Write the annual report on government information disclosure of a bureau as .docx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--bureau", default="", help="the bureau's code (default: the first bureau)")

    def handle(self, *args: Any, **options: Any) -> None:
        bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU)
        code, year, out = options["bureau"], options["year"], Path(options["out"])
        bureau = bureaus.filter(code=code).first() if code else bureaus.order_by("pk").first()
        if bureau is None:
            raise CommandError(_("No bureau has that code."))
        report = AnnualReport.objects.filter(bureau=bureau, year=year).first()
        issued = document_for(report, kind=ANNUAL_REPORT_DOCUMENT) if report is not None else None
        if issued is not None:
            with issued.file.file.open("rb") as fh:
                out.write_bytes(fh.read())
            self.stdout.write(f"{issued.number} → {out}")
            return
        try:
            table = foi_annual_report(bureau=bureau, year=year)
        except ReportCheckError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        draft = report or AnnualReport(bureau=bureau, year=year)
        number = _("(draft, not issued)")
        out.write_bytes(
            annual_report_docx(
                draft, number=number, section2=foi_report_section2(bureau=bureau, year=year), table=table
            )
        )
        self.stdout.write(f"{number} → {out}")
