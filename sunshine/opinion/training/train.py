"""Train the three classifiers, evaluate them on a held-out split, and write the
shipped weights (numpy .npz, no pickle) and the evaluation report.

Data: the shared Taidi 2020 messages (read from ``--data``, never copied),
de-duplicated on the normalised text before splitting, labelled by the official
first-level label (education, sample file), the reviewed hand labels
(``labels/hand_labels.csv``) and otherwise the keyword proposals of ``rules.py``;
plus the fictional posts of ``synthetic.py`` (training only, never evaluated on).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sunshine.opinion import features
from sunshine.opinion.models import Stance, Topic
from sunshine.opinion.training import data, synthetic

TOPICS = [t.value for t in Topic]
STANCES = [s.value for s in Stance]


@dataclass
class Row:
    title: str
    text: str
    education: int
    topic: str
    stance: str
    hand: bool
    gold_education: bool  # official label (sample file) or hand label


def _matrix(rows: list[Row]):  # type: ignore[no-untyped-def]
    from scipy import sparse

    indptr, cols = [0], []
    for row in rows:
        idx = features.indices(row.title, row.text)
        cols.append(idx)
        indptr.append(indptr[-1] + len(idx))
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    values = np.concatenate([np.full(len(c), 1.0 / np.sqrt(max(len(c), 1))) for c in cols])
    return sparse.csr_matrix((values, col, np.array(indptr)), shape=(len(rows), features.N_FEATURES))


def _fit(x, y, classes: list[str] | None = None):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced")
    model.fit(x, y)
    return model


def _report(name: str, y_true: list, y_pred: list, labels: list) -> dict:  # type: ignore[type-arg]
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    return {
        "name": name,
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 3),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 3),
        "labels": [str(label) for label in labels],
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def train(data_dir: Path, out_dir: Path, *, seed: int = 7) -> list[dict]:  # type: ignore[type-arg]
    messages = data.load(data_dir)
    rows = [
        Row(
            m.title,
            m.text,
            m.education,
            m.topic if m.education else "",
            m.stance,
            bool(m.hand),
            bool(m.official) or "education" in m.hand,
        )
        for m in messages
    ]
    rng = random.Random(seed)  # noqa: S311 (reproducible sampling, not security)
    rng.shuffle(rows)
    # Held out: 30% of the gold-labelled education rows and of the hand-labelled rows,
    # 20% of the rest.
    test: list[Row] = []
    train_rows: list[Row] = []
    for row in rows:
        share = 0.3 if (row.gold_education or row.hand) else 0.2
        (test if rng.random() < share else train_rows).append(row)
    synth = [
        Row("", text, edu, topic, stance, False, False) for text, edu, topic, stance in synthetic.synthetic_posts()
    ]
    train_rows += synth

    x_train = _matrix(train_rows)
    x_test = _matrix(test)
    edu = _fit(x_train, [r.education for r in train_rows])
    edu_rows = [i for i, r in enumerate(train_rows) if r.education]
    topic = _fit(x_train[edu_rows], [train_rows[i].topic for i in edu_rows])
    stance = _fit(x_train, [r.stance for r in train_rows])

    reports = []
    gold = [i for i, r in enumerate(test) if r.gold_education]
    pred_edu = edu.predict(x_test)
    reports.append(
        _report(
            "education (official + reviewed labels)",
            [test[i].education for i in gold],
            [int(pred_edu[i]) for i in gold],
            [0, 1],
        )
    )
    reports.append(_report("education (all held-out)", [r.education for r in test], [int(p) for p in pred_edu], [0, 1]))
    edu_test = [i for i, r in enumerate(test) if r.education]
    pred_topic = topic.predict(x_test[edu_test]) if edu_test else []
    reports.append(
        _report("topic (held-out education posts)", [test[i].topic for i in edu_test], list(pred_topic), TOPICS)
    )
    hand_test = [k for k, i in enumerate(edu_test) if test[i].hand]
    reports.append(
        _report(
            "topic (hand-labelled only)",
            [test[edu_test[k]].topic for k in hand_test],
            [pred_topic[k] for k in hand_test],
            TOPICS,
        )
    )
    pred_stance = stance.predict(x_test)
    reports.append(_report("stance (all held-out)", [r.stance for r in test], list(pred_stance), STANCES))
    hand_all = [i for i, r in enumerate(test) if r.hand]
    reports.append(
        _report(
            "stance (hand-labelled only)",
            [test[i].stance for i in hand_all],
            [pred_stance[i] for i in hand_all],
            STANCES,
        )
    )

    # Ship: refit on everything (train + held-out), same settings.
    everything = train_rows + test
    x_all = _matrix(everything)
    edu = _fit(x_all, [r.education for r in everything])
    edu_rows = [i for i, r in enumerate(everything) if r.education]
    topic = _fit(x_all[edu_rows], [everything[i].topic for i in edu_rows])
    stance = _fit(x_all, [r.stance for r in everything])
    topic_w = _ordered(topic, TOPICS)
    stance_w = _ordered(stance, STANCES)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out_dir / "weights.npz",
        education_w=edu.coef_[0].astype(np.float16),
        education_b=edu.intercept_.astype(np.float32),
        topic_w=topic_w[0].astype(np.float16),
        topic_b=topic_w[1].astype(np.float32),
        stance_w=stance_w[0].astype(np.float16),
        stance_b=stance_w[1].astype(np.float32),
    )
    meta = {
        "version": 1,
        "n_features": features.N_FEATURES,
        "hash": "crc32 of feature string, masked",
        "features": "word unigrams+bigrams (rjieba), character 2- and 3-grams; binary, L2-normalised",
        "max_chars": features.MAX_CHARS,
        "topics": TOPICS,
        "stances": STANCES,
        "education_threshold": 0.5,
        "trained_on": {"messages": len(messages), "synthetic": len(synth), "held_out": len(test)},
    }
    (out_dir / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return reports


def _ordered(model, labels: list[str]):  # type: ignore[no-untyped-def]
    """(weights F×K, bias K) in the order of ``labels`` (zero for a class never seen)."""
    weights = np.zeros((features.N_FEATURES, len(labels)), dtype=np.float32)
    bias = np.full(len(labels), -30.0, dtype=np.float32)
    classes = list(model.classes_)
    coef = model.coef_
    if len(classes) == 2 and coef.shape[0] == 1:  # binary: expand to two columns
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        intercept = model.intercept_
    for k, label in enumerate(classes):
        j = labels.index(label)
        weights[:, j] = coef[k]
        bias[j] = intercept[k]
    return weights, bias


def report_markdown(reports: list[dict]) -> str:  # type: ignore[type-arg]
    lines = [
        "# Opinion classifiers: evaluation",
        "",
        "Written by `manage.py opinion_train --data DIR` (do not edit by hand).",
        "",
        "Held-out split of the shared Taidi 2020 messages, de-duplicated on the text",
        "before splitting. Education: official first-level label 教育文体 narrowed to",
        "education (sports/culture items are 0) plus reviewed labels. Topic and stance:",
        "reviewed hand labels where present, otherwise keyword proposals (rules.py), so",
        "the 'hand-labelled only' rows are the honest figures. The fictional training",
        "posts (synthetic.py) are never evaluated on. Praise is almost absent from the",
        "message boards: its figures rest on the synthetic posts and are not measured here.",
        "",
        "| judgement | n | accuracy | macro-F1 |",
        "|---|---|---|---|",
    ]
    for r in reports:
        lines.append(f"| {r['name']} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} |")
    for r in reports:
        lines += ["", f"## Confusion matrix: {r['name']}", "", "rows = true, columns = predicted", ""]
        lines.append("| | " + " | ".join(r["labels"]) + " |")
        lines.append("|---" * (len(r["labels"]) + 1) + "|")
        for label, row in zip(r["labels"], r["confusion"], strict=True):
            lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
