"""``manage.py lottery_verify BUNDLE.json [--receipt CODE]``: re-runs a published
lottery with the same file families download (static/enrollment/lottery_verify.py).
Exits 0 only when the bundle reproduces its published result."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.enrollment.lottery import algorithm


class Command(BaseCommand):
    help = "Re-run a published enrollment lottery from its bundle and compare the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle")
        parser.add_argument("--receipt", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [options["bundle"]]
        if options["receipt"]:
            argv += ["--receipt", options["receipt"]]
        code = algorithm.main(argv)
        if code:
            sys.exit(code)
