"""The demo district's registry of builders.

``manage.py demo_district`` builds the organisations and people first (orgs), then
runs every builder registered here in order. A module adds its own demo data by
registering a builder in its ``AppConfig.ready()``::

    from sunshine.core.demo import register_demo_builder
    register_demo_builder("petitions", build_petitions_demo, order=20)

A builder takes the ``DemoContext`` and must be idempotent: running the command
twice leaves the same data. It may append lines to ``context.notes`` (printed at the
end, e.g. receipt codes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class DemoContext:
    bureau: Any
    users: dict[str, Any]
    now: datetime
    notes: list[str] = field(default_factory=list)


DemoBuilder = Callable[[DemoContext], None]
_BUILDERS: dict[str, tuple[int, DemoBuilder]] = {}


def register_demo_builder(name: str, builder: DemoBuilder, *, order: int = 50) -> None:
    _BUILDERS[name] = (order, builder)


def demo_builders() -> list[tuple[str, DemoBuilder]]:
    return [(name, builder) for name, (_, builder) in sorted(_BUILDERS.items(), key=lambda item: item[1][0])]
