"""Functions for ``run_limited``'s tests. The child process imports this module without
setting Django up, so it imports nothing of the project's models."""

from __future__ import annotations

import time


def greedy(megabytes: int) -> int:
    """Allocate ``megabytes`` and touch every page: more than the limit, on purpose."""
    block = bytearray(megabytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return len(block)


def modest(n: int) -> list[int]:
    return list(range(n))


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"
