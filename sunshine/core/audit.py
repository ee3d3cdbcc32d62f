"""The audit log's one writer and its verifier: a tamper-evident hash chain.

Every entry carries ``hash = H(prev_hash ‖ canonical JSON of its fields)`` where H is
SHA-256 or SM3 (``settings.SUNSHINE_AUDIT_HASH``, read at call time; each entry records
its own ``alg``, so the setting can change without breaking the chain). Changing,
deleting or reordering a row breaks the chain at that row, and :func:`audit_verify`
(``manage.py audit_verify``) names the first broken entry.

What callers pass — IDs, not identities. ``data`` must never contain decrypted personal
data (names, ID-card numbers, phones, addresses, the text of a petition or a report):
pass primary keys, codes, states and amounts, e.g.
``audit_record(actor=user, action="petitions.petition_accept", target=petition,
data={"status": "accepted"})``. The target's label is ``target.audit_label`` when the
model defines it, otherwise ``str(target)``: a model whose ``__str__`` shows personal
data must define an ``audit_label`` without it.

Concurrency: :func:`audit_record` locks the single :class:`AuditHead` row
(``SELECT … FOR UPDATE``) inside the caller's transaction, so appends from concurrent
workers on PostgreSQL form one linear chain; the lock is held until the caller's
transaction ends (keep audited transactions short). On SQLite the write lock of an
IMMEDIATE transaction does the same.
"""

from __future__ import annotations

import contextvars
import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.models import AuditEntry, AuditHead
from sunshine.core.models.audit import GENESIS_HASH

__all__ = [
    "AuditRequestMiddleware",
    "VerifyResult",
    "audit_context",
    "audit_entry_list",
    "audit_record",
    "audit_verify",
    "entry_hash",
]

HASH_ALGS = ("sha256", "sm3")
LABEL_MAX = 200

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("sunshine_audit_ip", default=None)


# --- Request context ------------------------------------------------------------------


@contextmanager
def audit_context(*, ip: str | None) -> Iterator[None]:
    """Entries recorded inside this block carry ``ip`` (used by the middleware and tasks)."""
    token = _request_ip.set(_clean_ip(ip))
    try:
        yield
    finally:
        _request_ip.reset(token)


class AuditRequestMiddleware:
    """Makes the client's address (``REMOTE_ADDR``) available to :func:`audit_record`.

    Behind a reverse proxy, let the WSGI server set ``REMOTE_ADDR`` from the trusted
    proxy's header (waitress ``trusted_proxy``); never trust ``X-Forwarded-For`` here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


# --- Hashing --------------------------------------------------------------------------


def _hash_alg() -> str:
    alg = getattr(settings, "SUNSHINE_AUDIT_HASH", "sha256") or "sha256"
    if alg not in HASH_ALGS:
        raise ImproperlyConfigured("SUNSHINE_AUDIT_HASH must be 'sha256' or 'sm3'")
    return alg


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _normalise(value: Any) -> Any:
    """JSON-safe data that survives a database round trip unchanged (jsonb included).

    Dates, decimals and UUIDs become strings (DjangoJSONEncoder); floats become their
    decimal string, because jsonb may rewrite a float's notation (1e+20).
    """
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def entry_hash(
    *,
    alg: str,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    target_label: str,
    data: Any,
    ip: str | None,
) -> str:
    """H(prev_hash ‖ canonical JSON of the entry's fields), hex."""
    body = json.dumps(
        [seq, _iso(at), actor_id, actor_label, action, target_type, target_id, target_label, data, ip, alg],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")
    if alg == "sha256":
        return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
    if alg == "sm3":
        digest = hashes.Hash(hashes.SM3())
        digest.update(prev_hash.encode("ascii") + body)
        return digest.finalize().hex()
    raise ValueError(f"unknown audit hash algorithm {alg!r}")


# --- Writing --------------------------------------------------------------------------


def _locked_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:
        pass
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, seq=last[0] if last else 0, hash=last[1] if last else GENESIS_HASH)
    except IntegrityError:
        pass  # another worker created it first; its lock is taken below
    return AuditHead.objects.select_for_update().get(pk=1)


def _actor_label(actor: Any) -> str:
    username = actor.get_username() if hasattr(actor, "get_username") else ""
    name = str(actor)
    label = name if not username or name == username else f"{name} ({username})"
    return label[:LABEL_MAX]


def audit_record(
    *, actor: Any, action: str, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry to the hash chain. Every service calls this inside its transaction.

    ``actor`` is the user (``None`` or an anonymous user for the system / the public);
    ``action`` is ``"<app>.<noun>_<verb>"``; ``data`` holds IDs and states, never
    decrypted personal data (see the module docstring). Raises ``AuditImmutableError``
    on any later attempt to change the entry.
    """
    if not action or len(action) > 64:
        raise ValueError("audit action must be 1 to 64 characters")
    if data is not None and not isinstance(data, dict):
        raise TypeError("audit data must be a dict")
    actor_obj = actor if getattr(actor, "pk", None) is not None else None
    fields: dict[str, Any] = {
        "actor_label": _actor_label(actor_obj) if actor_obj is not None else "",
        "action": action,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None and target.pk is not None else "",
        "target_label": "",
        "data": _normalise(data or {}),
        "ip": _request_ip.get(),
    }
    if target is not None:
        label = getattr(target, "audit_label", None)
        fields["target_label"] = str(label if label is not None else target)[:LABEL_MAX]
    alg = _hash_alg()
    # No savepoint: the entry belongs to the caller's transaction and fails with it
    # (two round trips fewer per entry on PostgreSQL).
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq = head.seq + 1
        at = timezone.now()
        digest = entry_hash(
            alg=alg,
            prev_hash=head.hash,
            seq=seq,
            at=at,
            actor_id=actor_obj.pk if actor_obj is not None else None,
            **fields,
        )
        entry = AuditEntry(seq=seq, at=at, actor=actor_obj, alg=alg, prev_hash=head.hash, hash=digest, **fields)
        entry.full_clean(validate_unique=False, validate_constraints=False)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest, updated_at=at)
    return entry


# --- Verifying ------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`audit_verify`. ``problem`` is one of ``""`` (ok), ``"altered"``,
    ``"deleted"``, ``"reordered"``, ``"link"`` (prev_hash does not match), ``"head"``."""

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    bad_id: int | None = None
    problem: str = ""
    message: str = ""


_VERIFY_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "data",
    "ip",
    "alg",
    "prev_hash",
    "hash",
)


def _row_problem(rec: dict[str, Any], *, expected: int, prev_hash: str) -> tuple[str, str] | None:
    """(problem, message) for the first thing wrong with one row, or None."""
    pk, seq = rec["id"], rec["seq"]
    if seq != expected:
        if seq > expected:
            return "deleted", _(
                "Entry seq %(seq)s (id %(id)s): sequence gap, expected seq %(expected)s; "
                "entries %(expected)s to %(last)s were deleted."
            ) % {"seq": seq, "id": pk, "expected": expected, "last": seq - 1}
        return "reordered", _("Entry seq %(seq)s (id %(id)s): out of sequence, expected seq %(expected)s.") % {
            "seq": seq,
            "id": pk,
            "expected": expected,
        }
    if rec["prev_hash"] != prev_hash:
        claimed = AuditEntry.objects.filter(hash=rec["prev_hash"]).values_list("seq", flat=True).first()
        if claimed is not None:
            return "reordered", _(
                "Entry seq %(seq)s (id %(id)s): reordered, it was written after the entry "
                "now at seq %(claimed)s, not after seq %(prev)s."
            ) % {"seq": seq, "id": pk, "claimed": claimed, "prev": seq - 1}
        return "link", _(
            "Entry seq %(seq)s (id %(id)s): prev_hash link broken, it does not match the hash "
            "of seq %(prev)s (that entry was altered and its hash rewritten, or replaced)."
        ) % {"seq": seq, "id": pk, "prev": seq - 1}
    try:
        recomputed = entry_hash(
            alg=rec["alg"],
            prev_hash=rec["prev_hash"],
            seq=seq,
            at=rec["at"],
            actor_id=rec["actor_id"],
            actor_label=rec["actor_label"],
            action=rec["action"],
            target_type=rec["target_type"],
            target_id=rec["target_id"],
            target_label=rec["target_label"],
            data=rec["data"],
            ip=rec["ip"],
        )
    except (ValueError, TypeError):
        recomputed = ""
    if recomputed != rec["hash"]:
        return "altered", _("Entry seq %(seq)s (id %(id)s): altered, its content no longer matches its hash.") % {
            "seq": seq,
            "id": pk,
        }
    return None


def audit_verify(*, chunk_size: int = 2000) -> VerifyResult:
    """Walk the chain in seq order (``.iterator()``: constant memory) and check it.

    For each entry: the seq continues the previous one (else rows were deleted), its
    ``prev_hash`` is the previous entry's hash (else rows were reordered, or the
    previous row was altered and its hash rewritten), and its hash recomputes (else the
    row was altered). Finally the head must point at the last entry (else rows were
    deleted at the end). Stops at the FIRST bad entry.
    """
    expected, prev_hash, count = 1, GENESIS_HASH, 0
    rows = AuditEntry.objects.order_by("seq").values_list(*_VERIFY_FIELDS).iterator(chunk_size=chunk_size)
    for row in rows:
        rec = dict(zip(_VERIFY_FIELDS, row, strict=True))
        found = _row_problem(rec, expected=expected, prev_hash=prev_hash)
        if found is not None:
            return VerifyResult(
                ok=False,
                count=count,
                head_seq=count,
                head_hash=prev_hash,
                bad_seq=rec["seq"],
                bad_id=rec["id"],
                problem=found[0],
                message=found[1],
            )
        prev_hash = rec["hash"]
        expected += 1
        count += 1

    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    if head_seq != count or head_hash != prev_hash:
        problem = "deleted" if head_seq > count else "head"
        message = (
            _("The head records seq %(head)s but the chain ends at seq %(count)s: the last entries were deleted.")
            if head_seq > count
            else _("The head (seq %(head)s) does not match the last entry (seq %(count)s).")
        ) % {"head": head_seq, "count": count}
        return VerifyResult(
            ok=False,
            count=count,
            head_seq=count,
            head_hash=prev_hash,
            bad_seq=count + 1 if head_seq > count else head_seq,
            bad_id=None,
            problem=problem,
            message=message,
        )
    return VerifyResult(
        ok=True,
        count=count,
        head_seq=count,
        head_hash=prev_hash,
        message=_("The audit chain is intact: %(count)s entries, head hash %(hash)s.")
        % {"count": count, "hash": prev_hash},
    )


# --- Reading (the audit administrator's page) ------------------------------------------


def audit_entry_list(
    *,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> models.QuerySet[AuditEntry]:
    """Entries newest first, filtered. ``action`` matches a prefix (``"orgs."`` or
    ``"orgs.membership_grant"``), ``actor`` a username or part of the actor's label,
    dates are inclusive local (Asia/Shanghai) days. Callers check ``can_read_audit``."""
    qs = AuditEntry.objects.order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(models.Q(actor__username=actor) | models.Q(actor_label__icontains=actor))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs
