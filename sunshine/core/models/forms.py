"""One-time form submissions: the token of each form that filed something, so that the
same submission sent twice (a double click, the back button and "send again") files once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["FormSubmission"]


class FormSubmission(models.Model):
    """A form's one-time token, claimed in the transaction that files the case; a rolled
    back filing frees it again."""

    token = models.CharField(_("token"), max_length=64, unique=True)  # SHA-256 of the form's token, never the token
    # The receipt the filing produced, sealed under a key only the form's token opens
    # (core.forms.receipt_escrow_keep); emptied once the receipt page has shown it.
    sealed_receipt = models.TextField(_("sealed receipt"), blank=True, default="")
    purpose = models.CharField(_("form"), max_length=60)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
