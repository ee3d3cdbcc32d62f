"""The annual work summary's narrative: what the records cannot know, written by staff
and kept with the document (each issued version freezes the text it printed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnualSummary(models.Model):
    """One bureau's annual work summary of one year: the staff's text per section.
    The issued documents (core records, kind ``reports.annual_summary``) point here."""

    bureau = models.ForeignKey(
        "orgs.Organization", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    narrative = models.JSONField(_("narrative"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual work summary")
        verbose_name_plural = _("annual work summaries")
        constraints = [models.UniqueConstraint(fields=["bureau", "year"], name="reports_summary_once_per_year")]

    def __str__(self) -> str:
        return f"{self.bureau} {self.year}"
