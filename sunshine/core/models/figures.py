"""Snapshots of reported figures: what a figure of the registry measured for a period
and an organisation at a moment. The nightly job takes them, an issued document takes
them when it freezes its figures, so a chart or a document can be shown again "as of"
a past date and reproduces exactly what it showed then.

A breakdown (a figure split by a dimension) is kept the same way under its own key,
``value`` holding its rows; ``numerator`` and ``denominator`` stay empty.

Written only through ``sunshine.core.figures.figures_snapshot`` and
``breakdowns_snapshot``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["FigureSnapshot"]


class FigureSnapshot(models.Model):
    """One figure (registry key) for one period and organisation, as measured at
    ``taken_at``. Numbers are kept as stored by the figure (fen for money)."""

    key = models.CharField(_("figure"), max_length=100)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    taken_at = models.DateTimeField(_("taken at"), db_index=True)
    value = models.JSONField(_("value"), null=True, blank=True)
    numerator = models.JSONField(_("numerator"), null=True, blank=True)
    denominator = models.JSONField(_("denominator"), null=True, blank=True)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        indexes = [
            models.Index(
                fields=["organization", "period_start", "period_end", "key", "-taken_at"],
                name="core_figsnap_lookup",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "organization", "period_start", "period_end", "taken_at"],
                name="core_figsnap_once_per_moment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.taken_at:%Y-%m-%d %H:%M}"
