"""Checks of raw input that every entry point shares (API schemas, forms, services):
text that cannot be stored (a lone UTF-16 surrogate from JSON's ``\\ud800``) and
moments that cannot be true (no time zone, before a floor, in the future)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = ["CLOCK_SKEW", "receipt_time_error", "text_error"]

# How far ahead of our clock another system's "now" may run.
CLOCK_SKEW = timedelta(minutes=5)


def text_error(value: str) -> str | None:
    """A message when ``value`` cannot be stored as UTF-8 text (a lone surrogate), else None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text contains characters that cannot be recognised; type it again.")
    return None


def receipt_time_error(value: datetime, *, earliest: datetime, now: datetime | None = None) -> str | None:
    """A message when ``value`` has no time zone, is before ``earliest`` or is in the
    future (allowing ``CLOCK_SKEW``), else None."""
    if timezone.is_naive(value):
        return _("Give the time with its time zone (for example 2026-09-01T10:00:00+08:00).")
    now = now or timezone.now()
    if value > now + CLOCK_SKEW:
        return _("The time of receipt cannot be in the future.")
    if value < earliest:
        return _("The time of receipt cannot be before %(date)s.") % {
            "date": timezone.localtime(earliest).date().isoformat()
        }
    return None
