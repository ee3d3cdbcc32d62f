"""``manage.py admission_run --students S.csv --schools T.csv --out R.csv [--explain]``:
senior-high admission (ENR-2) for bureaus that work in Excel; the bureau's LOCAL
settings give the quota floor's margin and the tie-break subjects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.core.local_rules import local_rule
from sunshine.enrollment.admission import admit
from sunshine.enrollment.admission_csv import result_write, schools_read, students_read


class Command(BaseCommand):
    help = "Run senior-high admission from a students file and a schools file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", required=True)
        parser.add_argument("--schools", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--explain", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            schools = schools_read(Path(options["schools"]).read_text(encoding="utf-8-sig"))
            students = students_read(Path(options["students"]).read_text(encoding="utf-8-sig"), schools)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        result = admit(
            schools,
            students,
            floor_margin=local_rule("ENR-2-quota-floor-margin"),
            tiebreak=tuple(local_rule("ENR-2-tiebreak")),
        )
        Path(options["out"]).write_text(
            result_write(result, schools, students, explanations=options["explain"]), encoding="utf-8"
        )
        placed = sum(1 for p in result.placements.values() if p.school)
        overflow = sum(result.overflow.values())
        self.stdout.write(f"录取{placed}人，未录取{len(students) - placed}人，同分超计划录取{overflow}人。")
