"""The enrollment lottery (ENR-1), algorithm ``sunshine-lottery-1`` (docs/lottery.md).

The algorithm itself lives in one file, ``static/enrollment/lottery_verify.py``, which
uses only Python's standard library and is what families download from the lottery's
public page. This module loads that very file, so the draw the bureau runs, the
``manage.py lottery_verify`` command and the family's verifier are the same code.
Nothing here touches the database: inputs in, a bundle (a JSON-ready dict) out.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

VERIFIER_PATH = Path(__file__).resolve().parent / "static" / "enrollment" / "lottery_verify.py"
VERIFIER_NAME = "lottery_verify.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sunshine_lottery_verify", VERIFIER_PATH)
    if spec is None or spec.loader is None:
        raise ImportError(VERIFIER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


algorithm = _load()
ALGORITHM: str = algorithm.ALGORITHM
BUNDLE_FORMAT: str = algorithm.BUNDLE_FORMAT
canonical_json = algorithm.canonical_json
entry_id_from_receipt = algorithm.entry_id_from_receipt
entry_hash = algorithm.entry_hash
leaf_hash = algorithm.leaf_hash
merkle_levels = algorithm.merkle_levels
merkle_root = algorithm.merkle_root
merkle_proof = algorithm.merkle_proof
merkle_proof_check = algorithm.merkle_proof_check
seed_compute = algorithm.seed_compute
verify = algorithm.verify


@dataclass(frozen=True)
class School:
    code: str
    seats: int
    groups: tuple[str, ...] = ()  # priority groups of the plan, first admitted first
    name: str = ""


@dataclass(frozen=True)
class Entry:
    id: str  # the pseudonym (entry_id_from_receipt)
    choices: tuple[tuple[str, str], ...]  # (school code, priority group or "")


@dataclass(frozen=True)
class Source:
    name: str  # what was announced, e.g. "2027年6月1日福利彩票双色球开奖号码"
    value: str  # the value as drawn or rolled, entered after the event


def _school_json(s: School) -> dict[str, Any]:
    return {"code": s.code, "groups": list(s.groups), "name": s.name, "seats": s.seats}


def _entries_json(entries: list[Entry]) -> list[dict[str, Any]]:
    ordered = sorted(entries, key=lambda e: e.id)
    return [{"choices": e.choices, "id": e.id} for e in ordered]


def freeze(*, season_key: str, season_name: str, schools: list[School], entries: list[Entry]) -> dict[str, Any]:
    """The frozen list, published before the draw: entries in id order and their root."""
    entry_rows = _entries_json(entries)
    leaves = [leaf_hash(entry_hash(e)) for e in entry_rows]
    return {
        "format": BUNDLE_FORMAT,
        "algorithm": ALGORITHM,
        "season": {"key": season_key, "name": season_name},
        "schools": [_school_json(s) for s in sorted(schools, key=lambda s: s.code)],
        "entries": entry_rows,
        "entry_count": len(entry_rows),
        "root": merkle_root(leaves).hex(),
    }


def run(frozen: dict[str, Any], sources: list[Source]) -> dict[str, Any]:
    """The draw on a frozen list with the announced sources' values: the full bundle."""
    bundle = dict(frozen)
    bundle["sources"] = [{"name": s.name, "value": s.value} for s in sources]
    computed = algorithm.compute(bundle)
    if computed["root"].hex() != frozen["root"]:
        raise ValueError("The frozen list no longer matches its published root.")
    bundle["seed"] = computed["seed"].hex()
    bundle["result"] = algorithm.result_rows(bundle["entries"], computed)
    return bundle


def inclusion_proof(bundle: dict[str, Any], entry_id: str) -> dict[str, Any] | None:
    """The family's own entry and its path to the root, or None when not listed."""
    ids = [e["id"] for e in bundle["entries"]]
    try:
        index = ids.index(entry_id)
    except ValueError:
        return None
    digests = [entry_hash(e) for e in bundle["entries"]]
    levels = merkle_levels([leaf_hash(d) for d in digests])
    proof = merkle_proof(levels, index)
    return {
        "entry": bundle["entries"][index],
        "hash": digests[index].hex(),
        "index": index,
        "proof": proof,
        "root": bundle["root"],
        "valid": merkle_proof_check(digests[index], proof, bytes.fromhex(bundle["root"])),
        "result": bundle["result"][index] if "result" in bundle else None,
    }


def bundle_bytes(bundle: dict[str, Any]) -> bytes:
    """The published file: UTF-8 JSON, one key order, readable line breaks."""
    return json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
