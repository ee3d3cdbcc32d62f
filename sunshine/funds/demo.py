"""Demo data of funds (filled in below)."""

from __future__ import annotations

from typing import Any


def build_funds_demo(ctx: Any) -> None:
    return None
