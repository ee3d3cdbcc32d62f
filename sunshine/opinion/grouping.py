"""Grouping posts into events: SimHash over character shingles (core.textsim) plus a time window.

Two posts are about the same matter when their 64-bit SimHashes differ in at most
``NEAR_BITS`` bits (near-duplicates, re-posts with small edits), or when both name
the same school or department and have the same topic, within ``WINDOW`` of each
other. Near-duplicates that name different schools (the same complaint written about
two schools: only the name differs) are two matters, never one event. Pure
functions and an in-memory :class:`Grouper`; ``services`` stores the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from sunshine.core.textsim import shingle_hashes

NEAR_BITS = 12
WINDOW = timedelta(days=7)
SHINGLE = 3
_BITS = np.arange(64, dtype=np.uint64)
_KEEP = re.compile(r"[\w]+")
_MASK63 = (1 << 63) - 1


def simhash(text: str) -> int:
    """64-bit SimHash of ``text``'s character 3-shingles (core.textsim's shingle hashes),
    as a signed 64-bit integer (fits a BigIntegerField). The text is compacted as the
    stored hashes were (lower case, letters and digits, first 400 characters, padded to
    one shingle), so a stored post and a new one compare alike."""
    compact = "".join(_KEEP.findall(text.lower()))[:400]
    if len(compact) < SHINGLE:
        compact = compact.ljust(SHINGLE, "_")
    hashes = shingle_hashes(compact, SHINGLE)
    bits = ((hashes[:, None] >> _BITS) & np.uint64(1)).sum(axis=0)
    value = int((bits * 2 > len(hashes)).astype(np.uint64) @ (np.uint64(1) << _BITS))
    return value - (1 << 64) if value > _MASK63 else value


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


@dataclass
class Candidate:
    """An event as the grouper sees it."""

    key: int  # the event's primary key (or a temporary id)
    first_seen: datetime
    last_seen: datetime
    hashes: list[int] = field(default_factory=list)
    organizations: set[int] = field(default_factory=set)
    topic: str = ""
    index: int = -1  # position in the grouper


class Grouper:
    """Assigns posts to candidate events. The hashes of every candidate's posts sit in
    one numpy array, so a post is compared with all of them in one vectorised step."""

    def __init__(self, candidates: Iterable[Candidate] = (), *, near_bits: int = NEAR_BITS) -> None:
        self.near_bits = near_bits
        self._next_temp = -1
        self.candidates: list[Candidate] = []
        self._hashes = np.zeros(1024, dtype=np.uint64)
        self._owner = np.zeros(1024, dtype=np.int64)
        self._size = 0
        self._by_org_topic: dict[tuple[int, str], Candidate] = {}
        for cand in candidates:
            self._append_candidate(cand)

    def _append_candidate(self, cand: Candidate) -> None:
        self.candidates.append(cand)
        cand.index = len(self.candidates) - 1
        for value in cand.hashes:
            self._push(value, cand.index)
        self._remember(cand)

    def _remember(self, cand: Candidate) -> None:
        if cand.topic:
            for org in cand.organizations:
                self._by_org_topic[(org, cand.topic)] = cand

    def _push(self, value: int, index: int) -> None:
        if self._size == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros_like(self._hashes)])
            self._owner = np.concatenate([self._owner, np.zeros_like(self._owner)])
        self._hashes[self._size] = np.uint64(value & ((1 << 64) - 1))
        self._owner[self._size] = index
        self._size += 1

    def _in_window(self, cand: Candidate, at: datetime) -> bool:
        return cand.first_seen - WINDOW <= at <= cand.last_seen + WINDOW

    def match(self, *, hash_value: int, at: datetime, organizations: set[int], topic: str) -> Candidate | None:
        if self._size:
            distances = np.bitwise_count(self._hashes[: self._size] ^ np.uint64(hash_value & ((1 << 64) - 1)))
            close = np.flatnonzero(distances <= self.near_bits)
            for position in close[np.argsort(distances[close], kind="stable")]:
                cand = self.candidates[int(self._owner[position])]
                if self._in_window(cand, at) and not _other_units(cand.organizations, organizations):
                    return cand
        if topic:
            for org in sorted(organizations):
                found = self._by_org_topic.get((org, topic))
                if found is not None and self._in_window(found, at):
                    return found
        return None

    def add(self, *, hash_value: int, at: datetime, organizations: set[int], topic: str) -> tuple[Candidate, bool]:
        """The event for this post (created when none matches) and whether it is new."""
        cand = self.match(hash_value=hash_value, at=at, organizations=organizations, topic=topic)
        created = cand is None
        if cand is None:
            cand = Candidate(key=self._next_temp, first_seen=at, last_seen=at, topic=topic)
            self._next_temp -= 1
            self.candidates.append(cand)
            cand.index = len(self.candidates) - 1
        cand.hashes.append(hash_value)
        self._push(hash_value, cand.index)
        cand.organizations |= organizations
        cand.first_seen = min(cand.first_seen, at)
        cand.last_seen = max(cand.last_seen, at)
        if not cand.topic:
            cand.topic = topic
        self._remember(cand)
        return cand, created


def _other_units(theirs: set[int], ours: set[int]) -> bool:
    """Both name schools or departments, and not one in common: another matter."""
    return bool(theirs and ours and not theirs & ours)


class OrgMatcher:
    """Finds the schools and departments a text names (full name, short name, and the
    name without its district prefix, e.g. 第一中学 for 示范区第一中学 when unique)."""

    def __init__(self, organizations: Iterable[tuple[int, str, str]]) -> None:
        aliases: dict[str, set[int]] = {}
        for pk, name, short in organizations:
            for alias in {name, short, _strip_district(name)}:
                if alias and len(alias) >= 4:
                    aliases.setdefault(alias, set()).add(pk)
        # An alias shared by two organisations names neither.
        self.aliases = sorted(((a, next(iter(p))) for a, p in aliases.items() if len(p) == 1), key=lambda x: -len(x[0]))

    def find(self, text: str) -> set[int]:
        found: set[int] = set()
        for alias, pk in self.aliases:
            if alias in text:
                found.add(pk)
        return found


def _strip_district(name: str) -> str:
    match = re.match(r"^.{1,4}?[区县市](.{4,})$", name)
    return match.group(1) if match else ""


def severity(*, posts: int, sources: int, likes: int, stance: str, topic: str, major: bool = False) -> int:
    """Rank of an event: reach (posts, sources, likes) weighted by what it is about."""
    weight = {"safety": 3, "food": 3, "conduct": 2, "fees": 2}.get(topic, 1)
    tone = 2 if stance == "complaint" else 1
    score = (posts * 2 + sources * 3 + min(likes, 10_000) // 20) * weight * tone
    return score + (100 if major else 0)
