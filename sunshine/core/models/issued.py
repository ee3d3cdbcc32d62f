"""Documents the bureau or a school issues or publishes (a Word notice, a reply letter,
a bulletin, a brief, a report), kept as records: the number (文号) from a series per
organisation, kind and year, the period it covers, the figures frozen into it, the
exact bytes a person received with their SHA-256, who issued it and when, whether it is
published. Re-issuing makes a new version under the same number; the old one is kept.

Written only through ``sunshine.core.issued``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunshine.core.models.uploads import StoredFile

__all__ = ["DocumentSeries", "IssuedDocument"]


class DocumentSeries(models.Model):
    """The last sequence number used in one series (organisation, kind, year). Taken
    under a row lock, so two workers never give out the same number."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number series")
        verbose_name_plural = _("document number series")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year"], name="core_document_series_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.year}: {self.last}"


class IssuedDocument(models.Model):
    """One version of an issued document. ``kind`` is a key registered by the app that
    issues it (``register_document_kind``); core keeps no list of domains."""

    # What may change on a recorded version: its publication and its being superseded.
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset({"published", "published_at", "superseded_at"})

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("issuing organisation"),
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=80, db_index=True)
    year = models.PositiveSmallIntegerField(_("series year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    reissue_reason = models.TextField(_("reason for re-issuing"), blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    file = models.OneToOneField(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="issued_document"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    item_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item_id = models.CharField(max_length=64, blank=True)
    item = GenericForeignKey("item_type", "item_id")

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["item_type", "item_id"], name="core_issued_item")]
        constraints = [
            # The last guard behind the locked series: one version per number.
            models.UniqueConstraint(
                fields=["organization", "kind", "year", "sequence", "version"], name="core_issued_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True) | Q(version__gt=1, supersedes__isnull=False),
                name="core_issued_version_chain",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="core_issued_period_order",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="core_issued_sequence_positive"),
        ]

    def __str__(self) -> str:
        return self.number if self.version == 1 else f"{self.number} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A recorded version is never rewritten: only its publication and its being
        superseded change, and only through ``update_fields``."""
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise ValueError("an issued document is a record: only its publication may change")
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None
