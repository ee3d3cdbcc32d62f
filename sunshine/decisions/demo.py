"""Demo data of decisions (filled in below)."""

from __future__ import annotations

from sunshine.core.demo import DemoContext


def build_decisions_demo(context: DemoContext) -> None:
    return None
