"""The audit log's one writer and its verifier: a keyed, tamper-evident hash chain.

Every entry carries ``hash = HMAC(K, prev_hash ‖ canonical JSON of its fields)`` with
HMAC-SHA256 or HMAC-SM3 (``settings.SUNSHINE_AUDIT_HASH`` picks the digest, read at
call time; each entry records its own ``alg``, so the setting can change without
breaking the chain). ``K`` is derived (HKDF) from ``settings.SUNSHINE_AUDIT_KEY``, a
secret kept outside the database: whoever can write the database but does not hold
the key cannot recompute a chain after changing it. Changing, deleting or reordering
a row breaks the chain at that row, and :func:`audit_verify` (``manage.py
audit_verify``) names the first broken entry.

What the chain alone cannot show — the newest entries removed and the head moved
back, the whole log wiped, or the chain recomputed by someone who holds the key — an
anchor shows: :func:`audit_anchor_export` (``manage.py audit_anchor``, and the
periodic ``audit-anchor`` job) writes the head's sequence number and hash, signed
with a second key derived from the same secret, to a file the audit administrator
keeps outside the database; ``audit_verify(anchor=...)`` (``manage.py audit_verify
--anchor FILE``) then requires the chain to reach that entry with that hash. An empty
log never verifies.

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
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.models import AuditEntry, AuditHead
from sunshine.core.models.audit import GENESIS_HASH
from sunshine.core.throttle import client_address, ip_clean

__all__ = [
    "AuditAnchor",
    "AuditRequestMiddleware",
    "VerifyResult",
    "audit_anchor_export",
    "audit_anchor_load",
    "audit_anchor_write",
    "audit_context",
    "audit_entry_list",
    "audit_public",
    "audit_record",
    "audit_verify",
    "entry_hash",
]

HASH_ALGS = ("sha256", "sm3")
# What entries record: the keyed algorithms. The unkeyed ones are only read by the
# migration that re-keys a chain written before the key existed.
KEYED_ALGS = {"sha256": "hmac-sha256", "sm3": "hmac-sm3"}
LEGACY_ALGS = frozenset(HASH_ALGS)
ANCHOR_FORMAT = "sunshine-audit-anchor/1"
LABEL_MAX = 200

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("sunshine_audit_ip", default=None)
_public: contextvars.ContextVar[bool] = contextvars.ContextVar("sunshine_audit_public", default=False)


# --- Request context ------------------------------------------------------------------


@contextmanager
def audit_context(*, ip: str | None) -> Iterator[None]:
    """Entries recorded inside this block carry ``ip`` (used by the middleware and tasks)."""
    token = _request_ip.set(_clean_ip(ip))
    try:
        yield
    finally:
        _request_ip.reset(token)


@contextmanager
def audit_public() -> Iterator[None]:
    """A member of the public acts: entries recorded inside this block carry neither the
    client's address nor the account, whatever the caller passes as ``actor`` and
    whatever :func:`audit_context` says inside it. Every public action on a case
    (filing a petition, writing back, rating, applying for review, an FOI request, a
    fee complaint handed over through ``core.seams.petition_intake``) runs inside it,
    so the permanent log cannot tie a case to an address or a citizen's account (the
    case itself keeps what the filer chose to give, under its own access rules). Also
    a decorator (``@audit_public()``)."""
    token_ip = _request_ip.set(None)
    token_public = _public.set(True)
    try:
        yield
    finally:
        _public.reset(token_public)
        _request_ip.reset(token_ip)


class AuditRequestMiddleware:
    """Makes the client's address (``core.throttle.client_address``: ``REMOTE_ADDR``,
    or the forwarded address when the connection comes from a proxy listed in
    ``SUNSHINE_TRUSTED_PROXIES``) available to :func:`audit_record`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(ip=client_address(request)):
            return self.get_response(request)


_clean_ip = ip_clean


# --- Hashing --------------------------------------------------------------------------


def _hash_alg() -> str:
    """The algorithm new entries record: HMAC over the configured digest."""
    alg = getattr(settings, "SUNSHINE_AUDIT_HASH", "sha256") or "sha256"
    if alg not in HASH_ALGS:
        raise ImproperlyConfigured("SUNSHINE_AUDIT_HASH must be 'sha256' or 'sm3'")
    return KEYED_ALGS[alg]


@lru_cache(maxsize=8)
def _derive(secret: str, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"sunshine audit {label}".encode()).derive(
        secret.encode("utf-8")
    )


def _audit_key(label: str) -> bytes:
    """A 32-byte key for ``label`` ("chain" or "anchor"), derived from SUNSHINE_AUDIT_KEY."""
    secret = getattr(settings, "SUNSHINE_AUDIT_KEY", "")
    if not secret:
        raise ImproperlyConfigured("SUNSHINE_AUDIT_KEY is not set")
    return _derive(str(secret), label)


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
    """HMAC(chain key, prev_hash ‖ canonical JSON of the entry's fields), hex; for the
    unkeyed algorithms of chains written before the key existed, H(…) alone."""
    body = json.dumps(
        [seq, _iso(at), actor_id, actor_label, action, target_type, target_id, target_label, data, ip, alg],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")
    message = prev_hash.encode("ascii") + body
    if alg == "hmac-sha256":
        return hmac.new(_audit_key("chain"), message, hashlib.sha256).hexdigest()
    if alg == "hmac-sm3":
        mac = crypto_hmac.HMAC(_audit_key("chain"), hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    if alg == "sha256":
        return hashlib.sha256(message).hexdigest()
    if alg == "sm3":
        digest = hashes.Hash(hashes.SM3())
        digest.update(message)
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

    ``actor`` is the user (``None`` or an anonymous user for the system / the public;
    inside :func:`audit_public` neither the actor nor the address is recorded);
    ``action`` is ``"<app>.<noun>_<verb>"``; ``data`` holds IDs and states, never
    decrypted personal data (see the module docstring). Raises ``AuditImmutableError``
    on any later attempt to change the entry.
    """
    if not action or len(action) > 64:
        raise ValueError("audit action must be 1 to 64 characters")
    if data is not None and not isinstance(data, dict):
        raise TypeError("audit data must be a dict")
    public = _public.get()
    actor_obj = actor if getattr(actor, "pk", None) is not None and not public else None
    fields: dict[str, Any] = {
        "actor_label": _actor_label(actor_obj) if actor_obj is not None else "",
        "action": action,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None and target.pk is not None else "",
        "target_label": "",
        "data": _normalise(data or {}),
        "ip": None if public else _request_ip.get(),
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
    ``"deleted"``, ``"reordered"``, ``"link"`` (prev_hash does not match), ``"head"``,
    ``"empty"`` (no entries at all), and against an anchor ``"wiped"``, ``"truncated"``
    (the chain ends before the anchored entry) or ``"rewritten"`` (the anchored entry
    has another hash)."""

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    bad_id: int | None = None
    problem: str = ""
    message: str = ""


@dataclass(frozen=True)
class AuditAnchor:
    """A signed statement that the chain had entry ``seq`` with ``hash`` at ``at``."""

    seq: int
    hash: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"format": ANCHOR_FORMAT, "seq": self.seq, "hash": self.hash, "at": _iso(self.at)}


def _anchor_signature(fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(_audit_key("anchor"), body, hashlib.sha256).hexdigest()


def audit_anchor_export() -> dict[str, Any]:
    """The head of the chain (sequence, hash, time), signed: for the audit
    administrator to keep outside the database. Refuses a chain that does not verify
    (an anchor of a tampered chain would vouch for the tampering)."""
    result = audit_verify()
    if not result.ok:
        raise ValueError(result.message)
    anchor = AuditAnchor(seq=result.head_seq, hash=result.head_hash, at=timezone.now())
    fields = anchor.as_dict()
    return {**fields, "signature": _anchor_signature(fields)}


def audit_anchor_load(text: str) -> AuditAnchor:
    """Parse and check an anchor file's content. Raises ValueError when it is not an
    anchor or its signature does not match (altered, or made under another key)."""
    try:
        raw = json.loads(text)
        fields = {key: raw[key] for key in ("format", "seq", "hash", "at")}
        signature = str(raw["signature"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(_("This is not an audit anchor file.")) from exc
    if fields["format"] != ANCHOR_FORMAT or not isinstance(fields["seq"], int) or fields["seq"] < 1:
        raise ValueError(_("This is not an audit anchor file."))
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _anchor_signature(fields).encode("ascii")):
        raise ValueError(_("The anchor's signature does not match: the file was altered or made under another key."))
    return AuditAnchor(seq=fields["seq"], hash=str(fields["hash"]), at=datetime.fromisoformat(fields["at"]))


def audit_anchor_write(directory: Path) -> Path | None:
    """Write a signed anchor into ``directory`` (the periodic export); returns the file
    written, or None when the chain is empty or does not verify (nothing worth
    vouching for; ``audit_verify`` reports why)."""
    try:
        anchor = audit_anchor_export()
    except ValueError:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"audit-anchor-{stamp}-seq{anchor['seq']}.json"
    path.write_text(json.dumps(anchor, indent=2) + "\n", encoding="utf-8")
    return path


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
    if rec["alg"] not in KEYED_ALGS.values():
        recomputed = ""  # an unkeyed hash: anyone could have computed it
    else:
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
    if not hmac.compare_digest(recomputed.encode("ascii"), str(rec["hash"]).encode("ascii", "replace")):
        return "altered", _("Entry seq %(seq)s (id %(id)s): altered, its content no longer matches its hash.") % {
            "seq": seq,
            "id": pk,
        }
    return None


def _failed(count: int, prev_hash: str, problem: str, message: str, **extra: Any) -> VerifyResult:
    return VerifyResult(
        ok=False, count=count, head_seq=count, head_hash=prev_hash, problem=problem, message=message, **extra
    )


def audit_verify(*, chunk_size: int = 2000, anchor: AuditAnchor | None = None) -> VerifyResult:
    """Walk the chain in seq order (``.iterator()``: constant memory) and check it.

    For each entry: the seq continues the previous one (else rows were deleted), its
    ``prev_hash`` is the previous entry's hash (else rows were reordered, or the
    previous row was altered and its hash rewritten), and its keyed hash recomputes
    (else the row was altered, or rewritten by someone without the key). The head must
    point at the last entry (else rows were deleted at the end). An empty log is never
    intact. With an ``anchor``, the chain must also hold the anchored entry with the
    anchored hash (else it was wiped, truncated with the head moved back, or rewritten
    and recomputed). Stops at the FIRST bad entry.
    """
    expected, prev_hash, count = 1, GENESIS_HASH, 0
    rows = AuditEntry.objects.order_by("seq").values_list(*_VERIFY_FIELDS).iterator(chunk_size=chunk_size)
    for row in rows:
        rec = dict(zip(_VERIFY_FIELDS, row, strict=True))
        found = _row_problem(rec, expected=expected, prev_hash=prev_hash)
        if found is not None:
            return _failed(count, prev_hash, found[0], found[1], bad_seq=rec["seq"], bad_id=rec["id"])
        if anchor is not None and rec["seq"] == anchor.seq and rec["hash"] != anchor.hash:
            return _failed(
                count,
                prev_hash,
                "rewritten",
                _(
                    "Entry seq %(seq)s (id %(id)s) does not have the hash the anchor of %(at)s records: "
                    "the chain was rewritten and recomputed."
                )
                % {"seq": rec["seq"], "id": rec["id"], "at": _iso(anchor.at)},
                bad_seq=rec["seq"],
                bad_id=rec["id"],
            )
        prev_hash = rec["hash"]
        expected += 1
        count += 1

    if count == 0:
        if anchor is not None:
            message = _("The audit log is empty, but the anchor of %(at)s records %(seq)s entries: it was wiped.")
            return _failed(0, prev_hash, "wiped", message % {"at": _iso(anchor.at), "seq": anchor.seq}, bad_seq=1)
        return _failed(
            0,
            prev_hash,
            "empty",
            _("The audit log is empty: a platform in use always has entries, so it may have been wiped."),
            bad_seq=1,
        )
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    if head_seq != count or head_hash != prev_hash:
        problem = "deleted" if head_seq > count else "head"
        message = (
            _("The head records seq %(head)s but the chain ends at seq %(count)s: the last entries were deleted.")
            if head_seq > count
            else _("The head (seq %(head)s) does not match the last entry (seq %(count)s).")
        ) % {"head": head_seq, "count": count}
        return _failed(count, prev_hash, problem, message, bad_seq=count + 1 if head_seq > count else head_seq)
    if anchor is not None and count < anchor.seq:
        message = _(
            "The chain ends at seq %(count)s, but the anchor of %(at)s records seq %(seq)s: "
            "the newest entries were removed and the head moved back."
        ) % {"count": count, "at": _iso(anchor.at), "seq": anchor.seq}
        return _failed(count, prev_hash, "truncated", message, bad_seq=count + 1)
    message = _("The audit chain is intact: %(count)s entries, head hash %(hash)s.") % {
        "count": count,
        "hash": prev_hash,
    }
    if anchor is not None:
        message += " " + _("It holds the anchored entry seq %(seq)s of %(at)s.") % {
            "seq": anchor.seq,
            "at": _iso(anchor.at),
        }
    return VerifyResult(ok=True, count=count, head_seq=count, head_hash=prev_hash, message=message)


def audit_rekey(*, entries: Any, heads: Any) -> int:
    """Re-key a chain written before the audit key existed (used by migration
    ``core.0007``): every unkeyed entry must still verify under its unkeyed hash —
    re-keying a tampered chain would launder the tampering, so a broken chain stops
    the run — and is then rewritten under the keyed algorithm, in order. ``entries``
    and ``heads`` are the (historical) managers of AuditEntry and AuditHead. Returns
    the number of entries re-keyed."""
    prev_old, prev_new, rekeyed = GENESIS_HASH, GENESIS_HASH, 0
    while True:
        batch = list(entries.filter(seq__gt=rekeyed).order_by("seq")[:2000])
        for entry in batch:
            fields = {
                "seq": entry.seq,
                "at": entry.at,
                "actor_id": entry.actor_id,
                "actor_label": entry.actor_label,
                "action": entry.action,
                "target_type": entry.target_type,
                "target_id": entry.target_id,
                "target_label": entry.target_label,
                "data": entry.data,
                "ip": entry.ip,
            }
            if entry.seq != rekeyed + 1 or entry.prev_hash != prev_old:
                raise ValueError(f"audit chain broken at seq {entry.seq}: not re-keyed; investigate with audit_verify")
            if entry.alg not in LEGACY_ALGS:
                raise ValueError(f"audit entry seq {entry.seq} is already keyed")
            if entry_hash(alg=entry.alg, prev_hash=entry.prev_hash, **fields) != entry.hash:
                raise ValueError(
                    f"audit entry seq {entry.seq} was altered: not re-keyed; investigate with audit_verify"
                )
            alg = KEYED_ALGS[entry.alg]
            new_hash = entry_hash(alg=alg, prev_hash=prev_new, **fields)
            entries.filter(pk=entry.pk).update(alg=alg, prev_hash=prev_new, hash=new_hash)
            prev_old, prev_new, rekeyed = entry.hash, new_hash, rekeyed + 1
        if len(batch) < 2000:
            break
    head = heads.filter(pk=1).values_list("seq", "hash").first()
    if head is not None and tuple(head) != (rekeyed, prev_old):
        raise ValueError(f"audit head (seq {head[0]}) does not match the last entry (seq {rekeyed}): not re-keyed")
    heads.filter(pk=1).update(seq=rekeyed, hash=prev_new)
    return rekeyed


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
