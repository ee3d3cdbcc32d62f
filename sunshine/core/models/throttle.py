"""Counters behind ``core.throttle``: one row per (policy, subject), updated atomically."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ThrottleCounter"]


class ThrottleCounter(models.Model):
    """Attempts of one subject (an address, a code) under one policy. ``key`` is the
    policy's name and a keyed hash of the subject: neither addresses nor codes are
    stored. ``count`` attempts were used since ``window_start``; the next one is
    allowed from ``next_at``."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    count = models.PositiveIntegerField(_("attempts"), default=0)
    window_start = models.DateTimeField(_("window start"))
    next_at = models.DateTimeField(_("next attempt from"), db_index=True)

    class Meta:
        verbose_name = _("throttle counter")
        verbose_name_plural = _("throttle counters")

    def __str__(self) -> str:
        return f"{self.key[:24]} {self.count}"
