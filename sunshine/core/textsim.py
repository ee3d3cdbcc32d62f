"""Near-duplicate text: character shingles, MinHash and LSH bands (pure functions).

A text is reduced to the set of its character n-grams ("shingles"; 2 for Chinese,
where a word is mostly two characters), punctuation and spaces dropped. Two texts are
alike as the Jaccard index of their shingle sets (shared ÷ all). To find alike texts
among many without comparing with all of them, each text gets a MinHash signature
(``PERMUTATIONS`` minima of hashed shingles; two signatures agree in a position with
probability equal to the Jaccard index) cut into ``BANDS`` bands of ``ROWS`` rows; each
band is hashed to one 64-bit key. Texts sharing a band key are candidates, and the
candidates are then compared exactly with :func:`jaccard`. With 16 bands of 4 rows a
pair at Jaccard 0.5 shares a band with probability 0.64, at 0.6 0.89, at 0.7 0.99,
at 0.2 0.03 and at 0.1 0.002: few unrelated candidates, most near-duplicates found.

Everything is deterministic across processes (no ``hash()``), vectorised with numpy.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

SHINGLE = 2
MAX_CHARS = 4000
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_KEEP = re.compile(r"\w+")
_MASK63 = (1 << 63) - 1
_MULTIPLIERS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
# One seed per permutation (fixed: a stored band key must mean the same tomorrow).
_SEEDS = (np.arange(1, PERMUTATIONS + 1, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)) ^ np.uint64(
    0x5851F42D4C957F2D
)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (uint64 arrays wrap): every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def compact(text: str) -> str:
    """The text as compared: NFKC, lower case, letters and digits only, at most ``MAX_CHARS``."""
    return "".join(_KEEP.findall(unicodedata.normalize("NFKC", text or "").lower())).replace("_", "")[:MAX_CHARS]


def shingles(text: str, n: int = SHINGLE) -> np.ndarray:
    """The distinct n-gram hashes of ``text`` (uint64, sorted); empty when the text is
    shorter than ``n`` characters once compacted."""
    return shingle_hashes(compact(text), n)


def shingle_hashes(chars: str, n: int = SHINGLE) -> np.ndarray:
    """The distinct hashes of the n-grams of ``chars`` taken as they are (uint64,
    sorted): each n-gram hashed from its ``n`` code points. :func:`shingles` compacts a
    text first; a caller with its own stored hashes (opinion's SimHash) compacts its own
    way and shingles here."""
    if len(chars) < n:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    with np.errstate(over="ignore"):
        combined = np.zeros(len(codes) - n + 1, dtype=np.uint64)
        for i in range(n):
            combined = combined + codes[i : len(codes) - n + 1 + i] * _MULTIPLIERS[i % len(_MULTIPLIERS)]
    return np.unique(_mix(combined))


def jaccard(a: str, b: str, n: int = SHINGLE) -> float:
    """The Jaccard index (0…1) of the two texts' shingle sets; 0 when either is empty."""
    return jaccard_of(shingles(a, n), shingles(b, n))


def jaccard_of(sa: np.ndarray, sb: np.ndarray) -> float:
    """The Jaccard index of two sets of shingle hashes (from :func:`shingles`)."""
    if not len(sa) or not len(sb):
        return 0.0
    shared = len(np.intersect1d(sa, sb, assume_unique=True))
    return shared / (len(sa) + len(sb) - shared)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (``PERMUTATIONS`` uint64) of a set of shingle hashes."""
    if not len(hashes):
        raise ValueError("no shingles")
    return _mix(hashes[:, None] ^ _SEEDS[None, :]).min(axis=0)


def band_keys(text: str, n: int = SHINGLE) -> list[int]:
    """The ``BANDS`` LSH keys of ``text`` (signed 64-bit integers, for a BigIntegerField;
    each key carries its band's position, so equal keys mean the same band agrees), or
    an empty list when the text has no shingles."""
    hashes = shingles(text, n)
    if not len(hashes):
        return []
    rows = minhash(hashes).reshape(BANDS, ROWS)
    keys = np.arange(BANDS, dtype=np.uint64) + np.uint64(1)
    for column in range(ROWS):
        keys = _mix(keys * _MULTIPLIERS[0] ^ rows[:, column])
    return [value - (1 << 64) if value > _MASK63 else value for value in (int(v) for v in keys)]
