"""The administrator's values of LOCAL rules (see ``sunshine.core.local_rules``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LocalRuleValue"]


class LocalRuleValue(models.Model):
    key = models.CharField(_("rule"), max_length=40, unique=True)
    value = models.JSONField(_("value"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.PROTECT
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("local rule value")
        verbose_name_plural = _("local rule values")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
