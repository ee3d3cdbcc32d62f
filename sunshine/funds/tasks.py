"""Background tasks of funds (scheduled by core's scheduler)."""

from __future__ import annotations

from django.tasks import task

from sunshine.core.actors import SYSTEM
from sunshine.funds.services import lag_sweep

__all__ = ["funds_lag_task"]


@task
def funds_lag_task() -> int:
    """FND-1: alert on allocations lagging their time schedule; returns the alerts raised."""
    return len(lag_sweep(actor=SYSTEM))
