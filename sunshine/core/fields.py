"""Model fields that keep personal data encrypted at rest (see ``sunshine.core.crypto``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, TextField
from django.db.models.expressions import ExpressionWrapper

from sunshine.core import crypto

__all__ = ["EncryptedTextField", "RotationReport", "encrypted_fields", "field_keys_rotate"]


class EncryptedTextField(models.TextField):
    """A text column stored as ``sx1$<alg>$<keyid>$<base64>``; Python code sees plaintext.

    * Encrypts in :meth:`get_prep_value` (on the way to the database) under the current
      key, bound to ``"<app_label>.<model_name>.<field_name>"``; decrypts in
      :meth:`from_db_value`. A wrong or missing key raises
      :class:`~sunshine.core.crypto.FieldKeyError` / :class:`~sunshine.core.crypto.DecryptionError`
      naming the key id, never the value.
    * ``None`` stays NULL and ``""`` stays empty (only emptiness is visible).
    * The column cannot be searched, ordered or indexed by its content: lookups other
      than ``isnull`` are refused. Keep a :func:`~sunshine.core.crypto.keyed_hash`
      column beside it as a blind index when an exact-match search is needed.
    * Every save writes a fresh nonce, so equal plaintexts never look equal in the DB.
    """

    description = "Text encrypted at rest"

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.context())

    def to_python(self, value: Any) -> str | None:
        # Values from forms and assignments are plaintext; the DB path is from_db_value.
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self.context())

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"{self.context()} is encrypted and does not support the '{lookup_name}' lookup")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        # dumpdata writes plaintext (loaddata encrypts it again): treat such dumps as
        # personal data; database backups keep the ciphertext.
        value = self.value_from_object(obj)
        return str(value) if value else ""


# --- Key rotation ------------------------------------------------------------------------


@dataclass
class RotationReport:
    context: str  # "<app_label>.<model_name>.<field_name>"
    scanned: int = 0
    empty: int = 0  # NULL or ""
    current: int = 0  # already under the current key and cipher
    rotated: int = 0  # re-encrypted (or, with dry_run, would be)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every concrete EncryptedTextField of every installed model (proxies skipped)."""
    found: list[tuple[type[models.Model], EncryptedTextField]] = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.local_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


def field_keys_rotate(*, dry_run: bool = False, batch_size: int = 500) -> list[RotationReport]:
    """Re-encrypt every encrypted value that is not under the current key and cipher.

    Walks each table in primary-key order, ``batch_size`` rows per transaction, locking
    the batch (``select_for_update``) so a concurrent save cannot be overwritten with a
    stale value. Reads the raw column (no decryption on load), decrypts with the key the
    value names, and writes the plaintext back through ``update()``, which encrypts under
    the current key. A column value that is not a token at all (a column just converted
    to EncryptedTextField) is encrypted as it stands. Idempotent: a second run rotates
    nothing. ``dry_run`` decrypts and counts but writes nothing. A value that no
    configured key decrypts stops the run with DecryptionError / FieldKeyError.
    """
    reports: list[RotationReport] = []
    prefix = crypto.PREFIX + "$"
    for model, field in encrypted_fields():
        report = RotationReport(context=field.context())
        manager = model._base_manager
        last_pk: Any = None
        while True:
            with transaction.atomic():
                qs = manager.order_by("pk")
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                if not dry_run:
                    qs = qs.select_for_update()
                rows = list(
                    qs.annotate(_sx_raw=ExpressionWrapper(F(field.attname), output_field=TextField())).values_list(
                        "pk", "_sx_raw"
                    )[:batch_size]
                )
                for pk, raw in rows:
                    report.scanned += 1
                    if raw is None or raw == "":
                        report.empty += 1
                        continue
                    if crypto.is_current(raw):
                        report.current += 1
                        continue
                    plaintext = crypto.decrypt(raw, context=report.context) if raw.startswith(prefix) else raw
                    report.rotated += 1
                    if not dry_run:
                        manager.filter(pk=pk).update(**{field.attname: plaintext})
            if len(rows) < batch_size:
                break
            last_pk = rows[-1][0]
        reports.append(report)
    if not dry_run and any(r.rotated for r in reports):
        from sunshine.core.audit import audit_record

        audit_record(
            actor=None,
            action="core.field_keys_rotate",
            data={
                "key_id": crypto.current_key().key_id,
                "cipher": crypto.current_cipher(),
                "rotated": {r.context: r.rotated for r in reports if r.rotated},
            },
        )
    return reports
