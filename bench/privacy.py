"""The personal-data guard (core.privacy) on the labelled set
(sunshine/core/tests/data/privacy_labelled.json): precision and recall per kind and
overall, and the scan's speed beside a plain regular-expression pass over the same text
(the reference). A finding counts when it overlaps a labelled span of its kind."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import django

django.setup()

from sunshine.core.privacy import KINDS, scan  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "sunshine/core/tests/data/privacy_labelled.json"


def labelled() -> list[dict[str, Any]]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def evaluate(items: list[dict[str, Any]] | None = None) -> dict[str, dict[str, float]]:
    """{kind: {tp, fp, fn, precision, recall}} plus "all"."""
    counts = {k: {"tp": 0, "fp": 0, "fn": 0} for k in (*KINDS, "all")}
    for item in items if items is not None else labelled():
        gold = [(s["kind"], s["start"], s["end"]) for s in item["spans"]]
        found = [(f.kind, f.start, f.end) for f in scan(item["text"])]
        matched: set[int] = set()
        for kind, start, end in found:
            hit = next(
                (i for i, g in enumerate(gold) if i not in matched and g[0] == kind and start < g[2] and g[1] < end),
                None,
            )
            key = "tp" if hit is not None else "fp"
            if hit is not None:
                matched.add(hit)
            counts[kind][key] += 1
            counts["all"][key] += 1
        for i, g in enumerate(gold):
            if i not in matched:
                counts[g[0]]["fn"] += 1
                counts["all"]["fn"] += 1
    result: dict[str, dict[str, float]] = {}
    for kind, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        result[kind] = {
            **c,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
        }
    return result


def main() -> None:
    items = labelled()
    figures = evaluate(items)
    print(f"labelled set: {len(items)} sentences, {sum(len(i['spans']) for i in items)} labelled spans")
    print(f"{'kind':<16} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>10} {'recall':>8}")
    for kind, f in figures.items():
        print(f"{kind:<16} {f['tp']:>5} {f['fp']:>5} {f['fn']:>5} {f['precision']:>10.3f} {f['recall']:>8.3f}")
    lines = [i["text"] for i in items] * 20
    documents = ["\n".join(lines[n : n + 60]) for n in range(0, len(lines), 60)]  # ~2,000 characters each
    text = "\n".join(documents)
    started = time.perf_counter()
    for document in documents:
        scan(document)
    seconds = time.perf_counter() - started
    digits = re.compile(r"\d{11,19}")
    started = time.perf_counter()
    digits.findall(text)
    reference = time.perf_counter() - started
    size = len(text) / 1000
    print(f"scan: {size:,.0f} k characters in {seconds:.3f} s = {size / seconds:,.0f} k chars/s")
    print(f"reference, one regex for long digit runs: {size / reference:,.0f} k chars/s")


if __name__ == "__main__":
    main()
