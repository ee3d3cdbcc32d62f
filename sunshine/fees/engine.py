"""The ledger audit engine: every ledger row checked against the filed lines and the
rules, vectorised with Polars (no Python loop over rows).

:func:`audit_frames` is pure (frames in, a frame of findings out) so that the service
(``sunshine.fees.services.ledger_audit``), the property tests and ``bench/fees.py`` run
the same code. Input frames:

``rows``       school_id, term_id, row_no, student_no, student_name, item_code,
               amount_fen, collected_on (Date), receipt_no ("" or null when none)
``catalogue``  term_id, item_code, category, restriction, is_accommodation, and
               optionally is_tuition (tuition or miscellaneous fee)
``lines``      school_id, term_id, item_code, cap_fen (the most one student may be
               charged for the term: the standard × months for a monthly item),
               actual_cost_fen (null unless an on-behalf fee was settled), and
               optionally filed_on (Date the line was filed, 备案)
``schools``    school_id, compulsory (bool)
``terms``      term_id, window_start, window_end (Date: registration day and the last
               day of the FEE-5-collection window, from ``core.clocks.deadline``)

Output: one row per finding, unique by (kind, school_id, term_id, student_no,
item_code), with amount_fen (what the finding puts in question), row_count, first_row
and student_name. The kinds and their rules:

* ``prohibited``     FEE-3: an item prohibited under any name (whole amount).
* ``compulsory``     FEE-1: tuition or miscellaneous fee at a compulsory school.
* ``not_filed``      FEE-5: an item with no filed line for the school and term.
* ``above_standard`` FEE-4/5: a filed item charged above its standard (the excess).
* ``outside_window`` FEE-5: a filed item collected before registration or after the
  collection window (mid-term) (whole amount).
* ``before_filing``  FEE-5: a filed item collected before the day it was filed (whole amount).
* ``duplicate``      a filed item charged more than once to one student (all but the first).
* ``bundled``        FEE-2: a service or on-behalf fee on the same receipt as the
  accommodation fee or as tuition / the miscellaneous fee (its amount).
* ``surplus``        FEE-2: an on-behalf fee collected above its settled actual cost
  (the surplus, up to the standard; above it is ``above_standard``).

A row flagged ``prohibited``, ``compulsory`` or ``not_filed`` is questioned whole and is
not checked again for the filed-item kinds, so no amount is counted twice.
"""

from __future__ import annotations

import polars as pl

KIND_RULES: dict[str, str] = {
    "prohibited": "FEE-3",
    "compulsory": "FEE-1",
    "not_filed": "FEE-5",
    "above_standard": "FEE-4",
    "outside_window": "FEE-5",
    "before_filing": "FEE-5",
    "duplicate": "FEE-2",
    "bundled": "FEE-2",
    "surplus": "FEE-2",
}

KEY = ["school_id", "term_id", "student_no", "item_code"]
FINDING_COLUMNS = ["kind", "rule_id", *KEY, "student_name", "amount_fen", "row_count", "first_row"]

RESTRICTIONS = ["none", "prohibited", "not_in_compulsory"]
CATEGORIES = ["", "administrative", "service", "on_behalf"]


def _repeated(frame: pl.DataFrame, key: pl.Expr) -> pl.Series:
    """Boolean mask of the rows whose ``key`` value occurs more than once, by a sort of
    one integer column and a comparison of neighbours (much cheaper than a hash group-by
    over every row). ``key`` may be a hash: the callers re-check the few candidates on
    the exact columns, so a collision costs nothing but a wasted check."""
    keys = frame.select(key.alias("k"))["k"]
    ordered = keys.sort()
    repeated_values = ordered.filter(ordered == ordered.shift(1)).unique()
    if repeated_values.is_empty():
        return pl.Series("m", [False] * frame.height, dtype=pl.Boolean)
    return keys.is_in(repeated_values.implode())


def audit_frames(
    *,
    rows: pl.DataFrame | pl.LazyFrame,
    catalogue: pl.DataFrame,
    lines: pl.DataFrame,
    schools: pl.DataFrame,
    terms: pl.DataFrame,
) -> pl.DataFrame:
    """All findings of ``rows`` (FEE-1, FEE-2, FEE-3, FEE-4, FEE-5), one row per finding key."""
    frame = rows.collect() if isinstance(rows, pl.LazyFrame) else rows
    if "student_name" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("student_name"))
    if "receipt_no" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("receipt_no"))

    # Dense small-integer indexes for items, schools and terms, so that every lookup in
    # the catalogue and the filed lines is a gather from a short array, not a join.
    item_dtype = frame.schema["item_code"]
    if isinstance(item_dtype, pl.Enum):
        codes = list(item_dtype.categories)
        extra = sorted(set(catalogue["item_code"].to_list()) - set(codes))
        codes += extra
    else:
        codes = sorted(set(catalogue["item_code"].to_list()) | set(frame["item_code"].unique().drop_nulls().to_list()))
    enum = pl.Enum(codes)
    n_items = len(codes)
    school_ids = schools["school_id"].to_list()
    term_ids = terms["term_id"].to_list()
    n_terms = max(len(term_ids), 1)
    school_index = pl.DataFrame(
        {"school_id": school_ids, "si": range(len(school_ids)), "compulsory": schools["compulsory"]},
        schema={"school_id": frame.schema["school_id"], "si": pl.Int64, "compulsory": pl.Boolean},
    )
    term_index = pl.DataFrame(
        {
            "term_id": term_ids,
            "ti": range(len(term_ids)),
            "window_start": terms["window_start"],
            "window_end": terms["window_end"],
        },
        schema={"term_id": frame.schema["term_id"], "ti": pl.Int64, "window_start": pl.Date, "window_end": pl.Date},
    )

    def positions(table: pl.DataFrame, *, with_school: bool) -> list[int]:
        t = table.join(term_index.select("term_id", "ti"), on=pl.col("term_id").cast(term_index["term_id"].dtype))
        if with_school:
            t = t.join(school_index.select("school_id", "si"), on="school_id")
        ii = t["item_code"].cast(pl.String).cast(enum).to_physical().cast(pl.Int64)
        pos = t["ti"] * n_items + ii
        if with_school:
            pos = (t["si"] * n_terms + t["ti"]) * n_items + ii
        return pos.to_list()

    cat_size = n_terms * n_items
    restriction = [0] * cat_size
    category = [0] * cat_size
    anchor = [False] * cat_size  # FEE-2: accommodation, tuition or miscellaneous fee
    cat_rows = catalogue.join(term_index.select("term_id"), on="term_id", how="semi")
    tuition = cat_rows["is_tuition"].to_list() if "is_tuition" in cat_rows.columns else [False] * cat_rows.height
    for pos, r, c, a, t in zip(
        positions(cat_rows, with_school=False),
        cat_rows["restriction"].to_list(),
        cat_rows["category"].to_list(),
        cat_rows["is_accommodation"].to_list(),
        tuition,
        strict=True,
    ):
        restriction[pos] = RESTRICTIONS.index(r)
        category[pos] = CATEGORIES.index(c or "")
        anchor[pos] = bool(a) or bool(t)
    line_size = max(len(school_ids), 1) * cat_size
    cap = [-1] * line_size
    cost = [-1] * line_size
    filed = [-1] * line_size  # FEE-5: the day the line was filed, as days since 1970-01-01
    line_rows = lines.join(term_index.select("term_id"), on="term_id", how="semi").join(
        school_index.select("school_id"), on="school_id", how="semi"
    )
    filed_on = (
        line_rows["filed_on"].cast(pl.Date).to_physical().to_list()
        if "filed_on" in line_rows.columns
        else [None] * line_rows.height
    )
    for pos, c, a, f in zip(
        positions(line_rows, with_school=True),
        line_rows["cap_fen"].to_list(),
        line_rows["actual_cost_fen"].to_list(),
        filed_on,
        strict=True,
    ):
        cap[pos] = int(c)
        cost[pos] = -1 if a is None else int(a)
        filed[pos] = -1 if f is None else int(f)

    restriction_s = pl.Series(restriction, dtype=pl.UInt8)
    category_s = pl.Series(category, dtype=pl.UInt8)
    anchor_s = pl.Series(anchor, dtype=pl.Boolean)
    cap_s = pl.Series(cap, dtype=pl.Int64)
    cost_s = pl.Series(cost, dtype=pl.Int64)
    filed_s = pl.Series(filed, dtype=pl.Int64)

    base = (
        frame.lazy()
        .join(school_index.lazy(), on="school_id", how="left")
        .join(term_index.lazy(), on="term_id", how="left")
        .with_columns(
            ii=pl.col("item_code").cast(pl.String).cast(enum).to_physical().cast(pl.Int64)
            if not isinstance(item_dtype, pl.Enum)
            else pl.col("item_code").to_physical().cast(pl.Int64)
        )
        .with_columns(ci=pl.col("ti") * n_items + pl.col("ii"))
        .with_columns(li=pl.col("si") * cat_size + pl.col("ci"))
        .with_columns(
            restriction=pl.lit(restriction_s).gather(pl.col("ci")),
            category=pl.lit(category_s).gather(pl.col("ci")),
            anchor=pl.lit(anchor_s).gather(pl.col("ci")),
            cap_fen=pl.lit(cap_s).gather(pl.col("li")),
            actual_cost_fen=pl.lit(cost_s).gather(pl.col("li")),
            filed_day=pl.lit(filed_s).gather(pl.col("li")),
        )
        .with_columns(
            prohibited=pl.col("restriction") == 1,
            compulsory_fee=(pl.col("restriction") == 2) & pl.col("compulsory").fill_null(False),
        )
        .with_columns(not_filed=~pl.col("prohibited") & ~pl.col("compulsory_fee") & (pl.col("cap_fen") < 0))
        .with_columns(is_filed=~pl.col("prohibited") & ~pl.col("compulsory_fee") & ~pl.col("not_filed"))
        .collect()
    )

    def flagged(kind: str, condition: pl.Expr, excess: pl.Expr | None = None) -> pl.LazyFrame:
        amount = pl.col("amount_fen") if excess is None else excess
        return (
            base.lazy()
            .filter(condition)
            .select(*KEY, "student_name", "row_no", amount.alias("excess"), pl.lit(kind).alias("kind"))
        )

    parts = [
        flagged("prohibited", pl.col("prohibited")),
        flagged("compulsory", pl.col("compulsory_fee")),
        flagged("not_filed", pl.col("not_filed")),
        flagged(
            "outside_window",
            pl.col("is_filed")
            & ((pl.col("collected_on") < pl.col("window_start")) | (pl.col("collected_on") > pl.col("window_end"))),
        ),
        flagged(
            "before_filing",
            pl.col("is_filed")
            & (pl.col("filed_day") >= 0)
            & (pl.col("collected_on").cast(pl.Date).to_physical().cast(pl.Int64) < pl.col("filed_day")),
        ),
        flagged(
            "above_standard",
            pl.col("is_filed") & (pl.col("amount_fen") > pl.col("cap_fen")),
            pl.col("amount_fen") - pl.col("cap_fen"),
        ),
    ]

    # Bundled (FEE-2): a service or on-behalf row on a receipt that also carries the
    # accommodation fee, tuition or the miscellaneous fee. Only receipts shared by two
    # rows or more can be bundled.
    has_receipt = pl.col("receipt_no").is_not_null()
    if base.schema["receipt_no"] == pl.String:
        has_receipt = has_receipt & (pl.col("receipt_no") != "")
    receipted = base.filter(has_receipt)
    if receipted.height:
        shared = receipted.filter(_repeated(receipted, pl.struct("si", "ti", "receipt_no").hash()))
        anchor_receipts = shared.filter(pl.col("anchor")).select("si", "ti", "receipt_no").unique()
        parts.append(
            shared.lazy()
            .filter(pl.col("category").is_in([2, 3]))
            .join(anchor_receipts.lazy(), on=["si", "ti", "receipt_no"], how="semi")
            .select(
                *KEY, "student_name", "row_no", pl.col("amount_fen").alias("excess"), pl.lit("bundled").alias("kind")
            )
        )

    # Charged twice (one student, one filed item): candidates by one sorted hash column.
    twice = base.filter(_repeated(base, pl.struct("li", "student_no").hash()) & pl.col("is_filed"))
    # On-behalf fees with a settled actual cost (FEE-2): surplus per student and item.
    settled = base.filter(pl.col("is_filed") & (pl.col("category") == 3) & (pl.col("actual_cost_fen") >= 0))

    def per_student(frame_: pl.DataFrame) -> pl.LazyFrame:
        return (
            frame_.lazy()
            .group_by(KEY)
            .agg(
                pl.len().alias("n"),
                pl.col("amount_fen").sum().alias("total"),
                pl.col("amount_fen").sort_by("row_no").first().alias("first_amount"),
                pl.col("row_no").min().alias("first_row"),
                pl.col("student_name").sort_by("row_no").first().alias("student_name"),
                pl.col("cap_fen").first().alias("cap_fen"),
                pl.col("actual_cost_fen").first().alias("actual_cost_fen"),
            )
        )

    grouped_parts = [
        per_student(twice)
        .filter(pl.col("n") > 1)
        .select(
            pl.lit("duplicate").alias("kind"),
            *KEY,
            "student_name",
            (pl.col("total") - pl.col("first_amount")).alias("amount_fen"),
            (pl.col("n") - 1).cast(pl.UInt32).alias("row_count"),
            "first_row",
        ),
        per_student(settled)
        .filter(pl.min_horizontal("total", "cap_fen") > pl.col("actual_cost_fen"))
        .select(
            pl.lit("surplus").alias("kind"),
            *KEY,
            "student_name",
            (pl.min_horizontal("total", "cap_fen") - pl.col("actual_cost_fen")).alias("amount_fen"),
            pl.col("n").cast(pl.UInt32).alias("row_count"),
            "first_row",
        ),
    ]
    row_findings = (
        pl.concat(parts, how="vertical_relaxed")
        .group_by(["kind", *KEY])
        .agg(
            pl.col("student_name").sort_by("row_no").first(),
            pl.col("excess").sum().alias("amount_fen"),
            pl.len().cast(pl.UInt32).alias("row_count"),
            pl.col("row_no").min().alias("first_row"),
        )
    )
    results = pl.collect_all([row_findings, *grouped_parts])
    out = pl.concat(
        [
            frame_.select(
                "kind",
                *KEY,
                "student_name",
                pl.col("amount_fen").cast(pl.Int64),
                "row_count",
                pl.col("first_row").cast(pl.Int64),
            )
            for frame_ in results
        ],
        how="vertical_relaxed",
    )
    return out.with_columns(
        pl.col("kind").replace_strict(KIND_RULES, return_dtype=pl.String).alias("rule_id"),
        pl.col("item_code").cast(pl.String),
    ).select(FINDING_COLUMNS)
