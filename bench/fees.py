"""The fee-ledger audit at city scale: a synthetic 10-million-row ledger written to
Parquet in a temporary folder, then loaded and audited by the vectorised engine
(``sunshine.fees.engine.audit_frames``), load included. The reference is a plain
Python loop doing the same checks, timed on a 1-million-row slice and extrapolated
(said so in its line). Rows per second and peak memory (ru_maxrss) are printed.

Run: ``DJANGO_SETTINGS_MODULE=config.settings.base .venv/bin/python -m bench.fees``
(``SUNSHINE_BENCH_FEES_ROWS`` changes the row count).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import polars as pl

from sunshine.fees.engine import audit_frames

ROWS = int(os.environ.get("SUNSHINE_BENCH_FEES_ROWS", "10000000"))
SCHOOLS = 400
ITEMS_PER_STUDENT = 8
REFERENCE_ROWS = 1_000_000

ITEMS = [
    # code, category, restriction, is_accommodation, standard (fen), actual cost (fen) or 0
    ("accommodation", "administrative", "none", True, 40000, 0),
    ("meals", "service", "none", False, 90000, 0),
    ("after-school", "service", "none", False, 30000, 0),
    ("uniform", "on_behalf", "none", False, 25000, 23000),
    ("textbooks", "on_behalf", "none", False, 15000, 0),
    ("insurance", "on_behalf", "none", False, 5000, 0),
    ("exam", "administrative", "none", False, 8000, 0),
    ("bus", "service", "none", False, 60000, 0),
    ("tuition", "administrative", "not_in_compulsory", False, 0, 0),
    ("handouts", "", "prohibited", False, 0, 0),
    ("computer", "", "prohibited", False, 0, 0),
]
CODES = [code for code, *_ in ITEMS]
ITEM = pl.Enum(CODES)
REGISTRATION = date(2026, 8, 31)
WINDOW_END = date(2026, 9, 14)  # FEE-5-collection: 14 days from registration (the default)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reference_frames() -> dict[str, pl.DataFrame]:
    """The catalogue, the filed lines (every regular item filed at every school) and the term."""
    catalogue = pl.DataFrame(
        {
            "term_id": [1] * len(ITEMS),
            "item_code": CODES,
            "category": [i[1] for i in ITEMS],
            "restriction": [i[2] for i in ITEMS],
            "is_accommodation": [i[3] for i in ITEMS],
        }
    )
    regular = [i for i in ITEMS if i[2] == "none"]
    lines = pl.DataFrame(
        {
            "school_id": [s for s in range(1, SCHOOLS + 1) for _ in regular],
            "term_id": 1,
            "item_code": [i[0] for _ in range(SCHOOLS) for i in regular],
            "cap_fen": [i[4] for _ in range(SCHOOLS) for i in regular],
            # on-behalf fees settled below the standard at one school in fifty (surplus)
            "actual_cost_fen": [i[5] if i[5] and s % 50 == 0 else None for s in range(1, SCHOOLS + 1) for i in regular],
        },
        schema_overrides={"actual_cost_fen": pl.Int64},
    )
    schools = pl.DataFrame({"school_id": range(1, SCHOOLS + 1), "compulsory": [s % 4 != 0 for s in range(SCHOOLS)]})
    terms = pl.DataFrame({"term_id": [1], "window_start": [REGISTRATION], "window_end": [WINDOW_END]})
    return {"catalogue": catalogue, "lines": lines, "schools": schools, "terms": terms}


def synthetic_ledger(n: int) -> pl.DataFrame:
    """``n`` rows: 8 items per student, about 1% of rows carrying a planted violation."""
    idx = pl.int_range(0, n, dtype=pl.Int64, eager=True).alias("row_no")
    frame = pl.DataFrame(idx)
    h = (pl.col("row_no") * 2654435761 % 4294967291).alias("h")
    standards = pl.Series([i[4] for i in ITEMS], dtype=pl.Int64)
    frame = frame.with_columns(h).with_columns(
        student_no=pl.col("row_no") // ITEMS_PER_STUDENT,
        slot=(pl.col("row_no") % ITEMS_PER_STUDENT).cast(pl.Int32),
        violation=(pl.col("h") % 100 == 0),
        vkind=(pl.col("h") // 100 % 6).cast(pl.Int32),
    )
    frame = frame.with_columns(
        school_id=(pl.col("student_no") % SCHOOLS + 1).cast(pl.Int64),
        term_id=pl.lit(1, dtype=pl.Int64),
        item_idx=pl.when(pl.col("violation") & (pl.col("vkind") == 0))
        .then(pl.lit(9))  # prohibited
        .when(pl.col("violation") & (pl.col("vkind") == 1))
        .then(pl.lit(8))  # tuition (flagged at compulsory schools)
        .when(pl.col("violation") & (pl.col("vkind") == 5))
        .then(pl.when(pl.col("slot") > 0).then(pl.col("slot") - 1).otherwise(1))  # charged twice
        .otherwise(pl.col("slot")),
    )
    frame = frame.with_columns(
        item_code=pl.col("item_idx").replace_strict(dict(enumerate(CODES)), return_dtype=ITEM),
        standard=pl.col("item_idx").replace_strict(dict(enumerate(standards.to_list())), return_dtype=pl.Int64),
    )
    frame = frame.with_columns(
        amount_fen=pl.when(pl.col("violation") & (pl.col("vkind") == 2))
        .then(pl.col("standard") + 5000)
        .when(pl.col("standard") == 0)
        .then(pl.lit(3000, dtype=pl.Int64))
        .otherwise(pl.col("standard")),
        collected_on=pl.when(pl.col("violation") & (pl.col("vkind") == 3))
        .then(pl.lit(date(2026, 11, 5)))
        .otherwise(pl.lit(REGISTRATION) + pl.duration(days=pl.col("h") % 10)),
        receipt_no=pl.when((pl.col("slot") == 0) | (pl.col("violation") & (pl.col("vkind") == 4)))
        .then(pl.col("student_no") * 10)  # the accommodation row's receipt (bundled when shared)
        .otherwise(pl.col("row_no") * 10 + 1),
    )
    return frame.select(
        "school_id", "term_id", "row_no", "student_no", "item_code", "amount_fen", "collected_on", "receipt_no"
    )


def python_reference(rows: list[dict], refs: dict[str, pl.DataFrame]) -> int:
    """The same checks as the engine, as a plain Python loop over the rows (the reference)."""
    cat = {(r["term_id"], r["item_code"]): r for r in refs["catalogue"].to_dicts()}
    lines = {(r["school_id"], r["term_id"], r["item_code"]): r for r in refs["lines"].to_dicts()}
    compulsory = {r["school_id"]: r["compulsory"] for r in refs["schools"].to_dicts()}
    terms = {r["term_id"]: r for r in refs["terms"].to_dicts()}
    findings: dict[tuple, int] = defaultdict(int)
    per_student: dict[tuple, list[int]] = defaultdict(list)
    lodging: set[tuple] = set()
    settled: dict[tuple, tuple] = {}
    for row in rows:
        c = cat.get((row["term_id"], row["item_code"]), {})
        if c.get("is_accommodation") and row["receipt_no"] is not None:
            lodging.add((row["school_id"], row["term_id"], row["receipt_no"]))
    for row in rows:
        key = (row["school_id"], row["term_id"], row["student_no"], row["item_code"])
        c = cat.get((row["term_id"], row["item_code"]), {})
        line = lines.get((row["school_id"], row["term_id"], row["item_code"]))
        term = terms[row["term_id"]]
        if c.get("restriction") == "prohibited":
            findings[("prohibited", *key)] += row["amount_fen"]
            continue
        if c.get("restriction") == "not_in_compulsory" and compulsory.get(row["school_id"]):
            findings[("compulsory", *key)] += row["amount_fen"]
            continue
        if line is None:
            findings[("not_filed", *key)] += row["amount_fen"]
            continue
        if not term["window_start"] <= row["collected_on"] <= term["window_end"]:
            findings[("outside_window", *key)] += row["amount_fen"]
        if row["amount_fen"] > line["cap_fen"]:
            findings[("above_standard", *key)] += row["amount_fen"] - line["cap_fen"]
        if c.get("category") in ("service", "on_behalf") and (
            (row["school_id"], row["term_id"], row["receipt_no"]) in lodging
        ):
            findings[("bundled", *key)] += row["amount_fen"]
        per_student[key].append(row["amount_fen"])
        settled[key] = (line["cap_fen"], line["actual_cost_fen"], c.get("category"))
    for key, amounts in per_student.items():
        if len(amounts) > 1:
            findings[("duplicate", *key)] += sum(amounts) - amounts[0]
        cap, cost, category = settled[key]
        if category == "on_behalf" and cost is not None and min(sum(amounts), cap) > cost:
            findings[("surplus", *key)] += min(sum(amounts), cap) - cost
    return len(findings)


def main() -> None:
    refs = reference_frames()
    with tempfile.TemporaryDirectory(prefix="sunshine-fees-bench-") as folder:
        path = Path(folder) / "ledger.parquet"
        t0 = time.perf_counter()
        synthetic_ledger(ROWS).write_parquet(path)
        print(
            f"synthetic ledger: {ROWS:,} rows written to Parquet in {time.perf_counter() - t0:.2f} s "
            f"({path.stat().st_size / 2**20:.0f} MiB)"
        )

        t0 = time.perf_counter()
        rows = pl.read_parquet(path)
        loaded = time.perf_counter() - t0
        findings = audit_frames(rows=rows, **refs)
        seconds = time.perf_counter() - t0
        print(
            f"Polars audit, load included:  {ROWS:>12,} rows in {seconds:6.2f} s "
            f"(load {loaded:.2f} s) = {ROWS / seconds:>13,.0f} rows/s; {findings.height:,} findings; "
            f"peak memory {peak_mib():,.0f} MiB"
        )
        counts = findings.group_by("kind").len().sort("kind")
        print("  findings by kind: " + ", ".join(f"{k} {n:,}" for k, n in counts.iter_rows()))
        target = "met" if seconds < 3 else "NOT met"
        print(f"  target (10M rows, load included, under 3 s): {target}")

        subset = min(REFERENCE_ROWS, ROWS)
        sample = pl.read_parquet(path, n_rows=subset).with_columns(pl.col("item_code").cast(pl.String))
        dicts = sample.to_dicts()
        t0 = time.perf_counter()
        count = python_reference(dicts, {**refs})
        ref_seconds = time.perf_counter() - t0
        print(
            f"Python loop reference:        {subset:>12,} rows in {ref_seconds:6.2f} s "
            f"= {subset / ref_seconds:>13,.0f} rows/s; {count:,} findings; "
            f"extrapolated to {ROWS:,} rows: {ref_seconds * ROWS / subset:.1f} s "
            f"(loop only, timed on the first {subset:,} rows, load not included)"
        )
        del rows, findings


if __name__ == "__main__":
    main()
