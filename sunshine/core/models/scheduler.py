"""Periodic jobs: one row per job of the registry in ``sunshine.core.scheduler``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ScheduledJob"]


class ScheduledJob(models.Model):
    """When a periodic task next runs. The registry creates the row; the system
    administrator may tune ``interval_seconds``, pause it (``enabled``), or set
    ``next_run_at`` to now to run it at the next tick."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    task_path = models.CharField(_("task"), max_length=200)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run"), db_index=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_enqueued_result_id = models.CharField(_("last task result"), max_length=64, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(interval_seconds__gte=1), name="core_scheduledjob_interval"),
        ]

    def __str__(self) -> str:
        from sunshine.core.scheduler import job_label  # the registry imports this model

        return job_label(self.name) or self.name
