"""One throttle for everything the public can repeat: receipt-code guesses (petitions'
tracker, the FOI tracker) and public form submissions.

A :class:`ThrottlePolicy` gives ``free`` attempts in a window, then a growing wait
(``delays``, the last one repeating) — a wait of minutes, never a long lock-out for
everyone behind one address (a school's or a mobile network's NAT). Counters are
:class:`~sunshine.core.models.ThrottleCounter` rows, one per (policy, subject), keyed
by a keyed hash of the subject (no address or code is stored). An attempt is
*reserved* by one conditional ``UPDATE … SET count = count + 1 WHERE count < free OR
next_at <= now``: concurrent requests cannot together exceed the limit, on
PostgreSQL as on SQLite. An attempt that turned out not to be a failure (the right
receipt code) is given back with :func:`throttle_give_back`.

The client's address is :func:`client_address`: ``REMOTE_ADDR``, or — only when
``REMOTE_ADDR`` is one of ``settings.SUNSHINE_TRUSTED_PROXIES`` — the right-most
address of ``X-Forwarded-For`` that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.crypto import keyed_hash
from sunshine.core.models import ThrottleCounter

__all__ = [
    "GUESS_ADDRESS",
    "GUESS_CODE",
    "PUBLIC_FORM",
    "Guess",
    "ThrottleDecision",
    "ThrottlePolicy",
    "Throttled",
    "client_address",
    "form_throttle",
    "guess_checked",
    "guesses_left",
    "ip_clean",
    "submissions_wait",
    "throttle_give_back",
    "throttle_remaining",
    "throttle_take",
    "throttled_extra",
    "wrong_code_message",
    "wrong_codes_wait",
]

_PURPOSE = "core.throttle"


@dataclass(frozen=True)
class ThrottlePolicy:
    """``free`` attempts per ``window`` seconds, then a wait of ``delays[i]`` seconds
    after the (free + i)-th attempt (the last delay repeats). The count restarts when
    the window has passed and no wait is pending."""

    name: str
    free: int
    delays: tuple[int, ...]
    window: int


# Wrong receipt codes from one address: 10 free an hour, then 30 s doubling to 15 min.
GUESS_ADDRESS = ThrottlePolicy("guess-address", free=10, delays=(30, 60, 120, 240, 480, 900), window=3600)
# Wrong guesses at one code, from any address: 5 a day, then 1 min up to an hour.
GUESS_CODE = ThrottlePolicy("guess-code", free=5, delays=(60, 300, 900, 3600), window=86400)
# Public form submissions from one address: 10 an hour, then 1 min up to 15 min.
PUBLIC_FORM = ThrottlePolicy("public-form", free=10, delays=(60, 300, 900), window=3600)


@dataclass(frozen=True)
class ThrottleDecision:
    """One attempt's outcome: ``allowed``; ``remaining`` attempts without a wait;
    ``retry_at`` (when refused) the earliest next attempt."""

    allowed: bool
    remaining: int
    retry_at: datetime | None
    key: str

    @property
    def retry_seconds(self) -> int:
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))


class Throttled(Exception):
    """Refused by a throttle; ``retry_at`` is when to try again."""

    def __init__(self, decision: ThrottleDecision) -> None:
        super().__init__(decision.key)
        self.decision = decision
        self.retry_at = decision.retry_at

    @property
    def retry_seconds(self) -> int:
        return self.decision.retry_seconds


# --- The client's address --------------------------------------------------------------


def ip_clean(ip: str | None) -> str | None:
    """A canonical address (IPv4-mapped IPv6 as IPv4), or None for anything else."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


@lru_cache(maxsize=4)
def _networks(raw: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


def _trusted(address: str) -> bool:
    raw = getattr(settings, "SUNSHINE_TRUSTED_PROXIES", ()) or ()
    if isinstance(raw, str):
        raw = raw.split(",")
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(tuple(raw)))


def client_address(request: HttpRequest) -> str | None:
    """The client's address. ``X-Forwarded-For`` is read only when the connection comes
    from a configured trusted proxy, right to left, stopping at the first address that
    is not a trusted proxy; a forged left-hand part is never reached."""
    remote = ip_clean(request.META.get("REMOTE_ADDR"))
    if remote is None or not _trusted(remote):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = ip_clean(hop)
        if address is None:
            return remote  # a malformed header: keep the proxy's own address
        if not _trusted(address):
            return address
    return remote


# --- Counters ----------------------------------------------------------------------------


def _key(policy: ThrottlePolicy, subject: str) -> str:
    return f"{policy.name}:{keyed_hash(subject, purpose=_PURPOSE)}"


def _row(key: str, now: datetime) -> int:
    row = ThrottleCounter.objects.filter(key=key).values_list("pk", flat=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            pk = ThrottleCounter.objects.create(key=key, count=0, window_start=now, next_at=now).pk
    except IntegrityError:  # created meanwhile by a concurrent attempt
        return ThrottleCounter.objects.get(key=key).pk
    if pk % 100 == 0:  # now and then, forget counters no window or wait still needs
        ThrottleCounter.objects.filter(window_start__lt=now - timedelta(days=2), next_at__lt=now).delete()
    return pk


def throttle_take(policy: ThrottlePolicy, subject: str, *, now: datetime | None = None) -> ThrottleDecision:
    """Reserve one attempt of ``subject`` under ``policy``, atomically (see the module)."""
    now = now or timezone.now()
    key = _key(policy, subject)
    pk = _row(key, now)
    rows = ThrottleCounter.objects.filter(pk=pk)
    # A window that has passed with no wait pending starts again.
    rows.filter(window_start__lte=now - timedelta(seconds=policy.window), next_at__lte=now).update(
        count=0, window_start=now
    )
    waits = [
        When(count=policy.free - 1 + i, then=Value(now + timedelta(seconds=delay)))
        for i, delay in enumerate(policy.delays)
    ]
    next_at = Case(
        When(count__lt=policy.free - 1, then=Value(now)),
        *waits,
        default=Value(now + timedelta(seconds=policy.delays[-1])),
    )
    reserved = rows.filter(Q(count__lt=policy.free) | Q(next_at__lte=now)).update(count=F("count") + 1, next_at=next_at)
    count, retry = rows.values_list("count", "next_at").get()
    if reserved:
        return ThrottleDecision(True, max(0, policy.free - count), None, key)
    return ThrottleDecision(False, 0, retry, key)


def throttle_give_back(decision: ThrottleDecision) -> None:
    """The reserved attempt was not a failure: count it back (a wait it started stays)."""
    if decision.allowed:
        ThrottleCounter.objects.filter(key=decision.key, count__gt=0).update(count=F("count") - 1)


def throttle_remaining(policy: ThrottlePolicy, subject: str) -> int:
    """Attempts ``subject`` has left under ``policy`` before a wait (read only)."""
    now = timezone.now()
    row = ThrottleCounter.objects.filter(key=_key(policy, subject)).values_list("count", "window_start").first()
    if row is None or row[1] <= now - timedelta(seconds=policy.window):
        return policy.free
    return max(0, policy.free - row[0])


# --- Guessing a code ---------------------------------------------------------------------


@dataclass(frozen=True)
class Guess[T]:
    """What :func:`guess_checked` found (or None) and the attempts left to the address."""

    found: T | None
    remaining: int


def guess_checked[T](*, scope: str, code: str, address: str | None, lookup: Callable[[], T | None]) -> Guess[T]:
    """Look up a code a person typed, under the per-address and per-code throttles of
    ``scope`` (e.g. ``"petitions.receipt"``). Raises :class:`Throttled` — even for a
    right code — while a wait is pending; a right code costs no attempt."""
    by_address = throttle_take(GUESS_ADDRESS, f"{scope}|{address or '-'}")
    if not by_address.allowed:
        raise Throttled(by_address)
    by_code = throttle_take(GUESS_CODE, f"{scope}|{code}")
    if not by_code.allowed:
        throttle_give_back(by_address)
        raise Throttled(by_code)
    found = lookup()
    if found is not None:
        throttle_give_back(by_address)
        throttle_give_back(by_code)
        return Guess(found, by_address.remaining + 1)
    return Guess(None, by_address.remaining)


def guesses_left(*, scope: str, address: str | None) -> int:
    """Wrong codes ``address`` may still try under ``scope`` before a wait."""
    return throttle_remaining(GUESS_ADDRESS, f"{scope}|{address or '-'}")


def form_throttle(*, scope: str, address: str | None) -> ThrottleDecision:
    """One public form submission of ``scope`` from ``address``; raises :class:`Throttled`
    beyond :data:`PUBLIC_FORM`. Give it back (:func:`throttle_give_back`) when the
    submission was refused for its content."""
    decision = throttle_take(PUBLIC_FORM, f"{scope}|{address or '-'}")
    if not decision.allowed:
        raise Throttled(decision)
    return decision


def throttled_extra(exc: Throttled) -> dict[str, Any]:
    """Template values for a refusal: the time to come back and the minutes to wait."""
    retry_at = exc.retry_at or timezone.now()
    return {"retry_at": timezone.localtime(retry_at), "retry_minutes": max(1, (exc.retry_seconds + 59) // 60)}


# --- What a person reads -----------------------------------------------------------------


def wrong_code_message(first: str, left: int, *, hotline: str = "") -> str:
    """A wrong code: ``first`` (what was not found), the attempts left before a wait,
    and the number to call when the code is lost."""
    text = first + " " + _("Please check the digits; %(left)s attempts left before a short wait.") % {"left": left}
    if hotline:
        text += " " + _("If you have lost the code, call %(phone)s.") % {"phone": hotline}
    return text


def wrong_codes_wait(exc: Throttled, *, hotline: str = "") -> str:
    """Too many wrong codes: when to come back (minutes, not an hour), and the number to call."""
    extra = throttled_extra(exc)
    text = _(
        "Too many wrong codes. For your protection, please try again after %(time)s (in about %(minutes)s minutes)."
    ) % {
        "time": extra["retry_at"].strftime("%H:%M"),
        "minutes": extra["retry_minutes"],
    }
    if hotline:
        text += " " + _("If you cannot wait, call %(phone)s.") % {"phone": hotline}
    return text


def submissions_wait(exc: Throttled) -> str:
    """Too many submissions of a public form from one address: when to come back."""
    extra = throttled_extra(exc)
    return _(
        "Too many submissions from your connection. Please try again after %(time)s "
        "(in about %(minutes)s minutes); what you wrote is kept below."
    ) % {"time": extra["retry_at"].strftime("%H:%M"), "minutes": extra["retry_minutes"]}
