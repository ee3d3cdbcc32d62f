"""Notifications: one :class:`Notification` row per recipient (the in-app inbox),
then a copy through every configured notifier.

``SUNSHINE_NOTIFIERS`` lists dotted paths of callables ``send(notification) -> None``
(default: ``["sunshine.core.notifications.in_app"]``, which only logs, since the
row already is the in-app message). E-mail or SMS senders are added to that list
later. Notifiers run after the transaction commits, one failure never stops the
others, and every send is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from sunshine.core.models import Notification, Supervision

__all__ = ["in_app", "notification_mark_read", "notifications_unread", "notifiers", "notify"]

logger = logging.getLogger("sunshine.notifications")

DEFAULT_NOTIFIERS = ["sunshine.core.notifications.in_app"]


def in_app(notification: Notification) -> None:
    """The in-app channel: the row is the message; nothing more to deliver."""


def notifiers() -> list[Callable[[Notification], None]]:
    return [import_string(path) for path in getattr(settings, "SUNSHINE_NOTIFIERS", DEFAULT_NOTIFIERS)]


def _deliver(notifications: list[Notification]) -> None:
    for send in notifiers():
        name = f"{send.__module__}.{send.__qualname__}"
        for notification in notifications:
            try:
                send(notification)
            except Exception:
                logger.exception("notifier %s failed for notification %s", name, notification.pk)
            else:
                logger.info(
                    "sent %s notification %s to user %s via %s",
                    notification.verb,
                    notification.pk,
                    notification.recipient_id,
                    name,
                )


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    verb: str,
    text: str,
    url: str = "",
    supervision: Supervision | None = None,
    organization: Any = None,
    key: str = "",
) -> list[Notification]:
    """Send ``text`` to each recipient (each user once) and return the rows created.

    For a supervision, (recipient, supervision, verb, key) is unique: a repeat —
    from a second sweep running at the same time, say — is skipped, not sent twice.
    """
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        fields = {"text": text[:500], "url": url, "organization": organization}
        try:
            with transaction.atomic():
                if supervision is not None:
                    notification, made = Notification.objects.get_or_create(
                        recipient=user, supervision=supervision, verb=verb, key=key, defaults=fields
                    )
                else:
                    notification, made = Notification.objects.create(recipient=user, verb=verb, key=key, **fields), True
        except IntegrityError:  # a concurrent sender won the race
            continue
        if made:
            created.append(notification)
    if created:
        transaction.on_commit(partial(_deliver, created))
    return created


def notifications_unread(user: Any) -> QuerySet[Notification]:
    """The user's unread notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-pk")


def notification_mark_read(*, user: Any, notification: Notification) -> None:
    """Mark one of the user's own notifications as read (nobody else's)."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
