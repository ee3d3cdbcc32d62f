"""Status changes: the record of every move, and the mixin that guards ``status``.

"Status changes go through one door" (style.md): a stateful model inherits
:class:`StatefulModel`, declares a ``status`` CharField with a ``Status``
TextChoices and an ``ALLOWED`` table (from → allowed targets), and its status only
ever changes through :func:`sunshine.core.transitions.transition`, which records a
:class:`StatusChange`.

The guard: the mixin remembers the status it was loaded with (``from_db``,
``refresh_from_db``, or the last save). ``save()`` on an existing row raises
:class:`StatusAssignmentError` when ``status`` differs from it, and
``QuerySet.update(status=...)`` raises too; a new row may only be created with
one of the model's initial statuses (the field's default unless the model sets
``INITIAL``). ``transition()`` is the only code that writes the column.

No test-only model lives here: the tests exercise the door through
:class:`sunshine.core.models.supervision.Supervision`, a real stateful model.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["StatefulModel", "StatefulQuerySet", "StatusAssignmentError", "StatusChange"]


class StatusAssignmentError(RuntimeError):
    """A programming error: ``status`` was written outside ``transition()``."""


class StatefulQuerySet(models.QuerySet):
    """Refuses ``update(status=...)``: bulk status writes would skip the record."""

    def update(self, **kwargs: Any) -> int:
        if "status" in kwargs:
            raise StatusAssignmentError(
                f"{self.model._meta.label}.status can only change through sunshine.core.transitions.transition()"
            )
        return super().update(**kwargs)

    def _transition_update(self, **kwargs: Any) -> int:
        """The one caller allowed to write ``status`` in bulk: ``transition()``."""
        return super().update(**kwargs)


class StatefulModel(models.Model):
    """Abstract base of every model with a guarded ``status``.

    Subclasses declare::

        class Status(models.TextChoices): ...
        status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
        ALLOWED = {Status.OPEN: frozenset({Status.CLOSED}), Status.CLOSED: frozenset()}
    """

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {}
    # Statuses a new row may be created with; None means "the field's default only".
    INITIAL: ClassVar[frozenset[str] | None] = None

    objects = StatefulQuerySet.as_manager()

    status: str  # each subclass declares the field, with its own choices
    _loaded_status: str | None = None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = self.__dict__.get("status")
        if self._state.adding:
            if status not in self.initial_statuses():
                raise StatusAssignmentError(
                    f"A new {self._meta.label} must start in one of {sorted(self.initial_statuses())}, not {status!r}"
                )
        elif status != self._loaded_status and "status" in self.__dict__:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "status" in update_fields:
                raise StatusAssignmentError(
                    f"{self._meta.label}.status was assigned directly ({self._loaded_status!r} → {status!r}); "
                    "use sunshine.core.transitions.transition()"
                )
        super().save(*args, **kwargs)
        self._loaded_status = self.__dict__.get("status")

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, *, fetch_mode: Any = None) -> Self:
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, using: str | None = None, fields: Any = None, from_queryset: Any = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._loaded_status = self.__dict__.get("status")

    @classmethod
    def initial_statuses(cls) -> frozenset[str]:
        if cls.INITIAL is not None:
            return cls.INITIAL
        return frozenset({cls._status_field().get_default()})

    def status_label(self, value: str | None = None) -> str:
        """The human label of ``value`` (default: the current status)."""
        value = self.__dict__.get("status") if value is None else value
        return str(dict(self._status_field().flatchoices).get(value, value))

    @classmethod
    def _status_field(cls) -> models.Field[Any, Any]:
        field = cls._meta.get_field("status")
        if not isinstance(field, models.Field):  # pragma: no cover - a model definition error
            raise TypeError(f"{cls._meta.label}.status must be a field")
        return field


class StatusChange(models.Model):
    """One move of one object's status: who, when, from, to and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    item = GenericForeignKey("content_type", "object_id")
    old_status = models.CharField(pgettext_lazy("status change", "from"), max_length=32)
    new_status = models.CharField(pgettext_lazy("status change", "to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="core_statuschange_item")]

    def __str__(self) -> str:
        return f"{self.content_type.name} {self.object_id}: {self.old_label} → {self.new_label}"

    def _label(self, value: str) -> str:
        model = self.content_type.model_class()
        if model is None or not issubclass(model, StatefulModel):
            return value
        return str(dict(model._status_field().flatchoices).get(value, value))

    @property
    def old_label(self) -> str:
        """The status moved from, as a person reads it."""
        return self._label(self.old_status)

    @property
    def new_label(self) -> str:
        """The status moved to, as a person reads it."""
        return self._label(self.new_status)
