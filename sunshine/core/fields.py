"""Model fields that keep personal data encrypted at rest (see ``sunshine.core.crypto``)."""

from __future__ import annotations

from typing import Any

from django.db import models

from sunshine.core import crypto

__all__ = ["EncryptedTextField"]


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
        return self.value_from_object(obj) or ""
