"""Background tasks of opinion (scheduled by core's scheduler)."""

from __future__ import annotations

from django.tasks import task

from sunshine.core.actors import SYSTEM
from sunshine.opinion.services import sources_fetch_due

__all__ = ["opinion_fetch_task"]


@task
def opinion_fetch_task() -> dict[str, int]:
    """Fetch every due feed and page source; a failing source is marked, the rest go on."""
    return sources_fetch_due(actor=SYSTEM)
