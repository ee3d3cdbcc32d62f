"""The one door for status changes (style.md "Status changes go through one door").

:func:`transition` is the only code that writes a :class:`StatefulModel`'s
``status``. It checks the move against the model's ``ALLOWED`` table, refuses a
stale object, records a :class:`StatusChange`, writes an audit entry and sends
:data:`status_changed`.

``status_changed`` is sent inside the transaction (``sender`` = the model class;
``instance``, ``old``, ``new``, ``actor``, ``reason``, ``change``), so a receiver's
own database writes commit or roll back with the move. A receiver with side
effects outside the database (mail, SMS, HTTP) wraps them in
``transaction.on_commit``. Apps connect receivers in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.core.models import StatefulModel, StatusChange

__all__ = [
    "TransitionConflict",
    "TransitionNotAllowed",
    "status_changed",
    "status_history",
    "transition",
]

status_changed = Signal()


class TransitionNotAllowed(ValidationError):
    """The move is not in the model's ``ALLOWED`` table."""


class TransitionConflict(ValidationError):
    """Someone else changed the status since this object was read (stale object)."""


@transaction.atomic
def transition(
    obj: StatefulModel,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    update: Mapping[str, Any] | None = None,
) -> StatusChange:
    """Move ``obj`` to status ``to``.

    Locks the row (``select_for_update``), refuses a move that ``ALLOWED`` does not
    list (:class:`TransitionNotAllowed`) and a stale ``obj`` whose status differs
    from the locked row's (:class:`TransitionConflict`); then writes the status —
    and the fields in ``update``, in the same UPDATE — records the change, audits
    it as ``<app_label>.<model>_transition`` and sends :data:`status_changed`.
    Nothing is written when the move is refused. ``obj`` is updated in place.
    """
    model = type(obj)
    if obj.pk is None:
        raise ValueError("transition() needs a saved object")
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    current = obj.__dict__.get("status")
    if locked.status != current:
        raise TransitionConflict(
            _("This record changed to “%(actual)s” while you were working on it; reload and try again.")
            % {"actual": obj.status_label(locked.status)},
            code="stale",
        )
    allowed = model.ALLOWED.get(current, frozenset())
    if to not in allowed:
        raise TransitionNotAllowed(
            _("The status cannot change from “%(old)s” to “%(new)s”.")
            % {"old": obj.status_label(current), "new": obj.status_label(to)},
            code="not_allowed",
        )
    extra = dict(update or {})
    if "status" in extra:
        raise ValueError("pass the new status as `to`, not in `update`")
    queryset: QuerySet[Any] = model._default_manager.filter(pk=obj.pk)
    values = {"status": to, **extra}
    if hasattr(queryset, "_transition_update"):
        queryset._transition_update(**values)
    else:  # a subclass replaced the manager; the guard in save() still holds
        queryset.update(**values)
    for name, value in extra.items():
        setattr(obj, name, value)
    obj.status = to
    obj._loaded_status = to
    change = StatusChange(
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(obj.pk),
        old_status=current,
        new_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        data=dict(data or {}),
    )
    change.full_clean()
    change.save()
    opts = model._meta
    audit_record(
        actor=actor,
        action=f"{opts.app_label}.{opts.model_name}_transition",
        target=obj,
        data={"from": current, "to": to, "reason": reason, **dict(data or {})},
    )
    status_changed.send(sender=model, instance=obj, old=current, new=to, actor=actor, reason=reason, change=change)
    return change


def status_history(obj: StatefulModel) -> QuerySet[StatusChange]:
    """Every status change of ``obj``, oldest first."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).order_by("at", "pk")
