"""Background tasks of core (Django's Tasks API; the worker is django-tasks-db's
``manage.py db_worker``, the timer is ``manage.py run_scheduler``)."""

from __future__ import annotations

from django.tasks import task

from sunshine.core.supervision import supervision_sweep

__all__ = ["supervision_sweep_task"]


@task
def supervision_sweep_task() -> dict[str, int]:
    """Remind and escalate supervisions (OVS-1); scheduled every 5 minutes."""
    result = supervision_sweep()
    return {"reminded": result.reminded, "escalated": result.escalated}
