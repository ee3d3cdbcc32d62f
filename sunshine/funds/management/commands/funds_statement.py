"""``manage.py funds_statement --as-of 2026-11-10 [--bureau CODE]``: print the funds
statement sentence of a bureau at a date, from the records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.funds.statement import statement_sentence
from sunshine.orgs.models import Organization


class Command(BaseCommand):
    help = "Print the funds statement of a bureau at a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--bureau", default="", help="the bureau's code (default: the first bureau with funds)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError("--as-of takes a date as YYYY-MM-DD") from exc
        bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU)
        if options["bureau"]:
            bureau = bureaus.filter(code=options["bureau"]).first()
        else:
            bureau = bureaus.filter(funds__isnull=False).distinct().order_by("pk").first()
        if bureau is None:
            raise CommandError("no such bureau")
        self.stdout.write(statement_sentence(bureau, as_of))
