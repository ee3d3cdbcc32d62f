"""Reads for enrollment's pages (no personal data leaves here for a public page)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sunshine.enrollment import lottery
from sunshine.enrollment.models import Lottery


def lottery_data(draw: Lottery) -> dict[str, Any]:
    """The bundle once published, else the frozen list (a drawn result stays private
    until it is published)."""
    return json.loads(draw.bundle if draw.status == Lottery.Status.PUBLISHED else draw.frozen)


def lottery_summary(draw: Lottery) -> list[dict[str, Any]]:
    """Per school: seats, applicants with it as first choice, places filled by round."""
    data = lottery_data(draw)
    first = Counter(e["choices"][0][0] for e in data["entries"])
    placed = Counter(r["school"] for r in data.get("result", []) if r["school"])
    return [
        {
            "code": s["code"],
            "name": s["name"],
            "seats": s["seats"],
            "first": first[s["code"]],
            "placed": placed[s["code"]],
        }
        for s in data["schools"]
    ]


def entry_check(draw: Lottery, code: str) -> dict[str, Any] | None:
    """The family's own entry from its receipt code: the entry, its proof against the
    root, and its place once drawn. None when the code names no entry."""
    data = lottery_data(draw)
    entry_id = lottery.entry_id_from_receipt(draw.season.key, code)
    proof = lottery.inclusion_proof(data, entry_id)
    if proof is None:
        return None
    names = {s["code"]: s["name"] for s in data["schools"]}
    result = proof["result"]
    return {
        "entry_id": entry_id,
        "choices": [names.get(c, c) for c, _g in proof["entry"]["choices"]],
        "hash": proof["hash"],
        "proof": proof["proof"],
        "valid": proof["valid"],
        "root": data["root"],
        "number": result["number"] if result else "",
        "school": names.get(result["school"], "") if result and result["school"] else "",
        "choice": result["choice"] if result else None,
        "order": result["order"] if result else None,
        "drawn": result is not None,
    }
