"""The full-text search index (see :mod:`sunshine.core.search`).

One :class:`SearchDocument` row per indexed object, keyed by ``(doc_type, object_id)``.
It keeps the text PRE-SEGMENTED into words (tokens joined by single spaces), so both
database engines only ever split on spaces:

* SQLite: an external-content FTS5 table ``core_search_fts`` over ``seg_title``,
  ``seg_body`` and ``seg_terms``, kept in step by triggers;
* PostgreSQL: a generated ``tsvector`` column ``search_vector`` (configuration
  'simple') with a GIN index.

Neither is a Django field: :func:`search_schema_ensure` creates them (called by the
migration ``0003_search`` and again after every ``migrate``, which also covers test
databases built with ``--nomigrations``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_migrate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SearchDocument", "SearchGrant", "search_schema_ensure"]


class SearchDocument(models.Model):
    doc_type = models.CharField(_("type"), max_length=64)
    object_id = models.CharField(_("object"), max_length=64)
    organization_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=64, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    is_public = models.BooleanField(_("public"), default=False, db_index=True)
    seg_title = models.TextField(editable=False, default="")
    seg_body = models.TextField(editable=False, default="")
    seg_terms = models.TextField(editable=False, default="")
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [models.UniqueConstraint(fields=["doc_type", "object_id"], name="core_search_unique_object")]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


class SearchGrant(models.Model):
    """A non-public entry may be read in staff search by members of these organisations."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="grants")
    organization_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("search grant")
        verbose_name_plural = _("search grants")
        constraints = [models.UniqueConstraint(fields=["document", "organization_id"], name="core_search_grant_unique")]
        indexes = [models.Index(fields=["organization_id", "document"], name="core_search_grant_org")]

    def __str__(self) -> str:
        return f"{self.document_id}→{self.organization_id}"


_SQLITE_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5(
        seg_title, seg_body, seg_terms,
        content='core_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS core_search_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(rowid, seg_title, seg_body, seg_terms)
        VALUES (new.id, new.seg_title, new.seg_body, new.seg_terms); END""",
    """CREATE TRIGGER IF NOT EXISTS core_search_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, seg_title, seg_body, seg_terms)
        VALUES ('delete', old.id, old.seg_title, old.seg_body, old.seg_terms); END""",
    """CREATE TRIGGER IF NOT EXISTS core_search_au AFTER UPDATE ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, seg_title, seg_body, seg_terms)
        VALUES ('delete', old.id, old.seg_title, old.seg_body, old.seg_terms);
        INSERT INTO core_search_fts(rowid, seg_title, seg_body, seg_terms)
        VALUES (new.id, new.seg_title, new.seg_body, new.seg_terms); END""",
]

_POSTGRES_SCHEMA = [
    """ALTER TABLE core_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', seg_title), 'A')
            || setweight(to_tsvector('simple', seg_body), 'B')
            || setweight(to_tsvector('simple', seg_terms), 'D')
        ) STORED""",
    "CREATE INDEX IF NOT EXISTS core_search_vector_gin ON core_searchdocument USING gin (search_vector)",
]


def search_schema_ensure(connection: BaseDatabaseWrapper) -> None:
    """Create the engine's full-text structures if missing (idempotent)."""
    if connection.vendor == "sqlite":
        statements = _SQLITE_SCHEMA
    elif connection.vendor == "postgresql":
        statements = _POSTGRES_SCHEMA
    else:  # pragma: no cover - no other engine is supported
        return
    if "core_searchdocument" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "core":
        return
    from django.db import connections

    search_schema_ensure(connections[using])


# Also covers databases built without migrations (pytest --nomigrations).
post_migrate.connect(_after_migrate, dispatch_uid="sunshine.core.search_schema_ensure")
