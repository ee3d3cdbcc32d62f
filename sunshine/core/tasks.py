"""Background tasks of core (Django's Tasks API; the worker is django-tasks-db's
``manage.py db_worker``, the timer is ``manage.py run_scheduler``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.tasks import TaskResultStatus, task

from sunshine.core.supervision import supervision_sweep

__all__ = [
    "audit_anchor_task",
    "figures_snapshot_task",
    "supervision_sweep_task",
    "tasks_requeue_orphans",
    "uploads_sweep_task",
]


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


@task
def receipt_escrow_sweep_task() -> dict[str, int]:
    """Empty the sealed receipts of filings older than ten minutes (scheduled hourly)."""
    from sunshine.core.forms import receipt_escrow_sweep

    return {"emptied": receipt_escrow_sweep()}


# A task whose worker died mid-run is tried again this many times in all, then failed.
TASK_MAX_ATTEMPTS = 3


class WorkerDied(RuntimeError):
    """Recorded as the failure of a task whose worker died on every attempt."""


@transaction.atomic
def tasks_requeue_orphans(*, worker_ids: Iterable[str] = (), worker_prefix: str = "") -> dict[str, int]:
    """Tasks left RUNNING by a worker that is known to be dead — its id in
    ``worker_ids``, or starting with ``worker_prefix`` (the single-box runner's
    workers, when the runner starts again after the machine stopped) — are made READY
    again, so a live worker picks them up; a task that has already been claimed
    ``TASK_MAX_ATTEMPTS`` times is failed instead (it may be what kills the worker).
    Only the caller knows a worker is dead: never pass the id of a live one."""
    from django_tasks_db.models import DBTaskResult

    dead = set(worker_ids)
    requeued = failed = 0
    for result in DBTaskResult.objects.running().select_for_update(skip_locked=True).iterator():
        last = result.worker_ids[-1] if result.worker_ids else ""
        if not (last in dead or (worker_prefix and last.startswith(worker_prefix))):
            continue
        if len(result.worker_ids) >= TASK_MAX_ATTEMPTS:
            result.set_failed(WorkerDied(f"the worker died during each of {len(result.worker_ids)} attempts"))
            failed += 1
        else:
            DBTaskResult.objects.filter(pk=result.pk, status=result.status).update(
                status=TaskResultStatus.READY, started_at=None
            )
            requeued += 1
    return {"requeued": requeued, "failed": failed}


@task
def figures_snapshot_task() -> dict[str, int]:
    """Keep a snapshot of every reported figure for the current year, quarter and month
    of every organisation (scheduled nightly), so any chart can be shown as of a past day."""
    from sunshine.core.figures import figures_snapshot_nightly

    return {"kept": figures_snapshot_nightly()}
