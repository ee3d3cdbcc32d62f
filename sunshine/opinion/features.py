"""Features shared by training and run time: word (rjieba) and character n-grams,
hashed into a fixed space with CRC-32 (deterministic across processes, unlike
Python's ``hash``). Training and inference call the same function, so the shipped
weights always match."""

from __future__ import annotations

import itertools
import re
import zlib

import numpy as np

N_FEATURES = 1 << 17
MAX_CHARS = 300  # the title and the opening of the text carry the judgement
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def normalise(title: str, text: str) -> str:
    joined = f"{title} {title} {text}" if title else text  # the title counts twice
    return _DIGITS.sub("0", _SPACE.sub(" ", joined))[:MAX_CHARS].lower()


def tokens(title: str, text: str) -> list[str]:
    import rjieba

    value = normalise(title, text)
    words = [w for w in rjieba.cut(value) if w.strip()]
    feats = ["w" + w for w in words]
    feats += ["b" + a + "_" + b for a, b in itertools.pairwise(words)]
    compact = value.replace(" ", "")
    feats += ["c" + compact[i : i + 2] for i in range(len(compact) - 1)]
    feats += ["t" + compact[i : i + 3] for i in range(len(compact) - 2)]
    return feats


def indices(title: str, text: str, n_features: int = N_FEATURES) -> np.ndarray:
    """Sorted unique feature indices (binary bag of features)."""
    mask = n_features - 1
    crc = zlib.crc32
    return np.unique(np.fromiter((crc(f.encode()) & mask for f in tokens(title, text)), dtype=np.int64))
