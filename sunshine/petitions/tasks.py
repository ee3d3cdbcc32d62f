"""Background tasks of petitions (scheduled in apps.py; reminders and escalation are
core's supervision sweep)."""

from __future__ import annotations

from django.tasks import task

from sunshine.petitions.services import petitions_close_lapsed

__all__ = ["petitions_daily_task"]


@task
def petitions_daily_task() -> dict[str, int]:
    """Daily: close the cases whose PET-7 review / re-examination window lapsed."""
    return {"closed": petitions_close_lapsed()}
