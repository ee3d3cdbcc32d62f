"""``manage.py opinion_classify INPUT OUTPUT``: classify a JSON-lines file of
``{"id", "title", "text"}`` with the shipped model; one line out per line in:
``{"id", "education": 0|1, "topic", "stance", "confidence"}`` (topic empty when
education is 0), plus each judgement's own confidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.opinion.classify import classify, load_model


class Command(BaseCommand):
    help = "Classify posts (JSON lines) with the shipped opinion model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input")
        parser.add_argument("output")

    def handle(self, *args: Any, **options: Any) -> None:
        source, target = Path(options["input"]), Path(options["output"])
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        model = load_model()
        count = bad = 0
        with source.open(encoding="utf-8-sig") as reader, target.open("w", encoding="utf-8") as writer:
            for number, line in enumerate(reader, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("not an object")
                except ValueError as exc:
                    bad += 1
                    self.stderr.write(f"line {number}: not a JSON object ({exc})")
                    continue
                judgement = classify(str(row.get("title") or ""), str(row.get("text") or ""), model)
                out = {
                    "id": row.get("id"),
                    "education": judgement.education,
                    "topic": judgement.topic,
                    "stance": judgement.stance,
                    "confidence": round(judgement.confidence, 4),
                    "confidences": {
                        "education": judgement.education_confidence,
                        "topic": judgement.topic_confidence,
                        "stance": judgement.stance_confidence,
                    },
                }
                writer.write(json.dumps(out, ensure_ascii=False) + "\n")
                count += 1
        self.stdout.write(f"{count} classified, {bad} lines refused")
