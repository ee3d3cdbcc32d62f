"""``manage.py opinion_train --data DIR [--extra REVIEWED.jsonl] --out sunshine/opinion/model``:
train the opinion classifiers on the shared data, the written posts and the posts
reviewed on the platform; print the held-out evaluation and write
docs/opinion-evaluation.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Train the opinion classifiers and write the evaluation report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="folder with the Taidi 2020 CSV files")
        parser.add_argument("--out", default="sunshine/opinion/model")
        parser.add_argument(
            "--extra",
            action="append",
            default=[],
            help="JSON lines of reviewed posts (from opinion_export_reviewed); may be repeated",
        )
        parser.add_argument("--report", default=str(Path(settings.BASE_DIR) / "docs" / "opinion-evaluation.md"))

    def handle(self, *args: Any, **options: Any) -> None:
        from sunshine.opinion.training.data import FILES
        from sunshine.opinion.training.train import report_markdown, train

        data_dir = Path(options["data"])
        missing = [name for name in FILES if not (data_dir / name).exists()]
        if missing:
            raise CommandError(f"Missing in {data_dir}: {', '.join(missing)}")
        extra = [Path(p) for p in options["extra"]]
        missing_extra = [str(p) for p in extra if not p.exists()]
        if missing_extra:
            raise CommandError(f"Missing: {', '.join(missing_extra)}")
        reports = train(data_dir, Path(options["out"]), extra=extra)
        for r in reports:
            self.stdout.write(
                f"{r['name']:<45} n={r['n']:<5} accuracy={r['accuracy']:.3f} macro-F1={r['macro_f1']:.3f}"
            )
        Path(options["report"]).write_text(report_markdown(reports), encoding="utf-8")
        self.stdout.write(f"Report written to {options['report']}")
