"""The tamper-evident audit log: a hash chain of append-only entries.

Written only by :func:`sunshine.core.audit.audit_record`; checked by
:func:`sunshine.core.audit.audit_verify` (``manage.py audit_verify``). Read only by the
audit administrator (三员分立), never through the Django admin. On PostgreSQL a
trigger (migration ``core.0007``) refuses UPDATE, DELETE and TRUNCATE of entries to
every role but a superuser.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEntry", "AuditEntryQuerySet", "AuditHead", "AuditImmutableError"]

GENESIS_HASH = "0" * 64


class AuditImmutableError(RuntimeError):
    """The audit log is append-only: entries are never changed or deleted in the app."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("audit entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("audit entries cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditImmutableError("audit entries cannot be updated")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditImmutableError("audit entries cannot be updated")

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditImmutableError("audit entries are appended through audit_record() only")

    # Django's deletion collector (e.g. deleting a user) uses _raw_delete for fast deletes.
    def _raw_delete(self, using: Any) -> int:
        raise AuditImmutableError("audit entries cannot be deleted")


AuditEntryManager = models.Manager.from_queryset(AuditEntryQuerySet)


class AuditHead(models.Model):
    """The single row holding the chain's last seq and hash.

    ``audit_record`` locks this row (``SELECT … FOR UPDATE``), so appends from
    concurrent workers are serialised into one linear chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit log head")
        verbose_name_plural = _("audit log head")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="core_audithead_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditEntry(models.Model):
    """One audited action.

    ``data`` holds IDs, codes, states and amounts — never decrypted personal data
    (names, ID numbers, phones, addresses, the text of a petition or report): the log
    outlives any retention period and is read by the audit administrator, who must not
    learn who filed what (PET-9). Pass the object's primary key and let a reader with
    the right access look it up.
    """

    class Alg(models.TextChoices):
        HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"
        HMAC_SM3 = "hmac-sm3", "HMAC-SM3"
        # Unkeyed, before SUNSHINE_AUDIT_KEY: only migration core.0007 reads them.
        SHA256 = "sha256", "SHA-256"
        SM3 = "sm3", "SM3"

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    alg = models.CharField(_("hash algorithm"), max_length=16, choices=Alg.choices)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        constraints = [models.CheckConstraint(condition=Q(seq__gte=1), name="core_auditentry_seq_positive")]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("audit entries cannot be deleted")
