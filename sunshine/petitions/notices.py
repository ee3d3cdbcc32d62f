"""Notices to the filer (PET-3, PET-5, PET-8 and every reply).

Every notice is first a :class:`~sunshine.petitions.models.Message` TO_FILER, which the
tracking page always shows (the filer reads it with the receipt code). Then, after the
transaction commits, each sender listed in ``SUNSHINE_FILER_NOTIFIERS`` (dotted paths
of callables ``send(*, petition, message, kind) -> None``) delivers a copy by the
channel the filer gave (e-mail, SMS). The default sender, :func:`log_only`, writes one
log line with the case number and the kind — never the filer's identity nor the text.
Each delivery is recorded as a :class:`~sunshine.petitions.models.FilerNotice`
(sent / failed). A real sender reads the contact from ``petition.identity`` in memory;
it must not log it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from sunshine.petitions.models import FilerNotice, Message, Petition

__all__ = ["DEFAULT_FILER_NOTIFIERS", "filer_notice", "filer_notifiers", "log_only"]

logger = logging.getLogger("sunshine.petitions.notices")

DEFAULT_FILER_NOTIFIERS = ["sunshine.petitions.notices.log_only"]

Sender = Callable[..., None]


def log_only(*, petition: Petition, message: Message, kind: str) -> None:
    """The default channel: the tracking page already shows the message; log a safe line."""
    logger.info("filer notice %s for case %s (message %s)", kind, petition.number, message.pk)


def filer_notifiers() -> list[Sender]:
    return [import_string(path) for path in getattr(settings, "SUNSHINE_FILER_NOTIFIERS", DEFAULT_FILER_NOTIFIERS)]


def _deliver(petition_pk: int, message_pk: int, kind: str) -> None:
    petition = Petition.objects.get(pk=petition_pk)
    message = Message.objects.get(pk=message_pk)
    for send in filer_notifiers():
        name = f"{send.__module__}.{send.__qualname__}"
        try:
            send(petition=petition, message=message, kind=kind)
        except Exception:
            # The exception may carry an address: log its type only.
            logger.error("filer notifier %s failed for case %s (%s)", name, petition.number, kind)
            status = FilerNotice.Status.FAILED
        else:
            status = FilerNotice.Status.SENT
        FilerNotice.objects.create(petition=petition, message=message, kind=kind, channel=name[:200], status=status)


def filer_notice(*, petition: Petition, kind: str, text: str, actor: Any = None) -> Message:
    """Write ``text`` to the filer (a TO_FILER message, shown on the tracking page) and
    send copies through the configured senders once the transaction commits."""
    if kind not in FilerNotice.Kind.values:
        raise ValueError(f"unknown filer notice kind {kind!r}")
    message = Message(
        petition=petition,
        direction=Message.Direction.TO_FILER,
        author=actor if getattr(actor, "pk", None) else None,
        text=text,
    )
    message.full_clean()
    message.save()
    transaction.on_commit(partial(_deliver, petition.pk, message.pk, kind))
    return message
