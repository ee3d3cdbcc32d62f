"""``manage.py figures --year 2026 [--org CODE] [--quarter N | --month N] --format json|xlsx [--out FILE]``

Every registered figure with its value, numerator, denominator and definition, for a
year (or one quarter or month of it) and an organisation (default: the site's bureau;
a bureau stands for its whole tree), then every breakdown with its rows (in JSON under
"breakdowns"; in a workbook, a sheet each after the figures). JSON goes to standard output unless ``--out`` is
given; a workbook needs ``--out``.
"""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sunshine.core.exports import safe_row, sheet_title
from sunshine.core.figures import BreakdownResult, FigureResult, Period, Unit, breakdowns_all, figures_all
from sunshine.orgs.models import Organization
from sunshine.orgs.selectors import site_bureau


def figures_json(
    rows: list[FigureResult],
    *,
    period: Period,
    organization: Organization,
    breakdowns: list[BreakdownResult] | None = None,
) -> str:
    document = {
        "organization": {"code": organization.code, "name": organization.name},
        "period": {
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
            "as_of": timezone.localtime(period.as_of).isoformat(timespec="seconds"),
        },
        "figures": [row.as_dict() for row in rows],
        "breakdowns": [b.as_dict() for b in breakdowns or []],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def figures_xlsx(
    rows: list[FigureResult],
    *,
    period: Period,
    organization: Organization,
    breakdowns: list[BreakdownResult] | None = None,
) -> bytes:
    """The first sheet: a title line, the headers, one row per figure (numbers as
    numbers); then a sheet per breakdown: its key, then a row per item."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = _("Figures")[:31]
    sheet.append([_("%(organization)s, %(period)s") % {"organization": organization.name, "period": period}])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [_("Key"), _("Figure"), _("Unit"), _("Value"), _("Numerator"), _("Denominator"), _("Definition")]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F4E3C1")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(
            safe_row(
                sheet,
                [row.key, row.label, str(row.unit.label), row.value, row.numerator, row.denominator, row.definition],
            )
        )
        number_format = "#,##0.00" if row.unit == Unit.YUAN else ("0" if row.unit.places == 0 else "0.0")
        sheet.cell(row=sheet.max_row, column=4).number_format = number_format
    for index, width in enumerate([34, 22, 8, 12, 12, 12, 80], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet["G"][2:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    for breakdown in breakdowns or []:
        split = workbook.create_sheet(sheet_title(breakdown.label))
        split.append(safe_row(split, [breakdown.key, breakdown.label]))
        split.append(safe_row(split, [breakdown.dimension, *[str(s.label) for s in breakdown.series]]))
        for item in breakdown.rows:
            split.append(safe_row(split, [item.label, *[breakdown.shown(v.value) for v in item.values]]))
    workbook.properties.title = sheet["A1"].value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Print every registered figure with its value for a year, quarter or month and an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--quarter", type=int, choices=range(1, 5))
        which.add_argument("--month", type=int, choices=range(1, 13))
        parser.add_argument("--org", default="", help="organisation code (default: the site's bureau)")
        parser.add_argument("--format", choices=("json", "xlsx"), default="json")
        parser.add_argument("--out", default="", help="write to this file (required for xlsx)")
        parser.add_argument("--prefix", default="", help="only figures whose key starts with this, e.g. petitions.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["org"]:
            organization = Organization.objects.filter(code=options["org"]).first()
            if organization is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": options["org"]})
        else:
            organization = site_bureau()
            if organization is None:
                raise CommandError(_("No bureau is set up; give an organisation code with --org."))
        try:
            period = Period.of(options["year"], quarter=options["quarter"], month=options["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = figures_all(period=period, organization=organization, prefix=options["prefix"])
        breakdowns = breakdowns_all(period=period, organization=organization, prefix=options["prefix"])
        if options["format"] == "xlsx":
            if not options["out"]:
                raise CommandError(_("A workbook needs a file to go to: add --out FILE.xlsx."))
            Path(options["out"]).write_bytes(
                figures_xlsx(rows, period=period, organization=organization, breakdowns=breakdowns)
            )
            self.stdout.write(
                _("%(count)s figures written to %(file)s.") % {"count": len(rows), "file": options["out"]}
            )
            return
        text = figures_json(rows, period=period, organization=organization, breakdowns=breakdowns)
        if options["out"]:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
