"""Run-time classification of posts with the shipped weights (numpy only).

Three judgements, each with a probability as its confidence: ``education`` (logistic),
``topic`` and ``stance`` (softmax). The weights (``model/weights.npz``, no pickle) and
their parameters (``model/model.json``) are trained by ``manage.py opinion_train`` and
loaded once, lazily.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sunshine.opinion import features

MODEL_DIR = Path(__file__).resolve().parent / "model"
_lock = threading.Lock()
_model: dict[str, Any] | None = None


@dataclass(frozen=True)
class Judgement:
    education: int
    education_confidence: float
    topic: str
    topic_confidence: float
    stance: str
    stance_confidence: float

    @property
    def confidence(self) -> float:
        """The weakest of the judgements given (topic only counts for education)."""
        values = [self.education_confidence, self.stance_confidence]
        if self.education:
            values.append(self.topic_confidence)
        return float(min(values))


def load_model(directory: Path | None = None) -> dict[str, Any]:
    """The weights and parameters, loaded once (thread-safe)."""
    global _model
    if directory is not None:
        return _load(directory)
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load(MODEL_DIR)
    return _model


def _load(directory: Path) -> dict[str, Any]:
    meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    with np.load(directory / "weights.npz", allow_pickle=False) as data:
        arrays = {name: data[name].astype(np.float32) for name in data.files}
    if meta["n_features"] != features.N_FEATURES:
        raise ValueError("the shipped model was trained with another feature space")
    # One matrix, one lookup per post: [education | topics | stances].
    weights = np.hstack([arrays["education_w"][:, None], arrays["topic_w"], arrays["stance_w"]])
    bias = np.concatenate([arrays["education_b"], arrays["topic_b"], arrays["stance_b"]])
    return {"meta": meta, "weights": np.ascontiguousarray(weights), "bias": bias}


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def classify(title: str, text: str, model: dict[str, Any] | None = None) -> Judgement:
    """The three judgements of one post."""
    model = model or load_model()
    meta = model["meta"]
    idx = features.indices(title, text)
    scores = model["weights"][idx].sum(axis=0) / np.sqrt(len(idx)) + model["bias"] if len(idx) else model["bias"].copy()
    topics, stances = meta["topics"], meta["stances"]
    p_edu = float(1.0 / (1.0 + np.exp(-scores[0])))
    p_topic = _softmax(scores[1 : 1 + len(topics)])
    p_stance = _softmax(scores[1 + len(topics) :])
    education = int(p_edu >= meta.get("education_threshold", 0.5))
    t, s = int(p_topic.argmax()), int(p_stance.argmax())
    return Judgement(
        education=education,
        education_confidence=round(p_edu if education else 1.0 - p_edu, 4),
        topic=topics[t] if education else "",
        topic_confidence=round(float(p_topic[t]), 4) if education else 0.0,
        stance=stances[s],
        stance_confidence=round(float(p_stance[s]), 4),
    )


def classify_many(items: list[tuple[str, str]]) -> list[Judgement]:
    model = load_model()
    return [classify(title, text, model) for title, text in items]
