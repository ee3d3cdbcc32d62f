"""A small scheduler for periodic tasks.

``PERIODIC_JOBS`` maps a job name to (task path, interval in seconds). Core
registers its own jobs below; other apps call :func:`register_periodic` in their
``AppConfig.ready()``. ``manage.py run_scheduler`` calls :func:`scheduler_tick`
every few seconds; ``manage.py db_worker`` (django-tasks-db) runs what it enqueues.

Several schedulers may run at once (two servers, a restart overlapping): each due
job's row is locked (``select_for_update(skip_locked=True)`` on PostgreSQL; SQLite
serialises writers), re-checked as due, enqueued and advanced in one transaction, so
one run of a job is enqueued once. With the database task backend the enqueued task
row commits or rolls back together with the advance.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from sunshine.core.models import ScheduledJob

__all__ = ["PERIODIC_JOBS", "job_label", "register_periodic", "scheduler_tick"]

logger = logging.getLogger("sunshine.scheduler")

PERIODIC_JOBS: dict[str, tuple[str, int]] = {}
JOB_LABELS: dict[str, str | Promise] = {}


def register_periodic(name: str, task_path: str, every_seconds: int, *, label: str | Promise = "") -> None:
    """Run the task at ``task_path`` (a ``@task`` function) every ``every_seconds``;
    ``label`` is what the administrator reads for the job (translatable)."""
    if every_seconds < 1:
        raise ValueError("every_seconds must be at least 1")
    PERIODIC_JOBS[name] = (task_path, every_seconds)
    if label:
        JOB_LABELS[name] = label


def job_label(name: str) -> str:
    """The name a person reads for a scheduled job ("" for a job registered without one)."""
    return str(JOB_LABELS.get(name, ""))


register_periodic(
    "uploads-sweep",
    "sunshine.core.tasks.uploads_sweep_task",
    24 * 3600,
    label=_("Removal of files left by failed imports"),
)
register_periodic(
    "receipt-escrow-sweep",
    "sunshine.core.tasks.receipt_escrow_sweep_task",
    3600,
    label=_("Removal of receipts kept for filers whose answer was lost"),
)
register_periodic(
    "supervision-sweep",
    "sunshine.core.tasks.supervision_sweep_task",
    300,
    label=_("Supervision reminders, overdue marks and escalations"),
)
register_periodic(
    "audit-anchor",
    "sunshine.core.tasks.audit_anchor_task",
    max(1, settings.SUNSHINE_AUDIT_ANCHOR_HOURS) * 3600,
    label=_("Signed anchor of the audit log"),
)

register_periodic(
    "figures-snapshot",
    "sunshine.core.tasks.figures_snapshot_task",
    24 * 3600,
    label=_("Nightly snapshot of the reported figures"),
)


def _sync(now: datetime) -> None:
    """Create a row for each registered job (first run: now) and keep its task path
    in step with the code. The interval of an existing row is left to the admin."""
    for name, (task_path, every) in PERIODIC_JOBS.items():
        job, created = ScheduledJob.objects.get_or_create(
            name=name, defaults={"task_path": task_path, "interval_seconds": every, "next_run_at": now}
        )
        if not created and job.task_path != task_path:
            ScheduledJob.objects.filter(pk=job.pk).update(task_path=task_path)


def _run_if_due(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        skip = connection.features.has_select_for_update_skip_locked
        job = (
            ScheduledJob.objects.select_for_update(skip_locked=skip)
            .filter(pk=pk, enabled=True, next_run_at__lte=now)
            .first()
        )
        if job is None:  # another scheduler has it, or has just run it
            return False
        task = import_string(job.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{job.task_path} is not a task (decorate it with @task)")
        result = task.enqueue()
        interval = timedelta(seconds=job.interval_seconds)
        next_run = job.next_run_at + interval
        if next_run <= now:  # missed runs (scheduler down) are not caught up one by one
            next_run = now + interval
        job.next_run_at = next_run
        job.last_run_at = now
        job.last_enqueued_result_id = str(result.id)[:64]
        job.save(update_fields=["next_run_at", "last_run_at", "last_enqueued_result_id"])
        return True


def scheduler_tick(now: datetime | None = None) -> list[str]:
    """Enqueue every registered job that is due; return their names."""
    now = now or timezone.now()
    _sync(now)
    due = ScheduledJob.objects.filter(name__in=list(PERIODIC_JOBS), enabled=True, next_run_at__lte=now)
    enqueued: list[str] = []
    for pk, name in due.order_by("next_run_at", "pk").values_list("pk", "name"):
        try:
            ran = _run_if_due(pk, now)
        except Exception:
            logger.exception("scheduler: could not enqueue %s", name)
            continue
        if ran:
            logger.info("scheduler: enqueued %s", name)
            enqueued.append(name)
    return enqueued
