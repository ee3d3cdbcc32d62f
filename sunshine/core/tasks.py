"""Background tasks of core (Django's Tasks API; the worker is django-tasks-db's
``manage.py db_worker``, the timer is ``manage.py run_scheduler``)."""

from __future__ import annotations

from django.tasks import task

from sunshine.core.supervision import supervision_sweep

__all__ = ["audit_anchor_task", "supervision_sweep_task", "uploads_sweep_task"]


@task
def supervision_sweep_task() -> dict[str, int]:
    """Remind and escalate supervisions (OVS-1); scheduled every 5 minutes."""
    result = supervision_sweep()
    return {"reminded": result.reminded, "escalated": result.escalated}


@task
def audit_anchor_task() -> dict[str, str]:
    """Write a signed anchor of the audit chain's head into SUNSHINE_AUDIT_ANCHOR_DIR
    (scheduled hourly by default); nothing when the directory is not configured."""
    from pathlib import Path

    from django.conf import settings

    from sunshine.core.audit import audit_anchor_write

    directory = getattr(settings, "SUNSHINE_AUDIT_ANCHOR_DIR", "")
    if not directory:
        return {"written": ""}
    written = audit_anchor_write(Path(directory))
    return {"written": str(written or "")}


@task
def uploads_sweep_task() -> dict[str, int]:
    """Delete the stored bytes of failed imports left without a row for over a day
    (scheduled daily)."""
    from sunshine.core.uploads import uploads_sweep_orphans

    return {"deleted": uploads_sweep_orphans()}
