"""Supervision (督办): services and selectors.

A work item (a petition, an FOI request, an opinion event…) is put under
supervision for one clock of rules.md; the due date always comes from
:func:`sunshine.core.clocks.deadline`. :func:`supervision_sweep`, run every few
minutes by the scheduler, reminds and escalates.

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM
from sunshine.core.audit import audit_record
from sunshine.core.clocks import Rag, deadline, rag
from sunshine.core.models import Instruction, Notification, Supervision
from sunshine.core.notifications import notify
from sunshine.core.transitions import transition
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Membership, Organization, Role

__all__ = [
    "SweepResult",
    "supervision_answer",
    "supervision_cancel",
    "supervision_close",
    "supervision_extend",
    "supervision_get_active",
    "supervision_instruct",
    "supervision_list_for",
    "supervision_open",
    "supervision_rag",
    "supervision_reopen",
    "supervision_sweep",
]

logger = logging.getLogger("sunshine.supervision")

Status = Supervision.Status


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    escalated: int


# --- helpers ---------------------------------------------------------------------------


def _members(organization: Organization, *roles: str) -> list[Any]:
    """Active members of ``organization`` (holding one of ``roles`` if given), each once."""
    memberships = Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    users: dict[int, Any] = {}
    for membership in memberships.select_related("user").order_by("user_id"):
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def _url(supervision: Supervision) -> str:
    item = supervision.item
    get_url = getattr(item, "get_absolute_url", None)
    return str(get_url()) if callable(get_url) else ""


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


def _chain(organization: Organization) -> list[Organization]:
    """The organisations above ``organization``, nearest first (level 1, 2, …)."""
    return list(reversed(list(organization.ancestors())))


# --- selectors ---------------------------------------------------------------------------


def supervision_list_for(user: Any) -> QuerySet[Supervision]:
    """Supervisions of the organisations ``user`` belongs to, plus those escalated to them."""
    orgs = organizations_of(user)
    return (
        Supervision.objects.filter(Q(organization__in=orgs) | Q(escalated_to__in=orgs))
        .select_related("organization", "escalated_to")
        .order_by("due_at", "pk")
    )


def supervision_get_active(*, item: models.Model, rule_id: str) -> Supervision | None:
    """The live (open or answered) supervision of ``item`` for clock ``rule_id``, if any."""
    return Supervision.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=str(item.pk),
        rule_id=rule_id,
        status__in=Supervision.ACTIVE,
    ).first()


def supervision_rag(supervision: Supervision, now: datetime | None = None) -> Rag:
    """OVS-1: red / amber / green of the supervision at ``now`` (default: now).

    Once the unit has answered or the supervision is closed, the colour is frozen at
    that moment (``finished_at``)."""
    at = supervision.finished_at or now or timezone.now()
    return rag(start=supervision.started_at, due=supervision.due_at, now=at)


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def supervision_open(
    *, item: models.Model, organization: Organization, rule_id: str, start: datetime, actor: Any, title: str
) -> Supervision:
    """Put ``item`` under supervision of ``organization`` for clock ``rule_id``.

    The due date is ``clocks.deadline(rule_id, start)`` (CAL-2 counting; provisional
    per CAL-1). The unit's members are notified."""
    try:
        due = deadline(rule_id, start)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
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
    notify(
        recipients=_members(organization),
        verb=Notification.Verb.ASSIGNED,
        text=_("Assigned to your unit under supervision: %(title)s (due %(due)s).")
        % {"title": title, "due": due.due_date.isoformat()},
        url=_url(supervision),
        supervision=supervision,
        organization=organization,
        key="assigned",
    )
    return supervision


@transaction.atomic
def supervision_extend(*, supervision: Supervision, units: int, actor: Any, reason: str) -> Supervision:
    """Extend an open supervision's deadline by ``units`` of its clock.

    One extension only (PET-5, FOI-3), with a reason; its size and the hard ceiling
    (PET-5: 90 days) are enforced by ``clocks.deadline``. A new reminder will be sent
    when the new deadline turns amber."""
    locked = _locked(supervision)
    if locked.status != Status.OPEN:
        raise ValidationError(_("Only an open supervision can be extended."))
    if locked.extended_by:
        raise ValidationError(_("This deadline has already been extended once."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    try:
        due = deadline(locked.rule_id, locked.started_at, extension=units)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    old_due = locked.due_at
    locked.extended_by = units
    locked.due_at = due.due
    locked.due_provisional = due.provisional
    locked.reminded_at = None
    locked.full_clean()
    locked.save(update_fields=["extended_by", "due_at", "due_provisional", "reminded_at"])
    audit_record(
        actor=actor,
        action="core.supervision_extend",
        target=locked,
        data={"units": units, "reason": reason, "from": old_due.isoformat(), "to": due.due.isoformat()},
    )
    for name in ("extended_by", "due_at", "due_provisional", "reminded_at"):
        setattr(supervision, name, getattr(locked, name))
    return supervision


def _may_instruct(author: Any, supervision: Supervision) -> bool:
    """A leader of the responsible unit, of any organisation above it, or of the
    organisation it was escalated to."""
    if not has_role(author, Role.LEADER):
        return False
    org = supervision.organization
    allowed = {org.pk, *(a.pk for a in org.ancestors())}
    if supervision.escalated_to_id:
        allowed.add(supervision.escalated_to_id)
    return organizations_of(author, Role.LEADER).filter(pk__in=allowed).exists()


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
        recipients=[u for u in _members(locked.organization) if u.pk != author.pk],
        verb=Notification.Verb.INSTRUCTION,
        text=_("New instruction on %(title)s: %(text)s") % {"title": locked.title, "text": instruction.text},
        url=_url(locked),
        supervision=locked,
        organization=locked.organization,
        key=f"instruction:{instruction.pk}",
    )
    return instruction


def supervision_answer(*, supervision: Supervision, actor: Any, reason: str = "") -> Supervision:
    """The unit has answered: its clock stops (open → answered)."""
    transition(supervision, Status.ANSWERED, actor=actor, reason=reason, update={"finished_at": timezone.now()})
    return supervision


def supervision_reopen(*, supervision: Supervision, actor: Any, reason: str) -> Supervision:
    """The answer is sent back (answered → open); the clock runs again to the same due date."""
    transition(supervision, Status.OPEN, actor=actor, reason=reason, update={"finished_at": None})
    return supervision


def supervision_close(*, supervision: Supervision, actor: Any, reason: str = "") -> Supervision:
    """Close the supervision (办结). An open one stops its clock now."""
    update = {} if supervision.finished_at else {"finished_at": timezone.now()}
    transition(supervision, Status.CLOSED, actor=actor, reason=reason, update=update)
    return supervision


def supervision_cancel(*, supervision: Supervision, actor: Any, reason: str) -> Supervision:
    """Cancel an open supervision (opened in error, item withdrawn…); a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    transition(supervision, Status.CANCELLED, actor=actor, reason=reason, update={"finished_at": timezone.now()})
    return supervision


def _escalation_target(supervision: Supervision, now: datetime) -> int:
    """The level the escalation rule of the module docstring asks for at ``now``."""
    period = supervision.due_at - supervision.started_at
    overdue = now - supervision.due_at
    if period.total_seconds() <= 0:
        return 1
    return 1 + int(overdue / period)


def _sweep_one(pk: int, now: datetime) -> tuple[bool, bool]:
    """Remind and/or escalate one supervision; (reminded, escalated)."""
    with transaction.atomic():
        supervision = _lock(Supervision.objects.filter(pk=pk, status=Status.OPEN), skip_locked=True)
        if supervision is None:  # finished meanwhile, or another sweep holds it
            return False, False
        colour = rag(start=supervision.started_at, due=supervision.due_at, now=now)
        reminded = escalated = False
        fields: list[str] = []
        if colour == Rag.AMBER and supervision.reminded_at is None:
            notify(
                recipients=_members(supervision.organization),
                verb=Notification.Verb.REMINDER,
                text=_("Deadline approaching: %(title)s is due %(due)s.")
                % {"title": supervision.title, "due": timezone.localtime(supervision.due_at).date().isoformat()},
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
            chain = _chain(supervision.organization)
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
                    recipients=_members(target, Role.LEADER),
                    verb=Notification.Verb.ESCALATED,
                    text=_("Overdue and escalated to your organisation: %(title)s (%(unit)s, due %(due)s).")
                    % {
                        "title": supervision.title,
                        "unit": supervision.organization.name,
                        "due": timezone.localtime(supervision.due_at).date().isoformat(),
                    },
                    url=url,
                    supervision=supervision,
                    organization=target,
                    key=key,
                )
                notify(
                    recipients=_members(supervision.organization),
                    verb=Notification.Verb.OVERDUE,
                    text=_("Overdue: %(title)s was due %(due)s and has been escalated to %(to)s.")
                    % {
                        "title": supervision.title,
                        "due": timezone.localtime(supervision.due_at).date().isoformat(),
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


def supervision_sweep(*, now: datetime | None = None) -> SweepResult:
    """Remind open supervisions that turned AMBER (once per due date) and escalate
    the RED ones (OVS-1; escalation rule in the module docstring).

    Each supervision is handled in its own transaction under a row lock
    (``skip_locked`` on PostgreSQL), and its state (``reminded_at``,
    ``escalation_level``) plus the notifications' unique key make it idempotent:
    two sweeps at once, or one run twice, never send the same notice twice."""
    now = now or timezone.now()
    candidates = (
        Supervision.objects.filter(status=Status.OPEN)
        .filter(Q(reminded_at__isnull=True) | Q(due_at__lt=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    reminded = escalated = 0
    for pk in list(candidates.iterator()):
        did_remind, did_escalate = _sweep_one(pk, now)
        reminded += did_remind
        escalated += did_escalate
    if reminded or escalated:
        logger.info("supervision sweep: %s reminded, %s escalated", reminded, escalated)
    return SweepResult(reminded=reminded, escalated=escalated)
