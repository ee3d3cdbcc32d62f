"""Supervision (督办): services and selectors.

A work item (a petition, an FOI request, an opinion event…) is put under
supervision for one clock of rules.md; the due date always comes from
:func:`sunshine.core.clocks.deadline`. One item may run several clocks at once (OPN-1's
major incident: 5 hours and 24 hours), one live supervision per clock, each stopped by
its own act. :func:`supervision_sweep`, run every few minutes by the scheduler,
reminds, escalates, ends pauses that reached their cap and ends display periods.

What a clock allows comes from its definition in ``core.clocks`` (``Clock``):
* extensions (:func:`supervision_extend`): at most ``max_extensions``, granted only by
  a holder of one of its ``grantors`` roles in the responsible unit or above it, never
  once the deadline has passed (PET-5, FOI-3). Each is kept as a
  ``SupervisionExtension`` row: an extension never rewrites history
  (:func:`due_in_force`, :func:`supervision_on_time`);
* pauses (:func:`supervision_pause` / :func:`supervision_resume`): only the kinds the
  clock names; a capped pause stops the clock for at most its cap (FOI-3: a third-party
  consultation, 15 working days), after which the sweep lets the clock run again; a
  restart pause starts the clock afresh when it ends (FOI-2: the correction arrived);
* a minimum display period (``ClockKind.DISPLAY``: FEE-5 notice, ENR-3 publicity) is
  never amber, red or escalated, and cannot be answered or closed before its end; the
  sweep closes it when its period is over.

Apps tell supervision about their items in ``AppConfig.ready()``:
:func:`register_supervised` (the item's page and what kind of thing it is, so the
workbench links every supervision to its object) and
:func:`register_supervision_exclusion` (PET-9: the people and units that must step
aside: no notice, reminder, escalation or overdue notice ever reaches them, escalation
skips their organisations, and they cannot instruct, grant an extension or be handed
the item).

Escalation rule (OVS-1, LOCAL, documented here): once a supervision is RED
(overdue), it is escalated to level 1 (the responsible unit's parent: department →
bureau); each further full allowed period (``due_at − started_at``, extensions
included) that elapses past due adds one level (the parent's parent, e.g. a city
bureau), so level = 1 + ⌊(now − due) / allowed period⌋, capped at the top of the
organisation tree. A level is reached once: the escalated-to organisation's leaders
are notified, and the responsible unit's members get an "overdue" notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM
from sunshine.core.audit import audit_record
from sunshine.core.clocks import (
    SHANGHAI,
    Clock,
    ClockKind,
    Rag,
    clock_get,
    deadline,
    pause_last_day,
    rag,
    rag_changes_at,
)
from sunshine.core.models import Instruction, Notification, Supervision, SupervisionExtension, SupervisionPause
from sunshine.core.notifications import notify
from sunshine.core.transitions import transition
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import UNIT_WORK_ROLES, Membership, Organization, Role

__all__ = [
    "Exclusion",
    "SupervisedKind",
    "SweepResult",
    "due_in_force",
    "register_supervised",
    "register_supervision_exclusion",
    "supervision_answer",
    "supervision_cancel",
    "supervision_close",
    "supervision_exclusion",
    "supervision_extend",
    "supervision_get_active",
    "supervision_instruct",
    "supervision_link",
    "supervision_list_for",
    "supervision_list_of",
    "supervision_on_time",
    "supervision_open",
    "supervision_pause",
    "supervision_pause_open",
    "supervision_rag",
    "supervision_reassign",
    "supervision_reopen",
    "supervision_resume",
    "supervision_sweep",
]

logger = logging.getLogger("sunshine.supervision")

Status = Supervision.Status


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    escalated: int
    resumed: int = 0
    ended: int = 0


# --- registries: what a supervised item is, and who must step aside ---------------------


@dataclass(frozen=True)
class SupervisedKind:
    """How a supervised model shows in the workbench: its label ("FOI request") and
    the URL of one item's page."""

    label: str | Promise
    url: Callable[[Any], str]


@dataclass(frozen=True)
class Exclusion:
    """PET-9: people and units that must never hear of an item (a user holding any
    role in an excluded unit is excluded)."""

    user_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.organization_ids)


NO_EXCLUSION = Exclusion()

_SUPERVISED: dict[str, SupervisedKind] = {}
_EXCLUSIONS: dict[str, Callable[[Any], Exclusion]] = {}


def _label(model_or_label: type[models.Model] | str) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return model_or_label._meta.label_lower


def register_supervised(model: type[models.Model] | str, *, url: Callable[[Any], str], label: str | Promise) -> None:
    """Declare a supervised model (from ``AppConfig.ready()``): the page of one item and
    what kind of thing it is, so every supervision links to its object."""
    _SUPERVISED[_label(model)] = SupervisedKind(label=label, url=url)


def register_supervision_exclusion(model: type[models.Model] | str, fn: Callable[[Any], Exclusion]) -> None:
    """Declare who must step aside from an item of ``model`` (PET-9): ``fn(item)``
    returns an :class:`Exclusion`. Consulted by every notice supervision sends, by
    escalation, and by instructing, extending and reassigning."""
    _EXCLUSIONS[_label(model)] = fn


def _item_label(supervision: Supervision) -> str:
    ct = ContentType.objects.get_for_id(supervision.content_type_id)
    return f"{ct.app_label}.{ct.model}"


def supervision_exclusion(supervision: Supervision) -> Exclusion:
    """The people and units the supervised item must never reach (PET-9)."""
    fn = _EXCLUSIONS.get(_item_label(supervision))
    if fn is None:
        return NO_EXCLUSION
    item = supervision.item
    return fn(item) if item is not None else NO_EXCLUSION


@dataclass(frozen=True)
class SupervisionLink:
    label: str
    url: str


def supervision_link(supervision: Supervision) -> SupervisionLink:
    """What the supervised item is and where its page is (registered by its app; else
    the item's ``get_absolute_url``)."""
    kind = _SUPERVISED.get(_item_label(supervision))
    item = supervision.item
    if kind is not None and item is not None:
        return SupervisionLink(label=str(kind.label), url=str(kind.url(item)))
    get_url = getattr(item, "get_absolute_url", None)
    label = str(item._meta.verbose_name) if item is not None else ""
    return SupervisionLink(label=label, url=str(get_url()) if callable(get_url) else "")


# --- helpers ---------------------------------------------------------------------------


def _excluded_user_ids(exclusion: Exclusion) -> set[int]:
    ids = set(exclusion.user_ids)
    if exclusion.organization_ids:
        ids.update(
            Membership.objects.filter(organization_id__in=exclusion.organization_ids, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return ids


def _members(organization: Organization, *roles: str, exclusion: Exclusion = NO_EXCLUSION) -> list[Any]:
    """Active members of ``organization`` who do its work (holding one of ``roles`` if
    given, else a unit-work role: never a social supervisor or an administrator), each
    once, without anyone ``exclusion`` names (PET-9)."""
    if organization.pk in exclusion.organization_ids:
        return []
    memberships = Membership.objects.filter(
        organization=organization, is_active=True, user__is_active=True, role__in=roles or UNIT_WORK_ROLES
    )
    if exclusion:
        memberships = memberships.exclude(user_id__in=_excluded_user_ids(exclusion))
    users: dict[int, Any] = {}
    for membership in memberships.select_related("user").order_by("user_id"):
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def _is_excluded(user: Any, exclusion: Exclusion) -> bool:
    return bool(exclusion) and getattr(user, "pk", None) in _excluded_user_ids(exclusion)


def _url(supervision: Supervision) -> str:
    return supervision_link(supervision).url


def _lock(queryset: QuerySet[Supervision], *, skip_locked: bool = False) -> Supervision | None:
    """The row, locked (``skip_locked`` where the database supports it; SQLite
    serialises writers and ignores ``select_for_update``)."""
    skip = skip_locked and connection.features.has_select_for_update_skip_locked
    return queryset.select_for_update(skip_locked=skip).first()


def _locked(supervision: Supervision) -> Supervision:
    locked = _lock(Supervision.objects.filter(pk=supervision.pk))
    if locked is None:  # pragma: no cover - deleted under us
        raise Supervision.DoesNotExist
    return locked


def _copy(source: Supervision, target: Supervision) -> Supervision:
    """Bring the caller's instance up to date with the row just saved."""
    for f in Supervision._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _chain(organization: Organization, exclusion: Exclusion = NO_EXCLUSION) -> list[Organization]:
    """The organisations above ``organization``, nearest first (level 1, 2, …),
    skipping any that must step aside (PET-9)."""
    return [o for o in reversed(list(organization.ancestors())) if o.pk not in exclusion.organization_ids]


def _clock(supervision: Supervision) -> Clock:
    return clock_get(supervision.rule_id)


def _is_display(supervision: Supervision) -> bool:
    return _clock(supervision).kind == ClockKind.DISPLAY


def _as_datetime(value: datetime | date | None, default: datetime | None = None) -> datetime:
    if value is None:
        return default or timezone.now()
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError("naive datetime")
        return value
    return datetime.combine(value, time.min, tzinfo=SHANGHAI)


def _local_date(value: datetime) -> date:
    return value.astimezone(SHANGHAI).date()


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).date().isoformat()


# --- selectors ---------------------------------------------------------------------------


def supervision_list_for(user: Any) -> QuerySet[Supervision]:
    """Supervisions of the organisations whose work ``user`` does (a unit-work role),
    plus those escalated to them."""
    orgs = organizations_of(user, *UNIT_WORK_ROLES)
    return (
        Supervision.objects.filter(Q(organization__in=orgs) | Q(escalated_to__in=orgs))
        .select_related("organization", "escalated_to")
        .order_by("due_at", "pk")
    )


def supervision_list_of(item: models.Model) -> QuerySet[Supervision]:
    """Every supervision of ``item``, live or finished, oldest first."""
    return Supervision.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=str(item.pk)
    ).order_by("created_at", "pk")


def supervision_latest_of(model: type[models.Model], pks: Iterable[Any], *, rule_id: str) -> dict[str, Supervision]:
    """The latest supervision for clock ``rule_id`` of each ``model`` row in ``pks`` (live
    or finished), by the row's pk as text: one query for many items, where a figure would
    otherwise ask ``supervision_list_of`` once per item."""
    found: dict[str, Supervision] = {}
    wanted = [str(pk) for pk in pks]
    content_type = ContentType.objects.get_for_model(model)
    for start in range(0, len(wanted), 5000):  # SQLite's limit on a statement's parameters
        rows = Supervision.objects.filter(
            content_type=content_type, object_id__in=wanted[start : start + 5000], rule_id=rule_id
        ).order_by("created_at", "pk")
        for supervision in rows:
            found[supervision.object_id] = supervision  # oldest first: the last one stays
    return found


def supervision_get_active(*, item: models.Model, rule_id: str) -> Supervision | None:
    """The live (open or answered) supervision of ``item`` for clock ``rule_id``, if any."""
    return supervision_list_of(item).filter(rule_id=rule_id, status__in=Supervision.ACTIVE).first()


def supervision_pause_open(supervision: Supervision) -> SupervisionPause | None:
    """The pause stopping the clock now, if any."""
    return supervision.pauses.filter(ended_on__isnull=True).first()


def supervision_rag(supervision: Supervision, now: datetime | None = None) -> Rag:
    """OVS-1: red / amber / green of the supervision at ``now`` (default: now).

    Once the unit has answered or the supervision is closed, the colour is frozen at
    that moment (``finished_at``); while a pause stops the clock, at the pause. A
    minimum display period (FEE-5, ENR-3) is never amber or red."""
    if _is_display(supervision):
        return Rag.GREEN
    at = supervision.finished_at or supervision.paused_since or now or timezone.now()
    return rag(start=supervision.started_at, due=supervision.due_at, now=at)


def supervision_rag_changes_at(supervision: Supervision, now: datetime | None = None) -> datetime | None:
    """When :func:`supervision_rag` may next give another colour (``clocks.rag_changes_at``);
    None while it cannot change by time alone (answered, closed, paused, a display period,
    red)."""
    if _is_display(supervision) or supervision.finished_at or supervision.paused_since:
        return None
    return rag_changes_at(start=supervision.started_at, due=supervision.due_at, now=now or timezone.now())


def _changes(supervision: Supervision) -> list[tuple[datetime, datetime, datetime]]:
    """(when, due before, due after) for every extension granted and pause ended, in order."""
    rows = [(e.granted_at, e.due_before, e.due_after) for e in supervision.extensions.all()]
    rows += [
        (p.resumed_at, p.due_before, p.due_after)
        for p in supervision.pauses.all()
        if p.resumed_at is not None and p.due_after is not None
    ]
    return sorted(rows, key=lambda r: r[0])


def due_in_force(supervision: Supervision, at: datetime) -> datetime:
    """The deadline that was in force at ``at``: the first one, as changed by the
    extensions granted and pauses ended up to then (an extension never rewrites what
    was due before it)."""
    changes = _changes(supervision)
    if not changes:
        return supervision.due_at
    due = changes[0][1]
    for when, _before, after in changes:
        if when > at:
            break
        due = after
    return due


def supervision_on_time(supervision: Supervision, now: datetime | None = None) -> bool:
    """OVS-1 / PET-10: True while the clock never ran past the deadline in force at any
    moment before it was answered or closed (or ``now``, if it still runs). A moment
    when a pause stopped the clock does not count; a later extension does not make a
    late supervision on time."""
    if _is_display(supervision):
        return True
    end = supervision.finished_at or now or timezone.now()
    bounds = [when for when, _b, _a in _changes(supervision) if when < end]
    starts = [supervision.started_at, *bounds]
    stops = [*bounds, end]
    pauses = [(p.paused_at, p.resumed_at or end) for p in supervision.pauses.all()]
    for since, until in zip(starts, stops, strict=True):
        due = due_in_force(supervision, since)
        lo, hi = max(since, due), until
        if lo < hi and not any(p0 <= lo and hi <= p1 for p0, p1 in pauses):
            return False
    return True


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def supervision_open(
    *,
    item: models.Model,
    organization: Organization,
    rule_id: str,
    start: datetime,
    actor: Any,
    title: str,
    due_on: date | None = None,
) -> Supervision:
    """Put ``item`` under supervision of ``organization`` for clock ``rule_id``.

    The due date is ``clocks.deadline(rule_id, start)`` (CAL-2 counting; provisional
    per CAL-1), or the end of ``due_on`` where the rule lets an order set its own date
    (OVS-4: "by the date its order sets"). The unit's members are notified (PET-9: never
    one who must step aside)."""
    try:
        due = deadline(rule_id, start)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if due_on is not None:
        due = replace(due, due=datetime.combine(due_on, time.max, tzinfo=SHANGHAI), due_date=due_on, provisional=False)
    supervision = Supervision(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=str(item.pk),
        organization=organization,
        rule_id=rule_id,
        title=title,
        started_at=due.start,
        due_at=due.due,
        due_provisional=due.provisional,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    exclusion = supervision_exclusion(supervision)
    supervision.full_clean()
    supervision.save()
    audit_record(
        actor=actor,
        action="core.supervision_open",
        target=supervision,
        data={
            "item": f"{supervision.content_type_id}:{supervision.object_id}",
            "organization": organization.pk,
            "rule": rule_id,
            "due": due.due.isoformat(),
        },
    )
    if _is_display(supervision):
        text = _("Displayed under supervision: %(title)s (at least until %(due)s).")
    else:
        text = _("Assigned to your unit under supervision: %(title)s (due %(due)s).")
    notify(
        recipients=_members(organization, exclusion=exclusion),
        verb=Notification.Verb.ASSIGNED,
        text=text % {"title": title, "due": due.due_date.isoformat()},
        url=_url(supervision),
        supervision=supervision,
        organization=organization,
        key="assigned",
    )
    return supervision


def _may_grant(actor: Any, supervision: Supervision, clock: Clock) -> bool:
    """A holder of one of the clock's ``grantors`` roles in the responsible unit or an
    organisation above it (PET-5: its principal or leader, or a bureau leader; FOI-3:
    the office head), who need not step aside (PET-9)."""
    if not clock.grantors or not getattr(actor, "pk", None):
        return False
    org = supervision.organization
    allowed = {org.pk, *(a.pk for a in org.ancestors())}
    if not organizations_of(actor, *clock.grantors).filter(pk__in=allowed).exists():
        return False
    return not _is_excluded(actor, supervision_exclusion(supervision))


def _paused_intervals(supervision: Supervision) -> list[tuple[date, date]]:
    """The ended pauses' days (a restart pause ends where the clock starts again)."""
    return [(p.started_on, p.ended_on) for p in supervision.pauses.all() if p.ended_on is not None and not p.restart]


def _recompute(supervision: Supervision) -> datetime:
    """Set ``due_at`` from the clock, its start, its extensions and ended pauses."""
    try:
        due = deadline(
            supervision.rule_id,
            supervision.started_at,
            extension=supervision.extended_by,
            paused=_paused_intervals(supervision),
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    supervision.due_at = due.due
    supervision.due_provisional = due.provisional
    return due.due


@transaction.atomic
def supervision_extend(*, supervision: Supervision, units: int, actor: Any, reason: str) -> Supervision:
    """Extend an open supervision's deadline by ``units`` of its clock (PET-5, FOI-3).

    The clock's definition says how many extensions it allows (``max_extensions``)
    and who may grant one (``grantors``, in the responsible unit or above it); a
    deadline that has passed cannot be extended; a reason is required; the size and
    the hard ceiling (PET-5: 90 days) are enforced by ``clocks.deadline``. The
    extension is kept as a row (the deadline before and after). A new reminder will be
    sent when the new deadline turns amber."""
    locked = _locked(supervision)
    clock = _clock(locked)
    if locked.status != Status.OPEN:
        raise ValidationError(_("Only an open supervision can be extended."))
    if clock.max_extensions == 0 or clock.extension == 0:
        raise ValidationError(_("The deadline of %(rule)s cannot be extended.") % {"rule": locked.rule_id})
    if not _may_grant(actor, locked, clock):
        raise PermissionDenied(_("Only the head responsible for this unit can grant an extension."))
    if locked.extensions.count() >= clock.max_extensions:
        raise ValidationError(_("This deadline has already been extended as often as its rule allows."))
    now = timezone.now()
    if locked.paused_since is None and now > locked.due_at:
        raise ValidationError(_("The deadline has passed; it can no longer be extended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise ValidationError(_("An extension must be at least one unit of its clock."))
    old_due = locked.due_at
    locked.extended_by += units
    new_due = _recompute(locked)
    locked.reminded_at = None
    locked.full_clean()
    locked.save(update_fields=["extended_by", "due_at", "due_provisional", "reminded_at"])
    SupervisionExtension.objects.create(
        supervision=locked,
        units=units,
        reason=reason.strip(),
        granted_by=actor,
        granted_at=now,
        due_before=old_due,
        due_after=new_due,
    )
    audit_record(
        actor=actor,
        action="core.supervision_extend",
        target=locked,
        data={"units": units, "reason": reason, "from": old_due.isoformat(), "to": new_due.isoformat()},
    )
    return _copy(locked, supervision)


@transaction.atomic
def supervision_pause(
    *, supervision: Supervision, kind: str, actor: Any, reason: str, start: datetime | date | None = None
) -> SupervisionPause:
    """Stop an open supervision's clock from ``start`` (default: now) for a reason its
    clock allows (FOI-3: a third-party consultation, capped at FOI-3-consultation's 15
    working days; FOI-2: the wait for a correction, after which the clock restarts).
    While paused it is neither reminded nor escalated and its colour is frozen."""
    locked = _locked(supervision)
    clock = _clock(locked)
    allowed = clock.pause_get(kind)
    if allowed is None:
        raise ValidationError(_("The deadline of %(rule)s cannot be paused for this.") % {"rule": locked.rule_id})
    if locked.status != Status.OPEN:
        raise ValidationError(_("Only an open supervision can be paused."))
    if locked.paused_since is not None:
        raise ValidationError(_("The clock is already paused."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the pause.")})
    at = _as_datetime(start)
    day = _local_date(at)
    if at < locked.started_at or at > locked.due_at:
        raise ValidationError(_("A pause must start while the clock runs, before its deadline."))
    if locked.pauses.filter(ended_on__gte=day).exists():
        raise ValidationError(_("A pause cannot start before the previous one ended."))
    pause = SupervisionPause(
        supervision=locked,
        kind=kind,
        reason=reason.strip()[:200],
        started_on=day,
        last_day=pause_last_day(allowed.cap, day) if allowed.cap else None,
        restart=allowed.restart,
        started_by=actor if getattr(actor, "pk", None) else None,
        paused_at=at,
        due_before=locked.due_at,
    )
    pause.full_clean()
    pause.save()
    locked.paused_since = at
    locked.save(update_fields=["paused_since"])
    audit_record(
        actor=actor,
        action="core.supervision_pause",
        target=locked,
        data={"kind": kind, "from": day.isoformat(), "cap": pause.last_day.isoformat() if pause.last_day else None},
    )
    _copy(locked, supervision)
    return pause


def _end_pause(locked: Supervision, pause: SupervisionPause, *, end: datetime, capped: bool, actor: Any) -> None:
    day = _local_date(end)
    pause.ended_on = day
    pause.capped = capped
    pause.ended_by = actor if getattr(actor, "pk", None) else None
    pause.resumed_at = timezone.now()
    pause.save(update_fields=["ended_on", "capped", "ended_by", "resumed_at"])
    if pause.restart:
        locked.started_at = end
    _recompute(locked)
    pause.due_after = locked.due_at
    pause.save(update_fields=["due_after"])
    locked.paused_since = None
    if locked.due_at != pause.due_before:
        locked.reminded_at = None
    locked.full_clean()
    locked.save(update_fields=["started_at", "due_at", "due_provisional", "paused_since", "reminded_at"])
    audit_record(
        actor=actor,
        action="core.supervision_resume",
        target=locked,
        data={"kind": pause.kind, "to": day.isoformat(), "capped": capped, "due": locked.due_at.isoformat()},
    )


@transaction.atomic
def supervision_resume(
    *, supervision: Supervision, actor: Any, end: datetime | date | None = None, reason: str = ""
) -> Supervision:
    """The pause ended on ``end`` (default: today): the clock runs again and the due
    date is recomputed through ``clocks.deadline(..., paused=...)``. A pause is never
    longer than its cap: an end after the cap counts as ended on the cap's last day.
    A restart pause (FOI-2) starts the clock afresh from ``end``."""
    locked = _locked(supervision)
    pause = supervision_pause_open(locked)
    if pause is None:
        raise ValidationError(_("The clock is not paused."))
    at = _as_datetime(end)
    day = _local_date(at)
    if day < pause.started_on:
        raise ValidationError(_("A pause cannot end before it started."))
    capped = pause.last_day is not None and day > pause.last_day
    if capped:
        at = _as_datetime(pause.last_day)
    _end_pause(locked, pause, end=at, capped=capped, actor=actor)
    if reason:
        audit_record(actor=actor, action="core.supervision_resume_reason", target=locked, data={"reason": reason})
    return _copy(locked, supervision)


def _may_instruct(author: Any, supervision: Supervision) -> bool:
    """A leader of the responsible unit, of any organisation above it, or of the
    organisation it was escalated to — who need not step aside (PET-9)."""
    if not has_role(author, Role.LEADER):
        return False
    org = supervision.organization
    allowed = {org.pk, *(a.pk for a in org.ancestors())}
    if supervision.escalated_to_id:
        allowed.add(supervision.escalated_to_id)
    if not organizations_of(author, Role.LEADER).filter(pk__in=allowed).exists():
        return False
    return not _is_excluded(author, supervision_exclusion(supervision))


@transaction.atomic
def supervision_instruct(*, supervision: Supervision, author: Any, text: str) -> Instruction:
    """A leader's written instruction (批示) on a live supervision; the unit is notified.

    Only a leader of the responsible unit, of an organisation above it, or of the
    organisation it was escalated to may instruct."""
    if not _may_instruct(author, supervision):
        raise PermissionDenied(_("Only a leader responsible for this unit can give an instruction."))
    locked = _locked(supervision)
    if locked.status not in Supervision.ACTIVE:
        raise ValidationError(_("This supervision is finished; no more instructions can be added."))
    instruction = Instruction(supervision=locked, author=author, text=text.strip())
    instruction.full_clean()
    instruction.save()
    audit_record(
        actor=author,
        action="core.supervision_instruct",
        target=locked,
        data={"instruction": instruction.pk},
    )
    notify(
        recipients=[
            u for u in _members(locked.organization, exclusion=supervision_exclusion(locked)) if u.pk != author.pk
        ],
        verb=Notification.Verb.INSTRUCTION,
        text=_("New instruction on %(title)s: %(text)s") % {"title": locked.title, "text": instruction.text},
        url=_url(locked),
        supervision=locked,
        organization=locked.organization,
        key=f"instruction:{instruction.pk}",
    )
    return instruction


def _refuse_early_end(supervision: Supervision) -> None:
    """FEE-5 / ENR-3: a minimum display period may not end before its last day."""
    if _is_display(supervision) and timezone.now() <= supervision.due_at:
        raise ValidationError(
            _("This must stay displayed until %(due)s; it cannot end earlier.") % {"due": _fmt(supervision.due_at)}
        )


def _stop_pause(supervision: Supervision, actor: Any, at: datetime) -> None:
    """An answer or closing ends an open pause on that day (its days still do not count)."""
    pause = supervision_pause_open(supervision)
    if pause is not None:
        day = _local_date(at)
        if pause.last_day is not None and day > pause.last_day:
            day = pause.last_day
        pause.ended_on = max(day, pause.started_on)
        pause.ended_by = actor if getattr(actor, "pk", None) else None
        pause.resumed_at = at
        pause.save(update_fields=["ended_on", "ended_by", "resumed_at"])
        Supervision.objects.filter(pk=supervision.pk).update(paused_since=None)
        supervision.paused_since = None


def supervision_answer(*, supervision: Supervision, actor: Any, reason: str = "") -> Supervision:
    """The unit has answered: its clock stops (open → answered). A display period
    cannot be answered before its end."""
    _refuse_early_end(supervision)
    now = timezone.now()
    with transaction.atomic():
        _stop_pause(supervision, actor, now)
        transition(supervision, Status.ANSWERED, actor=actor, reason=reason, update={"finished_at": now})
    return supervision


def supervision_reopen(*, supervision: Supervision, actor: Any, reason: str) -> Supervision:
    """The answer is sent back (answered → open); the clock runs again to the same due date."""
    transition(supervision, Status.OPEN, actor=actor, reason=reason, update={"finished_at": None})
    return supervision


def supervision_close(*, supervision: Supervision, actor: Any, reason: str = "") -> Supervision:
    """Close the supervision (办结). An open one stops its clock now. A minimum display
    period (FEE-5, ENR-3) cannot be closed before its end."""
    _refuse_early_end(supervision)
    now = timezone.now()
    update = {} if supervision.finished_at else {"finished_at": now}
    with transaction.atomic():
        _stop_pause(supervision, actor, now)
        transition(supervision, Status.CLOSED, actor=actor, reason=reason, update=update)
    return supervision


def supervision_cancel(*, supervision: Supervision, actor: Any, reason: str) -> Supervision:
    """Cancel an open supervision (opened in error, item withdrawn…); a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    now = timezone.now()
    with transaction.atomic():
        _stop_pause(supervision, actor, now)
        transition(supervision, Status.CANCELLED, actor=actor, reason=reason, update={"finished_at": now})
    return supervision


@transaction.atomic
def supervision_reassign(
    *, supervision: Supervision, organization: Organization, actor: Any, reason: str = ""
) -> Supervision:
    """Hand a live supervision to another unit, keeping its clock and history (start,
    extensions, pauses). An answered one is reopened: the new unit has work to do.
    Escalation starts afresh from the new unit; its members are notified. Refused for
    a unit that must step aside (PET-9)."""
    locked = _locked(supervision)
    if locked.status not in Supervision.ACTIVE:
        raise ValidationError(_("Only a live supervision can be handed to another unit."))
    exclusion = supervision_exclusion(locked)
    if organization.pk in exclusion.organization_ids:
        raise ValidationError(_("This item cannot be handed to this unit (it must step aside)."))
    old = locked.organization_id
    if locked.status == Status.ANSWERED:
        transition(locked, Status.OPEN, actor=actor, reason=reason, update={"finished_at": None})
    locked.organization = organization
    locked.escalation_level = 0
    locked.escalated_to = None
    locked.reminded_at = None
    locked.full_clean()
    locked.save(update_fields=["organization", "escalation_level", "escalated_to", "reminded_at"])
    audit_record(
        actor=actor,
        action="core.supervision_reassign",
        target=locked,
        data={"from": old, "to": organization.pk, "reason": reason},
    )
    notify(
        recipients=_members(organization, exclusion=exclusion),
        verb=Notification.Verb.ASSIGNED,
        text=_("Assigned to your unit under supervision: %(title)s (due %(due)s).")
        % {"title": locked.title, "due": _fmt(locked.due_at)},
        url=_url(locked),
        supervision=locked,
        organization=organization,
        key=f"assigned:{organization.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
    )
    return _copy(locked, supervision)


def _escalation_target(supervision: Supervision, now: datetime) -> int:
    """The level the escalation rule of the module docstring asks for at ``now``."""
    period = supervision.due_at - supervision.started_at
    overdue = now - supervision.due_at
    if period.total_seconds() <= 0:
        return 1
    return 1 + int(overdue / period)


def _sweep_pause(pk: int, now: datetime) -> bool:
    """FOI-3: a capped pause whose last day is over ends; the clock runs again."""
    with transaction.atomic():
        supervision = _lock(Supervision.objects.filter(pk=pk, status=Status.OPEN), skip_locked=True)
        if supervision is None:
            return False
        pause = supervision_pause_open(supervision)
        if pause is None or pause.last_day is None or pause.last_day >= _local_date(now):
            return False
        _end_pause(supervision, pause, end=_as_datetime(pause.last_day), capped=True, actor=None)
        return True


def _sweep_display(pk: int, now: datetime) -> bool:
    """FEE-5 / ENR-3: a display period that is over ends by itself."""
    with transaction.atomic():
        supervision = _lock(Supervision.objects.filter(pk=pk, status=Status.OPEN), skip_locked=True)
        if supervision is None or supervision.due_at >= now:
            return False
        transition(
            supervision,
            Status.CLOSED,
            actor=None,
            reason="display period over",
            update={"finished_at": supervision.due_at},
        )
        return True


def _sweep_one(pk: int, now: datetime) -> tuple[bool, bool]:
    """Remind and/or escalate one supervision; (reminded, escalated)."""
    with transaction.atomic():
        supervision = _lock(Supervision.objects.filter(pk=pk, status=Status.OPEN), skip_locked=True)
        if supervision is None or supervision.paused_since is not None:
            return False, False  # finished meanwhile, held by another sweep, or paused
        colour = rag(start=supervision.started_at, due=supervision.due_at, now=now)
        if colour == Rag.GREEN:
            return False, False
        exclusion = supervision_exclusion(supervision)
        reminded = escalated = False
        fields: list[str] = []
        if colour == Rag.AMBER and supervision.reminded_at is None:
            notify(
                recipients=_members(supervision.organization, exclusion=exclusion),
                verb=Notification.Verb.REMINDER,
                text=_("Deadline approaching: %(title)s is due %(due)s.")
                % {"title": supervision.title, "due": _fmt(supervision.due_at)},
                url=_url(supervision),
                supervision=supervision,
                organization=supervision.organization,
                key=f"due:{supervision.due_at:%Y%m%d%H%M}",
            )
            supervision.reminded_at = now
            fields.append("reminded_at")
            reminded = True
        elif colour == Rag.RED:
            if supervision.reminded_at is None:  # never remind after the fact
                supervision.reminded_at = now
                fields.append("reminded_at")
            chain = _chain(supervision.organization, exclusion)
            level = min(_escalation_target(supervision, now), len(chain))
            if level > supervision.escalation_level:
                target = chain[level - 1]
                supervision.escalation_level = level
                supervision.escalated_to = target
                fields += ["escalation_level", "escalated_to"]
                escalated = True
                key = f"level:{level}"
                url = _url(supervision)
                notify(
                    recipients=_members(target, Role.LEADER, exclusion=exclusion),
                    verb=Notification.Verb.ESCALATED,
                    text=_("Overdue and escalated to your organisation: %(title)s (%(unit)s, due %(due)s).")
                    % {
                        "title": supervision.title,
                        "unit": supervision.organization.name,
                        "due": _fmt(supervision.due_at),
                    },
                    url=url,
                    supervision=supervision,
                    organization=target,
                    key=key,
                )
                notify(
                    recipients=_members(supervision.organization, exclusion=exclusion),
                    verb=Notification.Verb.OVERDUE,
                    text=_("Overdue: %(title)s was due %(due)s and has been escalated to %(to)s.")
                    % {
                        "title": supervision.title,
                        "due": _fmt(supervision.due_at),
                        "to": target.name,
                    },
                    url=url,
                    supervision=supervision,
                    organization=supervision.organization,
                    key=key,
                )
                audit_record(
                    actor=SYSTEM,
                    action="core.supervision_escalate",
                    target=supervision,
                    data={"level": level, "to": target.pk},
                )
        if fields:
            supervision.save(update_fields=fields)
        return reminded, escalated


def _display_rules() -> list[str]:
    from sunshine.core.clocks import CLOCKS

    return [rule for rule, clock in CLOCKS.items() if clock.kind == ClockKind.DISPLAY]


def supervision_sweep(*, now: datetime | None = None) -> SweepResult:
    """End the pauses that reached their cap (FOI-3), end the display periods that are
    over (FEE-5, ENR-3), remind open supervisions that turned AMBER (once per due date)
    and escalate the RED ones (OVS-1; escalation rule in the module docstring).

    Each supervision is handled in its own transaction under a row lock
    (``skip_locked`` on PostgreSQL), and its state (``reminded_at``,
    ``escalation_level``) plus the notifications' unique key make it idempotent:
    two sweeps at once, or one run twice, never send the same notice twice."""
    now = now or timezone.now()
    display = _display_rules()
    open_ = Supervision.objects.filter(status=Status.OPEN)
    capped = (
        open_.filter(paused_since__isnull=False, pauses__ended_on__isnull=True, pauses__last_day__lt=_local_date(now))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    resumed = sum(_sweep_pause(pk, now) for pk in list(capped))
    over = open_.filter(rule_id__in=display, due_at__lt=now).order_by("pk").values_list("pk", flat=True)
    ended = sum(_sweep_display(pk, now) for pk in list(over))
    candidates = (
        open_.filter(paused_since__isnull=True)
        .exclude(rule_id__in=display)
        .filter(Q(reminded_at__isnull=True) | Q(due_at__lt=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    reminded = escalated = 0
    for pk in list(candidates.iterator()):
        did_remind, did_escalate = _sweep_one(pk, now)
        reminded += did_remind
        escalated += did_escalate
    if reminded or escalated or resumed or ended:
        logger.info(
            "supervision sweep: %s reminded, %s escalated, %s pauses ended, %s display periods ended",
            reminded,
            escalated,
            resumed,
            ended,
        )
    return SweepResult(reminded=reminded, escalated=escalated, resumed=resumed, ended=ended)
