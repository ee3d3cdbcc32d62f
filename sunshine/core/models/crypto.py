"""The encryption canary: a known text stored encrypted, to prove the key set works.

The security administrator's key page calls :func:`sunshine.core.crypto.canary_check`,
which decrypts the ``"default"`` row; ``rotate_field_keys`` moves it to the current key
like every other encrypted value. Tests create further rows with other labels.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.core.fields import EncryptedTextField

__all__ = ["EncryptionCanary"]


class EncryptionCanary(models.Model):
    label = models.CharField(_("label"), max_length=40, unique=True)
    value = EncryptedTextField(_("value"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("encryption canary")
        verbose_name_plural = _("encryption canaries")

    def __str__(self) -> str:
        return self.label

    @classmethod
    def value_context(cls) -> str:
        """The associated-data context of :attr:`value` (``core.encryptioncanary.value``)."""
        field = cls._meta.get_field("value")
        assert isinstance(field, EncryptedTextField)  # noqa: S101
        return field.context()
