"""``manage.py calendar_import FILE --year 2027 --document "国办发明电〔2026〕X号"``

Enters a State Council holiday notice for a year the ``chinese-calendar`` package does
not cover (CAL-1). FILE is a UTF-8 CSV with the columns ``date,kind,name`` (an optional
header row ``date,kind,name``); ``date`` is YYYY-MM-DD and ``kind`` is ``holiday`` or
``makeup_workday``. The import is all or nothing; every bad row is reported by its line.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunshine.core.calendar import CalendarDayRow, calendar_year_import


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(_("%(what)s: not a date (YYYY-MM-DD): %(value)s") % {"what": what, "value": value}) from exc


class Command(BaseCommand):
    help = "Import a year's State Council holiday notice (CAL-1) from a CSV file: date,kind,name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--document", required=True, help="document number of the notice")
        parser.add_argument("--published-on", default="", help="date the notice was published (YYYY-MM-DD)")
        parser.add_argument("--actor", default="", help="username recorded as having entered the notice")
        parser.add_argument("--replace", action="store_true", help="replace the year's data already entered")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            try:
                actor = get_user_model().objects.get(username=options["actor"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(_("No user %(name)s.") % {"name": options["actor"]}) from exc
        published_on = _parse_date(options["published_on"], "--published-on") if options["published_on"] else None
        rows, errors = self._read(options["file"])
        if errors:
            raise CommandError("\n".join(errors))
        try:
            calendar_year = calendar_year_import(
                actor=actor,
                year=options["year"],
                document_number=options["document"],
                rows=rows,
                published_on=published_on,
                replace=options["replace"],
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            _("Imported %(count)s days for %(year)s (%(document)s).")
            % {"count": len(rows), "year": calendar_year.year, "document": calendar_year.document_number}
        )

    def _read(self, path: Path) -> tuple[list[CalendarDayRow], list[str]]:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        rows: list[CalendarDayRow] = []
        errors: list[str] = []
        for line, record in enumerate(csv.reader(text.splitlines()), start=1):
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if line == 1 and cells[0].lower() == "date":
                continue
            prefix = _("Row %(line)s") % {"line": line}
            if len(cells) != 3:
                errors.append(
                    _("%(prefix)s: expected 3 columns (date,kind,name), found %(count)s.")
                    % {"prefix": prefix, "count": len(cells)}
                )
                continue
            raw_date, kind, name = cells
            try:
                day = date.fromisoformat(raw_date)
            except ValueError:
                errors.append(
                    _("%(prefix)s: not a date (YYYY-MM-DD): %(value)s") % {"prefix": prefix, "value": raw_date}
                )
                continue
            rows.append(CalendarDayRow(line=line, date=day, kind=kind, name=name))
        return rows, errors
