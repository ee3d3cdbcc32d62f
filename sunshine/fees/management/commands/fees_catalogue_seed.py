"""Seed a term's fee catalogue with the national list (FEE-1, FEE-2, FEE-3)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sunshine.core.actors import SYSTEM
from sunshine.fees.services import catalogue_seed
from sunshine.orgs.models import Term


class Command(BaseCommand):
    help = "Seed the fee catalogue of a term: --bureau CODE --year 2026-2027 --season autumn"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bureau", required=True)
        parser.add_argument("--year", required=True)
        parser.add_argument("--season", required=True, choices=[c for c, _ in Term.Season.choices])

    def handle(self, *args: Any, **options: Any) -> None:
        term = Term.objects.filter(
            bureau__code=options["bureau"], school_year=options["year"], season=options["season"]
        ).first()
        if term is None:
            raise CommandError("No such term.")
        added = catalogue_seed(term=term, actor=SYSTEM)
        self.stdout.write(f"{added} items added to {term}.")
