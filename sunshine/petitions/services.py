"""Every write on a petition (CONTRACT.md). Keyword-only, atomic, audited, with an actor.

Clocks: each statutory period is a core supervision (督办) opened with its clock ID, so
the due date always comes from ``sunshine.core.clocks.deadline`` and core's sweep
reminds and escalates:

* PET-3 / PET-3-named-report — opened at filing on the triage unit (the bureau's
  discipline department, else the bureau); closed by accept / decline / forward.
* PET-4 — a case forwarded TO us: objection within 5 wd (:func:`petition_object`).
* PET-5 — opened at acceptance on the triage unit, moved to the handling unit on
  assignment (same start: the acceptance), extended once (:func:`petition_extend`),
  closed by the first reply.
* PET-7 — review / re-examination answers; the application windows are checked here.
* PET-8 — for a real-name report, opened when the handling concludes (the first
  reply); closed when the result is told (:func:`petition_result_tell`).

Audit entries carry IDs, numbers and states only — never the identity or the text.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core import textsim
from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_public, audit_record
from sunshine.core.clocks import clock_get, deadline
from sunshine.core.crypto import blind_index, keyed_hash, receipt_code_new
from sunshine.core.documents import DOCX_TYPE
from sunshine.core.forms import receipt_escrow_keep
from sunshine.core.inputs import receipt_time_error, text_error
from sunshine.core.issued import document_issue
from sunshine.core.local_rules import local_rule
from sunshine.core.models import Notification, StoredFile, Supervision
from sunshine.core.notifications import notify
from sunshine.core.rules import rule_label
from sunshine.core.seams import PetitionIntake, PetitionIntakeResult
from sunshine.core.supervision import (
    supervision_close,
    supervision_extend,
    supervision_get_active,
    supervision_instruct,
    supervision_list_of,
    supervision_on_time,
    supervision_open,
    supervision_reassign,
)
from sunshine.core.throttle import Throttled, guess_checked
from sunshine.core.transitions import transition
from sunshine.core.uploads import KIND_DOCUMENTS, KIND_IMAGES, upload_store
from sunshine.orgs.models import Membership, Organization, Role
from sunshine.orgs.selectors import site_bureau
from sunshine.petitions import access, rules
from sunshine.petitions.documents import REPLY_DOCUMENT, STAGE_TITLES, reply_docx
from sunshine.petitions.models import (
    CaseCounter,
    FilerIdentity,
    FilerNotice,
    IdentityOpening,
    Message,
    Petition,
    PetitionLink,
    PetitionTextBand,
    ReceiptAttempt,
    Recusal,
    Reply,
    UnitReport,
)
from sunshine.petitions.notices import filer_notice
from sunshine.petitions.selectors import same_facts_candidates

__all__ = [
    "ATTACHMENT_KINDS",
    "ATTACHMENT_PURPOSE",
    "FiledPetition",
    "IdentityInput",
    "ReceiptThrottled",
    "identity_open",
    "petition_accept",
    "petition_accused_confirm",
    "petition_assign",
    "petition_assign_bulk",
    "petition_close",
    "petition_decline",
    "petition_extend",
    "petition_file",
    "petition_forward",
    "petition_instruct",
    "petition_intake_receive",
    "petition_link_decide",
    "petition_links_find",
    "petition_links_rebuild",
    "petition_message_from_filer",
    "petition_message_to_filer",
    "petition_note_internal",
    "petition_object",
    "petition_rate",
    "petition_record_outcome",
    "petition_recuse",
    "petition_reexam_apply",
    "petition_refuse_same_facts",
    "petition_reply",
    "petition_result_tell",
    "petition_review_apply",
    "petition_start",
    "petition_unit_report",
    "petition_unit_report_return",
    "receipt_lookup",
    "triage_unit",
    "unit_report_live",
    "unit_report_missing",
]

logger = logging.getLogger("sunshine.petitions")

S = Petition.Status
ATTACHMENT_PURPOSE = "petitions.attachment"
ATTACHMENT_KINDS = KIND_IMAGES | KIND_DOCUMENTS
MAX_ATTACHMENTS = 10
RECEIPT_RETRIES = 8
# A case's time of receipt given by a channel (hotline, API, staff entry) is at most this old.
RECEIVED_AT_MAX_AGE = timedelta(days=366)


class ReceiptThrottled(Throttled):
    """Too many wrong receipt codes from one address, or at one code (core.throttle's
    GUESS_ADDRESS / GUESS_CODE): a wait of minutes; ``retry_at`` says until when."""

    def __str__(self) -> str:
        return _("Too many attempts with wrong codes. Please try again after %(time)s.") % {
            "time": timezone.localtime(self.retry_at or timezone.now()).strftime("%H:%M")
        }


@dataclass(frozen=True)
class IdentityInput:
    """The filer's identity, plaintext in memory only; never log it."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    unit: str = ""

    def is_empty(self) -> bool:
        return not any(v.strip() for v in (self.name, self.id_number, self.phone, self.address, self.email, self.unit))

    def __repr__(self) -> str:  # never print the values
        return "IdentityInput(<hidden>)"


@dataclass(frozen=True)
class FiledPetition:
    petition: Petition
    receipt_code: str = field(repr=False)  # 16 digits: shown once, never stored


# --- helpers ----------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _next(bureau: Organization, kind: str, year: int) -> int:
    """The next number of ``kind`` for the bureau and year, under a row lock (two
    workers never get the same number)."""
    counter = CaseCounter.objects.select_for_update().filter(bureau=bureau, year=year, kind=kind).first()
    if counter is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(bureau=bureau, year=year, kind=kind, last=0)
        except IntegrityError:
            pass  # another worker created it; lock it below
        counter = CaseCounter.objects.select_for_update().get(bureau=bureau, year=year, kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# The reply's number comes from core's document series (``REPLY_DOCUMENT``).
DOC_PREFIXES = {"notice": "教信告", "supervision": "教督"}


def _doc_number(bureau: Organization, kind: str, at: datetime) -> str:
    """A document number of the bureau: 示教信〔2026〕12号 (prefix: the bureau's first
    character + the kind's word)."""
    year = timezone.localtime(at).year
    number = _next(bureau, kind, year)
    first = (bureau.short_name or bureau.name or "?")[0]
    return f"{first}{DOC_PREFIXES[kind]}〔{year}〕{number}号"


def triage_unit(bureau: Organization, petition: Petition | None = None) -> Organization:
    """Where the bureau's own clocks run: the department holding its discipline
    inspectors (纪检组), else the bureau itself — never a unit excluded by PET-9."""
    excluded = access.excluded_organizations(petition) if petition is not None else set()
    departments = (
        Organization.objects.filter(
            parent=bureau,
            kind=Organization.Kind.DEPARTMENT,
            is_active=True,
            memberships__role=Role.DISCIPLINE_INSPECTOR,
            memberships__is_active=True,
        )
        .exclude(pk__in=excluded)
        .distinct()
        .order_by("code")
    )
    return departments.first() or bureau


def _clock_title(petition: Petition, rule_id: str) -> str:
    """Supervision titles carry the case number only: notifications and escalations go
    to whole units, and PET-9 forbids passing the contents on."""
    return _("Petition %(number)s: %(clock)s") % {"number": petition.number, "clock": rule_label(rule_id)}


def _open_clock(petition: Petition, rule_id: str, *, organization: Organization, start: datetime, actor: Any) -> Any:
    return supervision_open(
        item=petition,
        organization=organization,
        rule_id=rule_id,
        start=start,
        actor=actor,
        title=_clock_title(petition, rule_id),
    )


def _close_clock(petition: Petition, rule_id: str, *, actor: Any, reason: str = "") -> None:
    supervision = supervision_get_active(item=petition, rule_id=rule_id)
    if supervision is not None:
        supervision_close(supervision=supervision, actor=actor, reason=reason)


def _message_add(
    petition: Petition, direction: str, text: str, *, author: Any = None, attachments: Sequence[StoredFile] = ()
) -> Message:
    """A message on the case, validated (full_clean) before it is saved."""
    message = Message(petition=petition, direction=direction, author=author, text=text)
    message.full_clean()
    message.save()
    if attachments:
        message.attachments.set(attachments)
    return message


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this on this case."))


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _store_attachments(files: Sequence[Any], actor: Any) -> list[StoredFile]:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(count)s files can be attached.") % {"count": MAX_ATTACHMENTS}}
        )
    stored: list[StoredFile] = []
    for file in files:
        try:
            stored.append(
                upload_store(file=file, purpose=ATTACHMENT_PURPOSE, actor=actor, allowed_kinds=ATTACHMENT_KINDS)
            )
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    return stored


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


def _date(at: datetime) -> str:
    local = timezone.localtime(at)
    return _("%(year)s-%(month)02d-%(day)02d") % {"year": local.year, "month": local.month, "day": local.day}


# --- intake -----------------------------------------------------------------------------


def _in_bureau(org: Organization | None, bureau: Organization) -> bool:
    return org is None or org.path.startswith(bureau.path)


@transaction.atomic
def petition_file(
    *,
    bureau: Organization,
    kind: str,
    channel: str,
    title: str,
    facts: str,
    request: str = "",
    reasons: str = "",
    subject_organization: Organization | None = None,
    accused_organization: Organization | None = None,
    accused_user: Any = None,
    accused_name: str = "",
    identity: IdentityInput | None = None,
    filer_user: Any = None,
    consent_publish: bool = False,
    attachments: Sequence[UploadedFile] = (),
    source_label: str = "",
    received_at: datetime | None = None,
    handed_over: bool = False,
    actor: Any,
) -> FiledPetition:
    """Register a case (PET-1 channel, PET-2 fields) and return it with its receipt code.

    PET-2: subject, facts, request and reasons are required for every kind; nothing is
    saved when a field is missing. A case handed over by another module
    (``handed_over``, the intake seam) brings what its sender recorded: subject, facts
    and the request are required, and triage completes the reasons with the filer.
    PET-8 decides ``named`` (a name or unit plus a
    working contact). The identity is encrypted (FilerIdentity); its blind indexes serve
    the PET-7 same-facts rule and the duplicate check. The receipt code is 16 digits
    from ``secrets``, stored only as ``keyed_hash(code, purpose="petitions.receipt")``,
    drawn again on the (astronomically rare) collision with the unique constraint.
    PET-3's clock (15 days; 15 wd for a real-name report against staff) starts, under
    supervision of the triage unit, whose members are notified; a case forwarded to us
    also gets PET-4's objection clock.
    """
    errors: dict[str, str] = {}
    if bureau.kind != Organization.Kind.BUREAU:
        errors["bureau"] = _("A case is received by a bureau.")
    if kind not in Petition.Kind.values:
        errors["kind"] = _("Choose the kind of case.")
    if channel not in Petition.Channel.values:
        errors["channel"] = _("Choose the channel the case came by.")
    if not (title or "").strip():
        errors["title"] = _("Give the case a subject.")
    if not (facts or "").strip():
        errors["facts"] = _("Describe the facts.")
    # PET-2: the request for every kind and every channel; the reasons too, except in a
    # hand-over from another module, where triage completes them with the filer.
    if not (request or "").strip():
        errors["request"] = _("Say what you are asking for.")
    if not handed_over and not (reasons or "").strip():
        errors["reasons"] = _("Give your reasons.")
    for name, org in (("subject_organization", subject_organization), ("accused_organization", accused_organization)):
        if org is not None and not _in_bureau(org, bureau):
            errors[name] = _("This unit is not under the bureau receiving the case.")
    if received_at is not None:
        # Not in the future, not older than a year (a case dated 1900 or 9999 is a typing error).
        late = receipt_time_error(received_at, earliest=timezone.now() - RECEIVED_AT_MAX_AGE)
        if late:
            errors["received_at"] = late
    if errors:
        raise ValidationError(errors)

    identity = identity or IdentityInput()
    named = rules.is_named(
        name=identity.name, unit=identity.unit, phone=identity.phone, email=identity.email, address=identity.address
    )
    indexes = identity_indexes(
        name=identity.name, phone=identity.phone, id_number=identity.id_number, email=identity.email, named=named
    )

    received = received_at or timezone.now()
    year = timezone.localtime(received).year
    number = f"XF-{bureau.code[:16]}-{year}-{_next(bureau, 'case', year):05d}"
    petition = Petition(
        bureau=bureau,
        number=number,
        kind=kind,
        channel=channel,
        title=title.strip(),
        facts=facts.strip(),
        request=(request or "").strip(),
        reasons=(reasons or "").strip(),
        subject_organization=subject_organization,
        accused_organization=accused_organization,
        accused_user=accused_user,
        accused_name=(accused_name or "").strip(),
        named=named,
        filer_user=_user(filer_user),
        consent_publish=consent_publish,
        source_label=source_label,
        received_at=received,
        created_by=_user(actor),
    )
    petition.full_clean(exclude=["receipt_hash"])
    stored = _store_attachments(attachments, actor)
    code = ""
    for _attempt in range(RECEIPT_RETRIES):
        code = receipt_code_new(rules.RECEIPT_DIGITS)
        petition.receipt_hash = keyed_hash(code, purpose=rules.RECEIPT_PURPOSE)
        try:
            with transaction.atomic():
                petition.save(force_insert=True)
            break
        except IntegrityError:
            if not Petition.objects.filter(receipt_hash=petition.receipt_hash).exists():
                raise
            petition.pk = None
            petition._state.adding = True
    else:  # pragma: no cover - 10^16 codes
        raise RuntimeError("could not draw a unique receipt code")

    if not identity.is_empty():
        filer = FilerIdentity(
            petition=petition,
            name=identity.name.strip(),
            id_number=identity.id_number.strip(),
            phone=identity.phone.strip(),
            address=identity.address.strip(),
            email=identity.email.strip(),
            unit=identity.unit.strip(),
            **indexes,
        )
        filer.full_clean()
        filer.save()
    if stored:
        _message_add(
            petition,
            Message.Direction.FROM_FILER,
            _("Files attached to the case when it was filed."),
            author=_user(filer_user),
            attachments=stored,
        )

    unit = triage_unit(bureau, petition)
    notice_rule = rules.notice_clock(kind=kind, named=named, against_staff=rules.against_staff(petition))
    supervision = _open_clock(petition, notice_rule, organization=unit, start=received, actor=actor)
    petition.notice_due_at = supervision.due_at
    Petition.objects.filter(pk=petition.pk).update(notice_due_at=supervision.due_at)
    if channel == Petition.Channel.FORWARDED:
        _open_clock(petition, rules.FORWARDED_OBJECTION_CLOCK, organization=unit, start=received, actor=actor)
    audit_record(
        actor=actor,
        action="petitions.petition_file",
        target=petition,
        data={"kind": kind, "channel": channel, "named": named, "attachments": len(stored), "clock": notice_rule},
    )
    text_bands_store(petition)
    petition_links_find(petition=petition, actor=actor)
    return FiledPetition(petition=petition, receipt_code=code)


def petition_intake_receive(intake: PetitionIntake, /, *, actor: Any) -> PetitionIntakeResult:
    """The receiver of ``core.seams.petition_intake``: files the case with
    :func:`petition_file` and returns only its id and number. The receipt code goes to
    the filer's own session when the filer is at the browser (``intake.filer_session``),
    for petitions' receipt page to show once; otherwise it is dropped (a staff hand-over:
    the filer follows the case by its number, as with a letter). The bureau is the
    subject unit's bureau, else ``intake.bureau_id``, else the only top-level bureau."""
    subject = None
    if intake.subject_organization_id:
        subject = Organization.objects.get(pk=intake.subject_organization_id)
    bureau: Organization | None
    if subject is not None:
        bureau = subject.bureau
    elif intake.bureau_id:
        bureau = Organization.objects.get(pk=intake.bureau_id, kind=Organization.Kind.BUREAU)
    else:
        bureau = site_bureau()
    if bureau is None:
        raise ValidationError(_("No bureau is set up to receive this case."))
    identity = IdentityInput(name=intake.name, phone=intake.phone, address=intake.address, email=intake.email)
    at_browser = intake.filer_session is not None
    if at_browser and not intake.named:
        actor = None  # a citizen filing anonymously is not linked to the case
    # A filer at the browser is the public: no address, no account in the audit log.
    with audit_public() if at_browser else contextlib.nullcontext():
        filed = petition_file(
            bureau=bureau,
            kind=intake.kind,
            channel=intake.channel,
            title=intake.title,
            facts=intake.facts,
            request=intake.request,
            reasons=intake.reasons,
            subject_organization=subject,
            identity=identity if intake.named or not identity.is_empty() else None,
            source_label=intake.source_label,
            handed_over=True,
            actor=actor,
        )
    if at_browser:
        access.receipt_once_put(intake.filer_session, petition=filed.petition, code=filed.receipt_code)
        receipt_escrow_keep(intake.filer_token, intake.filer_session, access.RECEIPT_ONCE_KEY)
    return PetitionIntakeResult(case_id=filed.petition.pk, case_number=filed.petition.number)


# --- triage: PET-3, PET-4 -------------------------------------------------------------------


def _triage_check(actor: Any, petition: Petition) -> None:
    _deny_unless(access.can_triage(actor, petition.bureau) and access.can_act_on(actor, petition))


def _finish_notice_clocks(petition: Petition, actor: Any, reason: str) -> None:
    """Close the notice clocks; ``reason`` is read by people (the status the case reached)."""
    for rule_id in ("PET-3", "PET-3-named-report", rules.FORWARDED_OBJECTION_CLOCK):
        _close_clock(petition, rule_id, actor=actor, reason=reason)


@transaction.atomic
def petition_accept(*, petition: Petition, actor: Any) -> Petition:
    """Accept the case (受理). PET-3: the filer is told in writing (a notice with its
    document number); PET-5's 60 days start now."""
    _triage_check(actor, petition)
    now = timezone.now()
    number = _doc_number(petition.bureau, "notice", now)
    transition(
        petition, S.ACCEPTED, actor=actor, update={"accepted_at": now, "notified_at": now, "acceptance_number": number}
    )
    _finish_notice_clocks(petition, actor, str(S.ACCEPTED.label))
    supervision = _open_clock(
        petition, rules.HANDLING_CLOCK, organization=triage_unit(petition.bureau, petition), start=now, actor=actor
    )
    Petition.objects.filter(pk=petition.pk).update(handling_due_at=supervision.due_at)
    petition.handling_due_at = supervision.due_at
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.ACCEPTED,
        text=_("Your case %(number)s has been accepted (notice %(doc)s). It will be handled and answered by %(due)s.")
        % {"number": petition.number, "doc": number, "due": _date(supervision.due_at)},
        actor=actor,
    )
    return petition


@transaction.atomic
def petition_decline(*, petition: Petition, actor: Any, reason: str, where_to_go: str) -> Petition:
    """Do not accept (不予受理): not ours. PET-3: the written notice gives the reason and
    where the filer should go instead (``decline_where``, printed in the notice)."""
    reason = _require_text(reason, "reason", _("Give the reason for not accepting the case."))
    where_to_go = _require_text(
        where_to_go, "where_to_go", _("Tell the filer which authority or body to turn to instead.")
    )
    _triage_check(actor, petition)
    now = timezone.now()
    number = _doc_number(petition.bureau, "notice", now)
    petition.decline_where = where_to_go
    petition.full_clean(exclude=["receipt_hash"])
    transition(
        petition,
        S.DECLINED,
        actor=actor,
        update={
            "decline_reason": reason,
            "decline_where": where_to_go,
            "acceptance_number": number,
            "notified_at": now,
        },
    )
    _finish_notice_clocks(petition, actor, str(S.DECLINED.label))
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.DECLINED,
        text=_("Your case %(number)s cannot be accepted (notice %(doc)s): %(reason)s Please turn to: %(where)s")
        % {"number": petition.number, "doc": number, "reason": reason, "where": where_to_go},
        actor=actor,
    )
    return petition


@transaction.atomic
def petition_refuse_same_facts(*, petition: Petition, earlier: Petition, actor: Any) -> Petition:
    """PET-7: after re-examination the same facts and reasons are not accepted again.
    Triage decides, with the earlier case beside the new one (``selectors.
    same_facts_candidates``: the same filer, a re-examined case, the text likeness only
    a suggestion); the refusal names the earlier case in the notice to the filer."""
    _triage_check(actor, petition)
    if petition.status != S.REGISTERED:
        raise ValidationError(_("Only a case not yet accepted can be refused."))
    if earlier.pk not in {c.earlier.pk for c in same_facts_candidates(petition)}:
        raise ValidationError(_("The earlier case is not a re-examined case of the same filer."), code="not_same_filer")
    now = timezone.now()
    number = _doc_number(petition.bureau, "notice", now)
    reason = _(
        "The same facts and reasons were handled in case %(earlier)s, which has been through "
        "re-examination; they are not accepted again."
    ) % {"earlier": earlier.number}
    transition(
        petition,
        S.DECLINED,
        actor=actor,
        data={"same_facts_as": earlier.pk},
        update={"decline_reason": reason, "same_facts_as": earlier, "acceptance_number": number, "notified_at": now},
    )
    _finish_notice_clocks(petition, actor, str(S.DECLINED.label))  # a reason a person reads, not a code
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.DECLINED,
        text=_("Your case %(number)s cannot be accepted (notice %(doc)s): %(reason)s")
        % {"number": petition.number, "doc": number, "reason": reason},
        actor=actor,
    )
    return petition


@transaction.atomic
def petition_forward(*, petition: Petition, actor: Any, to_authority: str, reason: str) -> Petition:
    """Forward (转送) to the competent authority; PET-3: the filer is told where it went."""
    to_authority = _require_text(to_authority, "to_authority", _("Name the authority the case goes to."))
    reason = _require_text(reason, "reason", _("Give the reason for forwarding the case."))
    _triage_check(actor, petition)
    now = timezone.now()
    number = _doc_number(petition.bureau, "notice", now)
    transition(
        petition,
        S.FORWARDED,
        actor=actor,
        data={"to": to_authority},
        update={
            "forwarded_to": to_authority[:100],
            "decline_reason": reason,
            "acceptance_number": number,
            "notified_at": now,
        },
    )
    _finish_notice_clocks(petition, actor, str(S.FORWARDED.label))
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.FORWARDED,
        text=_("Your case %(number)s has been forwarded to %(to)s (notice %(doc)s): %(reason)s")
        % {"number": petition.number, "to": to_authority, "doc": number, "reason": reason},
        actor=actor,
    )
    return petition


@transaction.atomic
def petition_object(*, petition: Petition, reason: str, actor: Any) -> Petition:
    """PET-4: a case forwarded to us that is not ours — object, with reasons, within 5
    working days of receipt. The case is sent back (not accepted) and the filer told."""
    reason = _require_text(reason, "reason", _("Give the reasons for the objection."))
    _triage_check(actor, petition)
    if petition.channel != Petition.Channel.FORWARDED:
        raise ValidationError(_("Only a case forwarded to us by another authority can be objected to."))
    due = deadline(rules.FORWARDED_OBJECTION_CLOCK, petition.received_at)
    if timezone.now() > due.due:
        raise ValidationError(_("The objection period ended on %(due)s.") % {"due": _date(due.due)}, code="lapsed")
    now = timezone.now()
    number = _doc_number(petition.bureau, "notice", now)
    transition(
        petition,
        S.DECLINED,
        actor=actor,
        reason=reason,
        data={"objection": True},
        update={"decline_reason": reason, "acceptance_number": number, "notified_at": now},
    )
    _finish_notice_clocks(petition, actor, str(S.DECLINED.label))
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.DECLINED,
        text=_(
            "Your case %(number)s is not within this bureau's remit and has been returned to the "
            "authority that sent it (notice %(doc)s): %(reason)s"
        )
        % {"number": petition.number, "doc": number, "reason": reason},
        actor=actor,
    )
    return petition


# --- the accused: PET-9 -------------------------------------------------------------------------


ACCUSED_CONFIRM_STATUSES = (S.REGISTERED, S.ACCEPTED)


@transaction.atomic
def petition_accused_confirm(
    *, petition: Petition, organization: Organization | None, user: Any = None, actor: Any
) -> Petition:
    """PET-9: triage confirms the accused unit and links the person the filer named to a
    staff record of that unit (``selectors.accused_candidates``), or records that no
    staff record matches (``user=None``). The choice is kept on the case (who, when) and
    audited; from then on the person never sees, is assigned, reminded about or
    escalated to about the case (``access.excluded_organizations`` /
    ``access.supervision_exclusion``). A running clock held by a unit that is now
    excluded moves to the triage unit. A report is assigned only after this step."""
    _triage_check(actor, petition)
    if petition.status not in ACCUSED_CONFIRM_STATUSES:
        raise ValidationError(_("The accused can be confirmed only before the case is assigned."))
    if organization is not None and not _in_bureau(organization, petition.bureau):
        raise ValidationError({"organization": _("This unit is not under the bureau receiving the case.")})
    if user is not None:
        unit = organization or petition.bureau
        holds_role = Membership.objects.filter(
            user=user, is_active=True, organization__path__startswith=unit.path
        ).exists()
        if not holds_role:
            raise ValidationError({"user": _("This person holds no post in the accused unit.")})
    now = timezone.now()
    petition.accused_organization = organization
    petition.accused_user = user
    petition.accused_confirmed_at = now
    petition.accused_confirmed_by = _user(actor)
    petition.full_clean(exclude=["receipt_hash"])
    petition.save(
        update_fields=[
            "accused_organization",
            "accused_user",
            "accused_confirmed_at",
            "accused_confirmed_by",
            "updated_at",
        ]
    )
    excluded = access.excluded_organizations(petition)
    for supervision in supervision_list_of(petition).filter(
        status=Supervision.Status.OPEN, organization_id__in=excluded
    ):
        supervision_reassign(
            supervision=supervision,
            organization=triage_unit(petition.bureau, petition),
            actor=actor,
            reason="PET-9 accused confirmed",
        )
    audit_record(
        actor=actor,
        action="petitions.petition_accused_confirm",
        target=petition,
        data={"organization": getattr(organization, "pk", None), "user": getattr(user, "pk", None)},
    )
    return petition


# --- assignment and handling: PET-5, PET-9 ---------------------------------------------------


@transaction.atomic
def petition_assign(*, petition: Petition, organization: Organization, actor: Any, note: str = "") -> Petition:
    """Assign (交办) to a department or school under supervision (督办单 with its number).
    PET-9: refused for the accused unit, its subtree and the accused's units. PET-5's
    clock moves to the unit with the same start (the acceptance)."""
    _triage_check(actor, petition)
    if petition.kind == Petition.Kind.REPORT and petition.accused_confirmed_at is None:
        raise ValidationError(
            _("Confirm the accused unit and person before assigning this report."), code="accused_unconfirmed"
        )
    if not access.can_assign_to(petition, organization):
        raise ValidationError(
            {"organization": _("The case cannot be assigned to this unit (it is concerned by the case).")},
            code="recusal",
        )
    number = _doc_number(petition.bureau, "supervision", timezone.now())
    transition(
        petition,
        S.ASSIGNED,
        actor=actor,
        data={"organization": organization.pk},
        update={"assigned_to": organization, "supervision_number": number},
    )
    current = supervision_get_active(item=petition, rule_id=rules.HANDLING_CLOCK)
    if current is not None:  # the clock moves with its history (start, extension)
        supervision_reassign(
            supervision=current, organization=organization, actor=actor, reason=f"assigned to {organization.pk}"
        )
    else:
        start = petition.accepted_at or timezone.now()
        _open_clock(petition, rules.HANDLING_CLOCK, organization=organization, start=start, actor=actor)
    if note.strip():
        _message_add(petition, Message.Direction.INTERNAL, note.strip(), author=_user(actor))
    audit_record(
        actor=actor,
        action="petitions.petition_assign",
        target=petition,
        data={"organization": organization.pk, "document": number},
    )
    return petition


def petition_assign_bulk(*, petitions: Sequence[Petition], organization: Organization, actor: Any) -> int:
    """Assign several cases; each one alone (a refusal — PET-9, a stale status — skips
    that case and keeps the others). Returns how many were assigned."""
    done = 0
    for petition in petitions:
        try:
            petition_assign(petition=petition, organization=organization, actor=actor)
        except (ValidationError, PermissionDenied):
            continue
        done += 1
    return done


@transaction.atomic
def petition_start(*, petition: Petition, actor: Any) -> Petition:
    """The handling unit (or the bureau itself, for a case it keeps) starts work."""
    _deny_unless(access.can_act_on(actor, petition))
    transition(petition, S.IN_PROGRESS, actor=actor)
    return petition


def unit_report_live(petition: Petition) -> UnitReport | None:
    """The handling unit's report in force on the case (the last one not returned)."""
    return petition.unit_reports.filter(returned_at__isnull=True).order_by("-submitted_at", "-pk").first()


def unit_report_missing(petition: Petition) -> bool:
    """PET-6 on an assigned case: the unit's report comes before the first reply."""
    return petition.assigned_to_id is not None and unit_report_live(petition) is None


def _members_told(unit: Organization, petition: Petition) -> list[Any]:
    """The active members of ``unit`` who may hear of ``petition`` (PET-9: never one
    who must step aside)."""
    return [
        m.user
        for m in Membership.objects.filter(organization=unit, is_active=True).select_related("user")
        if not access.is_excluded(m.user, petition)
    ]


@transaction.atomic
def petition_unit_report(*, petition: Petition, actor: Any, findings: str, actions: str) -> UnitReport:
    """The assigned unit reports to the bureau what it found and what it did
    (办理情况报告). One report in force at a time; the bureau's triage is told."""
    _deny_unless(access.can_report_for_unit(actor, petition))
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.status not in (S.ASSIGNED, S.IN_PROGRESS):
        raise ValidationError(_("This case is not being handled by a unit now."))
    if unit_report_live(petition) is not None:
        raise ValidationError(_("The unit's report is already with the bureau; it can be returned for more work."))
    errors = {}
    for name, value in (("findings", findings), ("actions", actions)):
        if not (value or "").strip():
            errors[name] = _("This field is required in the unit's report.")
        elif problem := text_error(value):
            errors[name] = problem
    if errors:
        raise ValidationError(errors)
    report = UnitReport(
        petition=petition,
        organization=petition.assigned_to,
        findings=findings.strip(),
        actions=actions.strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    notify(
        recipients=_members_told(triage_unit(petition.bureau, petition), petition),
        verb=Notification.Verb.MESSAGE,
        text=_("The handling unit has reported on case %(number)s; the reply may now be issued.")
        % {"number": petition.number},
        url=reverse("petitions:case", kwargs={"pk": petition.pk}),
        organization=triage_unit(petition.bureau, petition),
    )
    audit_record(
        actor=actor,
        action="petitions.unit_report",
        target=petition,
        data={"report": report.pk, "organization": petition.assigned_to_id},
    )
    return report


@transaction.atomic
def petition_unit_report_return(*, petition: Petition, actor: Any, reason: str) -> UnitReport:
    """The bureau's triage returns the unit's report for more work (退回重办), with its
    reason; the unit is told and reports again before any reply."""
    _triage_check(actor, petition)
    report = petition.unit_reports.select_for_update().filter(returned_at__isnull=True).order_by("-pk").first()
    if report is None:
        raise ValidationError(_("There is no report of the unit to return."))
    if petition.replies.filter(stage=Reply.Stage.FIRST).exists():
        raise ValidationError(_("The reply has been issued; the report can no longer be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    if problem := text_error(reason):
        raise ValidationError({"reason": problem})
    report.returned_by, report.returned_at, report.return_reason = actor, timezone.now(), reason.strip()
    report.save(update_fields=["returned_by", "returned_at", "return_reason"])
    unit = report.organization
    notify(
        recipients=_members_told(unit, petition),
        verb=Notification.Verb.MESSAGE,
        text=_("The bureau returned your report on case %(number)s for more work: %(reason)s")
        % {"number": petition.number, "reason": report.return_reason},
        url=reverse("petitions:case", kwargs={"pk": petition.pk}),
        organization=unit,
    )
    audit_record(actor=actor, action="petitions.unit_report_return", target=petition, data={"report": report.pk})
    return report


def _live_supervision(petition: Petition) -> Supervision | None:
    for rule_id in (rules.HANDLING_CLOCK, rules.REVIEW_ANSWER_CLOCK, rules.REEXAM_ANSWER_CLOCK):
        supervision = supervision_get_active(item=petition, rule_id=rule_id)
        if supervision is not None:
            return supervision
    return None


@transaction.atomic
def petition_instruct(*, petition: Petition, author: Any, text: str) -> Any:
    """A leader's instruction (批示) on the case's running supervision (core checks the
    leader; PET-9: never by someone excluded from the case)."""
    text = _require_text(text, "text", _("Write the instruction."))
    _deny_unless(not access.is_excluded(author, petition))
    supervision = _live_supervision(petition)
    if supervision is None:
        raise ValidationError(_("This case has no running deadline to instruct on."))
    return supervision_instruct(supervision=supervision, author=author, text=text)


def extension_lapsed(petition: Petition, now: datetime | None = None) -> bool:
    """PET-5: the handling deadline has passed (and its clock is not paused), so it can
    no longer be extended (core refuses it too)."""
    supervision = supervision_get_active(item=petition, rule_id=rules.HANDLING_CLOCK)
    if supervision is None or supervision.paused_since is not None:
        return False
    return (now or timezone.now()) > supervision.due_at


@transaction.atomic
def petition_extend(*, petition: Petition, days: int, reason: str, actor: Any) -> Petition:
    """PET-5: one extension (at most the clock's extension; the ceiling is the clock's),
    approved by the head of the handling unit or a bureau leader, before the deadline
    passes; the reason is told to the filer."""
    reason = _require_text(reason, "reason", _("Give the reason for the extension."))
    _deny_unless(access.can_approve_extension(actor, petition))
    if petition.status not in (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS):
        raise ValidationError(_("Only a case being handled can be extended."))
    if petition.extension_days:
        raise ValidationError(_("This case has already been extended once."))
    most = clock_get(rules.HANDLING_CLOCK).extension
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= most:
        raise ValidationError({"days": _("An extension is 1 to %(most)s days.") % {"most": most}})
    supervision = supervision_get_active(item=petition, rule_id=rules.HANDLING_CLOCK)
    if supervision is None:
        raise ValidationError(_("This case has no running handling deadline."))
    if extension_lapsed(petition):
        raise ValidationError(
            _("The handling deadline passed on %(due)s; an extension can no longer be approved.")
            % {"due": _date(supervision.due_at)},
            code="lapsed",
        )
    supervision_extend(supervision=supervision, units=days, actor=actor, reason=reason)
    petition.extension_days, petition.extension_reason = days, reason
    petition.extension_approved_by, petition.handling_due_at = actor, supervision.due_at
    petition.full_clean(exclude=["receipt_hash"])
    petition.save(
        update_fields=["extension_days", "extension_reason", "extension_approved_by", "handling_due_at", "updated_at"]
    )
    audit_record(actor=actor, action="petitions.petition_extend", target=petition, data={"days": days})
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.EXTENDED,
        text=_(
            "The handling of your case %(number)s has been extended by %(days)s days, to %(due)s. Reason: %(reason)s"
        )
        % {"number": petition.number, "days": days, "due": _date(supervision.due_at), "reason": reason},
        actor=actor,
    )
    return petition


# --- replies, rating, review: PET-6, PET-7 -------------------------------------------------------


_STAGES: dict[str, tuple[str, str, str]] = {
    S.ASSIGNED: (Reply.Stage.FIRST, S.ANSWERED, rules.HANDLING_CLOCK),
    S.IN_PROGRESS: (Reply.Stage.FIRST, S.ANSWERED, rules.HANDLING_CLOCK),
    S.UNDER_REVIEW: (Reply.Stage.REVIEW, S.REVIEWED, rules.REVIEW_ANSWER_CLOCK),
    S.UNDER_REEXAMINATION: (Reply.Stage.REEXAMINATION, S.CLOSED, rules.REEXAM_ANSWER_CLOCK),
}


@transaction.atomic
def petition_reply(
    *,
    petition: Petition,
    actor: Any,
    request_summary: str,
    facts: str,
    reasons: str,
    decision: str,
    legal_basis: str,
) -> Reply:
    """PET-6: the written reply (处理意见书) — the request, the facts found, the reasons,
    the decision (supported / explained / not supported) and its legal basis, all
    required. The stage follows the status (first reply, review, re-examination); the
    stage's clock stops and the filer is told."""
    errors = {}
    for name, value in (
        ("request_summary", request_summary),
        ("facts", facts),
        ("reasons", reasons),
        ("legal_basis", legal_basis),
    ):
        if not (value or "").strip():
            errors[name] = _("This field is required in a reply.")
    if decision not in Reply.Decision.values:
        errors["decision"] = _("Choose the decision: supported, explained or not supported.")
    if errors:
        raise ValidationError(errors)
    if petition.status not in _STAGES:
        raise ValidationError(_("This case is not awaiting a reply."))
    stage, to, clock = _STAGES[petition.status]
    if stage == Reply.Stage.FIRST:
        _deny_unless(access.can_act_on(actor, petition))
        if unit_report_missing(petition):
            raise ValidationError(
                _("The handling unit reports what it found and did before the reply is issued."), code="unit_report"
            )
    else:  # review and re-examination are the bureau's, not the handling unit's
        _triage_check(actor, petition)
    if local_rule("PET-6-leader-signoff") and not reply_signed_off(petition):
        raise ValidationError(_("A leader must sign off this reply before it is issued."), code="sign_off")
    now = timezone.now()
    reply = Reply(
        petition=petition,
        stage=stage,
        request_summary=request_summary.strip(),
        facts=facts.strip(),
        reasons=reasons.strip(),
        decision=decision,
        legal_basis=legal_basis.strip(),
        issued_at=now,
        author=actor,
    )
    reply.full_clean(exclude=["document_number"])
    reply.save()
    _reply_issue(reply, actor=actor)
    update: dict[str, Any] = {"answered_at": now} if stage == Reply.Stage.FIRST else {}
    if to == S.CLOSED:
        update["closed_at"] = now
    running = supervision_get_active(item=petition, rule_id=clock)
    if running is not None:
        supervision_close(supervision=running, actor=actor, reason="replied")
        if clock == rules.HANDLING_CLOCK:  # PET-10: judged by the deadline in force when due
            update["handling_on_time"] = supervision_on_time(running)
    transition(petition, to, actor=actor, data={"reply": reply.pk, "stage": stage}, update=update)
    filer_notice(
        petition=petition,
        kind=FilerNotice.Kind.REPLY,
        text=_("A reply (%(doc)s) to your case %(number)s has been issued: %(decision)s. You can read it on this page.")
        % {"doc": reply.document_number, "number": petition.number, "decision": reply.get_decision_display()},
        actor=actor,
    )
    if stage == Reply.Stage.FIRST and rules.result_due(petition):
        _open_clock(
            petition, rules.RESULT_CLOCK, organization=triage_unit(petition.bureau, petition), start=now, actor=actor
        )
    return reply


PREVIEW_NUMBER = "（预览）"


def reply_signed_off(petition: Petition) -> bool:
    """PET-6 (LOCAL): a leader has signed off the reply of the stage the case is in."""
    return petition.reply_signed_off_at is not None and petition.reply_signed_off_status == petition.status


@transaction.atomic
def petition_reply_signoff(*, petition: Petition, actor: Any) -> Petition:
    """PET-6 (LOCAL PET-6-leader-signoff): a bureau leader signs off the reply of the
    current stage (read as a preview first); the reply may then be issued."""
    _deny_unless(access.can_sign_off_reply(actor, petition))
    if petition.status not in _STAGES:
        raise ValidationError(_("This case is not awaiting a reply."))
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(
        reply_signed_off_by=actor, reply_signed_off_at=now, reply_signed_off_status=petition.status
    )
    petition.reply_signed_off_by, petition.reply_signed_off_at = actor, now
    petition.reply_signed_off_status = petition.status
    audit_record(actor=actor, action="petitions.reply_signoff", target=petition, data={"status": petition.status})
    return petition


def petition_reply_preview(
    *,
    petition: Petition,
    actor: Any,
    request_summary: str,
    facts: str,
    reasons: str,
    decision: str,
    legal_basis: str,
) -> bytes:
    """PET-6: the 处理意见书 as it would be issued now, without a number (（预览）) and
    without issuing, recording or telling anyone: for the handler and the leader to read
    the Word document before the reply goes out. The same right as replying."""
    if petition.status not in _STAGES:
        raise ValidationError(_("This case is not awaiting a reply."))
    stage = _STAGES[petition.status][0]
    if stage == Reply.Stage.FIRST:
        _deny_unless(access.can_act_on(actor, petition))
    else:
        _triage_check(actor, petition)
    reply = Reply(
        petition=petition,
        stage=stage,
        request_summary=request_summary.strip(),
        facts=facts.strip(),
        reasons=reasons.strip(),
        decision=decision if decision in Reply.Decision.values else Reply.Decision.EXPLAINED,
        legal_basis=legal_basis.strip(),
        issued_at=timezone.now(),
        author=actor,
        document_number=PREVIEW_NUMBER,
    )
    return reply_docx(reply)


def _reply_issue(reply: Reply, *, actor: Any) -> None:
    """PET-6: the 处理意见书 is issued as a core document record under the bureau's next
    reply number — the bytes the filer downloads are the ones recorded here. It carries
    no identity of the filer (PET-9)."""

    def render(number: str) -> bytes:
        reply.document_number = number
        return reply_docx(reply)

    document = document_issue(
        kind=REPLY_DOCUMENT,
        organization=reply.petition.bureau,
        title=STAGE_TITLES[reply.stage],
        content=render,
        filename=f"{STAGE_TITLES[reply.stage]}-{{number}}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=reply,
        period=(timezone.localtime(reply.petition.received_at).date(), timezone.localtime(reply.issued_at).date()),
    )
    reply.document_number = document.number
    reply.save(update_fields=["document_number"])


@transaction.atomic
@audit_public()
def petition_rate(*, petition: Petition, satisfaction: str, comment: str = "") -> Petition:
    """The filer rates the reply (回访): satisfied / basically / unsatisfied (PET-10)."""
    if satisfaction not in Petition.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied you are.")})
    transition(
        petition,
        S.RATED,
        actor=None,
        data={"satisfaction": satisfaction},
        update={"satisfaction": satisfaction, "rating_comment": (comment or "").strip(), "rated_at": timezone.now()},
    )
    return petition


def _reply_of(petition: Petition, stage: str) -> Reply:
    reply = petition.replies.filter(stage=stage).first()
    if reply is None:
        raise ValidationError(_("This case has no reply at this stage."))
    return reply


@transaction.atomic
@audit_public()
def petition_review_apply(*, petition: Petition, reasons: str) -> Petition:
    """PET-7: the filer applies for review (复查) within 30 days of the reply; the answer
    is due in 30 days."""
    reasons = _require_text(reasons, "reasons", _("Give your reasons for asking for a review."))
    if petition.status not in (S.ANSWERED, S.RATED):
        raise ValidationError(_("A review can be asked for only after the reply."))
    reply = _reply_of(petition, Reply.Stage.FIRST)
    window = deadline(rules.REVIEW_APPLY_CLOCK, reply.issued_at)
    if timezone.now() > window.due:
        raise ValidationError(
            _("The period for asking for a review ended on %(due)s.") % {"due": _date(window.due)},
            code="lapsed",
        )
    transition(petition, S.UNDER_REVIEW, actor=None)
    _message_add(petition, Message.Direction.FROM_FILER, reasons)
    _open_clock(
        petition,
        rules.REVIEW_ANSWER_CLOCK,
        organization=triage_unit(petition.bureau, petition),
        start=timezone.now(),
        actor=None,
    )
    return petition


@transaction.atomic
@audit_public()
def petition_reexam_apply(*, petition: Petition, reasons: str) -> Petition:
    """PET-7: re-examination (复核) within 30 days of the review; answer due in 30 days.
    After it the same facts are not accepted again (:func:`petition_refuse_same_facts`)."""
    reasons = _require_text(reasons, "reasons", _("Give your reasons for asking for a re-examination."))
    if petition.status != S.REVIEWED:
        raise ValidationError(_("A re-examination can be asked for only after the review."))
    reply = _reply_of(petition, Reply.Stage.REVIEW)
    window = deadline(rules.REEXAM_APPLY_CLOCK, reply.issued_at)
    if timezone.now() > window.due:
        raise ValidationError(
            _("The period for asking for a re-examination ended on %(due)s.") % {"due": _date(window.due)},
            code="lapsed",
        )
    transition(petition, S.UNDER_REEXAMINATION, actor=None)
    _message_add(petition, Message.Direction.FROM_FILER, reasons)
    _open_clock(
        petition,
        rules.REEXAM_ANSWER_CLOCK,
        organization=triage_unit(petition.bureau, petition),
        start=timezone.now(),
        actor=None,
    )
    return petition


def review_window_lapsed(petition: Petition, now: datetime | None = None) -> bool:
    """PET-7: the filer can no longer ask for a review (after the reply) or a
    re-examination (after the review)."""
    ends = review_window_ends(petition)
    return ends is not None and (now or timezone.now()) > ends


def review_window_ends(petition: Petition) -> datetime | None:
    """PET-7: the end of the period in which the filer may ask for a review (after the
    reply) or a re-examination (after the review); None when the case's status has none."""
    if petition.status in (S.ANSWERED, S.RATED):
        reply = petition.replies.filter(stage=Reply.Stage.FIRST).first()
        return None if reply is None else deadline(rules.REVIEW_APPLY_CLOCK, reply.issued_at).due
    if petition.status == S.REVIEWED:
        reply = petition.replies.filter(stage=Reply.Stage.REVIEW).first()
        return None if reply is None else deadline(rules.REEXAM_APPLY_CLOCK, reply.issued_at).due
    return None


@transaction.atomic
def petition_close(*, petition: Petition, actor: Any) -> Petition:
    """Close the case (办结/归档). A declined or forwarded case closes at once; an
    answered one only when the filer can no longer ask for a review or re-examination
    (PET-7) — the daily job closes those. (PET-8's clock started with the reply.)"""
    if not is_system(actor):
        _deny_unless(access.can_triage(actor, petition.bureau) and access.can_act_on(actor, petition))
    if petition.status in (S.ANSWERED, S.RATED, S.REVIEWED) and not review_window_lapsed(petition):
        raise ValidationError(
            _("The filer may still ask for a review or re-examination; the case closes when that period ends.")
        )
    transition(petition, S.CLOSED, actor=actor, update={"closed_at": timezone.now()})
    if petition.accepted_at is not None:
        filer_notice(
            petition=petition,
            kind=FilerNotice.Kind.CLOSED,
            text=_("Your case %(number)s is closed.") % {"number": petition.number},
            actor=actor,
        )
    return petition


@transaction.atomic
def petition_result_tell(*, petition: Petition, actor: Any, text: str) -> Message:
    """PET-8: tell the filer of a real-name report the result once the handling has
    concluded (the first reply); the 15-working-day clock stops."""
    text = _require_text(text, "text", _("Write the result for the filer."))
    _deny_unless(access.can_act_on(actor, petition))
    if petition.answered_at is None:
        raise ValidationError(_("The result is told once the handling has concluded."))
    message = filer_notice(petition=petition, kind=FilerNotice.Kind.RESULT, text=text, actor=actor)
    _close_clock(petition, rules.RESULT_CLOCK, actor=actor, reason="result told")
    petition.result_told_at = timezone.now()
    petition.save(update_fields=["result_told_at", "updated_at"])
    audit_record(actor=actor, action="petitions.petition_result_tell", target=petition, data={"message": message.pk})
    return message


# --- messages, recusal, outcome -----------------------------------------------------------------


@transaction.atomic
def petition_message_to_filer(*, petition: Petition, actor: Any, text: str) -> Message:
    """A message to the filer, shown on the tracking page (and sent by their channel)."""
    text = _require_text(text, "text", _("Write the message."))
    _deny_unless(access.can_act_on(actor, petition))
    message = filer_notice(petition=petition, kind=FilerNotice.Kind.MESSAGE, text=text, actor=actor)
    audit_record(actor=actor, action="petitions.message_send", target=petition, data={"message": message.pk})
    return message


@transaction.atomic
def petition_note_internal(*, petition: Petition, actor: Any, text: str) -> Message:
    """An internal note: staff only, never on the tracking page."""
    text = _require_text(text, "text", _("Write the note."))
    _deny_unless(access.can_act_on(actor, petition))
    message = Message(petition=petition, direction=Message.Direction.INTERNAL, author=actor, text=text)
    message.full_clean()
    message.save()
    audit_record(actor=actor, action="petitions.note_add", target=petition, data={"message": message.pk})
    return message


@transaction.atomic
@audit_public()
def petition_message_from_filer(*, petition: Petition, text: str, attachments: Sequence[UploadedFile] = ()) -> Message:
    """The filer writes back (with the receipt code) and may add files. The handling
    unit (else the triage unit) is notified with the case number only."""
    text = _require_text(text, "text", _("Write your message."))
    if petition.status == S.CLOSED:
        raise ValidationError(_("This case is closed."))
    stored = _store_attachments(attachments, None)
    message = Message(petition=petition, direction=Message.Direction.FROM_FILER, text=text)
    message.full_clean()
    message.save()
    if stored:
        message.attachments.set(stored)
    unit = petition.assigned_to or triage_unit(petition.bureau, petition)
    notify(
        recipients=_members_told(unit, petition),
        verb=Notification.Verb.MESSAGE,
        text=_("The filer of case %(number)s wrote a message.") % {"number": petition.number},
        organization=unit,
    )
    audit_record(
        actor=None,
        action="petitions.message_receive",
        target=petition,
        data={"message": message.pk, "files": len(stored)},
    )
    return message


@transaction.atomic
def petition_recuse(*, petition: Petition, user: Any, reason: str, actor: Any) -> Recusal:
    """PET-9: a staff member with an interest steps aside (by themselves, or recorded
    by triage). From now on the case is invisible to them."""
    reason = _require_text(reason, "reason", _("Give the reason for stepping aside."))
    if actor is None or (actor.pk != user.pk and not access.can_triage(actor, petition.bureau)):
        raise PermissionDenied(_("You may not do this on this case."))
    recusal = Recusal(petition=petition, user=user, reason=reason, recorded_by=actor)
    recusal.full_clean()
    recusal.save()
    audit_record(actor=actor, action="petitions.petition_recuse", target=petition, data={"user": user.pk})
    return recusal


@transaction.atomic
def petition_record_outcome(*, petition: Petition, refunds_ordered_fen: int, sanctions: int, actor: Any) -> Petition:
    """PET-10: refunds ordered (integer fen) and sanctions resulting from the case."""
    _deny_unless(access.can_act_on(actor, petition))
    if refunds_ordered_fen < 0 or sanctions < 0:
        raise ValidationError(_("Refunds and sanctions cannot be negative."))
    petition.refunds_ordered_fen, petition.sanctions = refunds_ordered_fen, sanctions
    petition.full_clean(exclude=["receipt_hash"])
    petition.save(update_fields=["refunds_ordered_fen", "sanctions", "updated_at"])
    audit_record(
        actor=actor,
        action="petitions.petition_record_outcome",
        target=petition,
        data={"refunds_ordered_fen": refunds_ordered_fen, "sanctions": sanctions},
    )
    return petition


# --- identity and receipt --------------------------------------------------------------------------


@transaction.atomic
def identity_open(*, petition: Petition, user: Any, reason: str) -> FilerIdentity:
    """Open the filer's identity (custodian model): an authorised role
    (access.can_open_identity: a bureau discipline inspector or bureau leader, not
    excluded by PET-9) and a written reason; recorded as IdentityOpening and audited
    (the reason stays in the opening, not in the audit data)."""
    reason = _require_text(reason, "reason", _("Give the reason for opening the filer's identity."))
    if not access.can_open_identity(user, petition):
        raise PermissionDenied(_("You may not open the filer's identity."))
    try:
        identity = FilerIdentity.objects.get(petition=petition)
    except FilerIdentity.DoesNotExist:
        raise ValidationError(_("This case was filed anonymously.")) from None
    opening = IdentityOpening(petition=petition, user=user, reason=reason)
    opening.full_clean()
    opening.save()
    audit_record(actor=user, action="petitions.identity_open", target=petition, data={"opening": opening.pk})
    return identity


def receipt_lookup(*, code: str, ip: str | None) -> Petition | None:
    """The case of a receipt code, or None.

    The format (16 digits once spaces and dashes are removed) is checked before any
    query (ValidationError). Guesses go through ``core.throttle.guess_checked``: per
    address and per code, a few free wrong codes, then a growing wait of minutes;
    while a wait is pending ReceiptThrottled is raised — even for a right code. The
    counters are reserved atomically, so concurrent guesses cannot pass the limit.
    Every look-up is recorded (ReceiptAttempt: success, time; never the code nor the
    address)."""
    digits = rules.receipt_normalise(code)
    if digits is None:
        raise ValidationError(_("A receipt code has 16 digits."), code="format")
    address = _clean_ip(ip)
    try:
        guess = guess_checked(
            scope=rules.RECEIPT_PURPOSE,
            code=digits,
            address=address,
            lookup=lambda: Petition.objects.filter(
                receipt_hash=keyed_hash(digits, purpose=rules.RECEIPT_PURPOSE)
            ).first(),
        )
    except Throttled as exc:
        ReceiptAttempt.objects.create(succeeded=False, throttled=True)
        logger.warning("receipt look-ups throttled")
        raise ReceiptThrottled(exc.decision) from None
    ReceiptAttempt.objects.create(succeeded=guess.found is not None)
    return guess.found


# --- the daily job ----------------------------------------------------------------------------------


def petitions_close_lapsed(*, now: datetime | None = None) -> int:
    """PET-7: close every answered / rated / reviewed case whose review or
    re-examination window has lapsed (the daily job). Each case in its own
    transaction; a case another worker is closing at the same time is skipped."""
    now = now or timezone.now()
    # A cheap superset (no window can lapse before the clock's length has passed since the
    # first reply); review_window_lapsed() decides each case on the PET-7 clock itself.
    shortest = timedelta(days=clock_get(rules.REVIEW_APPLY_CLOCK).length)
    candidates = Petition.objects.filter(
        status__in=(S.ANSWERED, S.RATED, S.REVIEWED), answered_at__lt=now - shortest
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(candidates.iterator()):
        petition = Petition.objects.get(pk=pk)
        if not review_window_lapsed(petition, now):
            continue
        try:
            petition_close(petition=petition, actor=SYSTEM)
        except ValidationError:
            continue  # changed meanwhile (a late review application, another worker)
        closed += 1
    if closed:
        logger.info("petitions: %s cases closed after the PET-7 window", closed)
    return closed


# --- Blind indexes ------------------------------------------------------------------------


def identity_indexes(*, name: str, phone: str, id_number: str, email: str = "", named: bool = True) -> dict[str, str]:
    """The blind indexes of a filer's identity (``core.crypto.blind_index``, under the
    index key, never the receipt key): the contact keys that link the same filer's cases
    and find PET-7's earlier cases, never reversible. Phone without +86, e-mail in lower
    case, ID number in upper case (``rules.*_normalise``). An anonymous case (PET-8: not
    real-name) gets none, whatever was typed: it is never linked to anyone's cases."""
    if not named:
        return {"name_index": "", "phone_index": "", "id_index": "", "email_index": ""}
    phone, id_number, email = rules.phone_normalise(phone), rules.id_normalise(id_number), rules.email_normalise(email)
    return {
        "name_index": blind_index(rules.name_normalise(name), purpose=rules.NAME_INDEX_PURPOSE) if name.strip() else "",
        "phone_index": blind_index(phone, purpose=rules.PHONE_INDEX_PURPOSE) if phone else "",
        "id_index": blind_index(id_number, purpose=rules.ID_INDEX_PURPOSE) if id_number else "",
        "email_index": blind_index(email, purpose=rules.EMAIL_INDEX_PURPOSE) if email else "",
    }


def identity_indexes_rebuild(*, batch_size: int = 500) -> int:
    """Recompute every filer's blind indexes from the encrypted identity (after the
    index key changed, or after the indexes moved off the receipt key); returns how
    many changed. Idempotent; batches under row locks; audited."""
    changed, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                FilerIdentity.objects.select_for_update(of=("self",))
                .select_related("petition")
                .filter(pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            for identity in batch:
                fresh = identity_indexes(
                    name=identity.name,
                    phone=identity.phone,
                    id_number=identity.id_number,
                    email=identity.email,
                    named=identity.petition.named,
                )
                if any(getattr(identity, key) != value for key, value in fresh.items()):
                    FilerIdentity.objects.filter(pk=identity.pk).update(**fresh)
                    changed += 1
        if len(batch) < batch_size:
            break
        last_pk = batch[-1].pk
    if changed:
        with transaction.atomic():
            audit_record(actor=None, action="petitions.identity_reindex", data={"changed": changed})
    return changed


# --- Cross-channel links: the same filer, alike in content ---------------------------------------


def link_text(petition: Petition) -> str:
    """What the near-duplicate check compares: the subject, the facts and the request
    (not the reasons, which are often the same few words)."""
    return "\n".join((petition.title, petition.facts, petition.request))


def text_bands_store(petition: Petition) -> int:
    """Store the LSH band keys of the case's text (``core.textsim.band_keys``), replacing
    any it had; none for a text shorter than ``rules.LINK_MIN_CHARS``. Returns how many."""
    text = link_text(petition)
    keys = textsim.band_keys(text) if len(textsim.compact(text)) >= rules.LINK_MIN_CHARS else []
    PetitionTextBand.objects.filter(petition=petition).delete()
    bureau_id, received = petition.bureau_id, petition.received_at
    PetitionTextBand.objects.bulk_create(
        [PetitionTextBand(petition=petition, band=key, bureau_id=bureau_id, received_at=received) for key in set(keys)]
    )
    return len(set(keys))


def _link_window(petition: Petition) -> tuple[datetime, datetime]:
    days = timedelta(days=local_rule("PET-2-repeat-lookback-days"))
    return petition.received_at - days, petition.received_at + days


def _same_filer_ids(petition: Petition, window: tuple[datetime, datetime]) -> set[int]:
    """Real-name cases of the bureau in the window with a contact key (phone, ID number,
    e-mail) or the account of this real-name case; nothing for an anonymous case."""
    if not petition.named:
        return set()
    cases = Petition.objects.filter(bureau_id=petition.bureau_id, named=True, received_at__range=window).exclude(
        pk=petition.pk
    )
    ids: set[int] = set()
    identity = FilerIdentity.objects.filter(petition=petition).first()
    if identity is not None:
        for key in ("phone_index", "id_index", "email_index"):
            value = getattr(identity, key)
            if value:
                found = FilerIdentity.objects.filter(**{key: value}, petition__in=cases)
                ids.update(found.values_list("petition_id", flat=True)[: rules.LINK_MAX_PER_REASON])
    if petition.filer_user_id:
        ids.update(
            cases.filter(filer_user_id=petition.filer_user_id).values_list("pk", flat=True)[: rules.LINK_MAX_PER_REASON]
        )
    return ids


def _alike(petition: Petition, window: tuple[datetime, datetime]) -> dict[int, float]:
    """Cases of the bureau in the window alike in content (Jaccard ≥ rules.LINK_LIKENESS):
    candidates only through shared band keys, at most rules.LINK_CANDIDATES (most shared
    bands first), then compared exactly; never about two different named units."""
    keys = list(PetitionTextBand.objects.filter(petition=petition).values_list("band", flat=True))
    if not keys:
        return {}
    candidates = (
        PetitionTextBand.objects.filter(band__in=keys, bureau_id=petition.bureau_id, received_at__range=window)
        .exclude(petition_id=petition.pk)
        .values("petition_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "-petition_id")[: rules.LINK_CANDIDATES]
    )
    ids = [row["petition_id"] for row in candidates]
    mine = textsim.shingles(link_text(petition))
    found: dict[int, float] = {}
    for other in Petition.objects.filter(pk__in=ids).only("title", "facts", "request", "subject_organization_id"):
        if (
            petition.subject_organization_id
            and other.subject_organization_id
            and other.subject_organization_id != petition.subject_organization_id
        ):
            continue
        likeness = textsim.jaccard_of(mine, textsim.shingles(link_text(other)))
        if likeness >= rules.LINK_LIKENESS:
            found[other.pk] = round(likeness, 3)
    best = sorted(found, key=lambda pk: -found[pk])[: rules.LINK_MAX_PER_REASON]
    return {pk: found[pk] for pk in best}


def petition_links_find(*, petition: Petition, actor: Any, audit: bool = True) -> list[PetitionLink]:
    """Link the case to the bureau's cases within the LOCAL look-back
    PET-2-repeat-lookback-days (before and after it) that have the same filer or are
    alike in content (rules.py: the reasons and their limits). One row per pair, seen
    from both cases; an existing link gains a reason and keeps staff's decision.
    Called by :func:`petition_file` for every channel; audited (case numbers and
    reasons only). Returns the links made or changed."""
    window = _link_window(petition)
    same = _same_filer_ids(petition, window)
    alike = _alike(petition, window)
    others = {p.pk: p for p in Petition.objects.filter(pk__in=same | set(alike)).only("pk", "number", "received_at")}
    changed: list[PetitionLink] = []
    for pk, other in sorted(others.items()):
        first, second = sorted((petition, other), key=lambda p: (p.received_at, p.pk))
        link = PetitionLink.objects.select_for_update().filter(earlier=first, later=second).first()
        same_filer, likeness = pk in same, alike.get(pk)
        if link is None:
            link = PetitionLink.objects.create(earlier=first, later=second, same_filer=same_filer, likeness=likeness)
        elif (same_filer and not link.same_filer) or (likeness is not None and likeness != link.likeness):
            link.same_filer = link.same_filer or same_filer
            link.likeness = likeness if likeness is not None else link.likeness
            link.save(update_fields=["same_filer", "likeness"])
        else:
            continue
        changed.append(link)
    if changed and audit:
        audit_record(
            actor=actor,
            action="petitions.links_find",
            target=petition,
            data={
                "links": [
                    {"case": link.other(petition), "same_filer": link.same_filer, "likeness": link.likeness}
                    for link in changed
                ]
            },
        )
    return changed


@transaction.atomic
def petition_link_decide(*, link: PetitionLink, actor: Any, confirm: bool) -> PetitionLink:
    """Staff confirm a suggested link as the same matter, or dismiss it (not the same
    matter; a same-filer link stays one). Triage of the bureau who may see both cases
    (``access.can_decide_link``); audited; the decision can be changed, each time audited."""
    link = PetitionLink.objects.select_for_update().select_related("earlier", "later").get(pk=link.pk)
    _deny_unless(access.can_decide_link(actor, link))
    state = PetitionLink.State.CONFIRMED if confirm else PetitionLink.State.DISMISSED
    old = link.state
    link.state, link.decided_by, link.decided_at = state, _user(actor), timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="petitions.link_decide",
        target=link.later,
        data={"earlier": link.earlier_id, "later": link.later_id, "old": old, "new": state},
    )
    return link


def petition_links_rebuild(*, since: datetime | None = None, batch_size: int = 500) -> tuple[int, int]:
    """Backfill: re-index the filers' contact keys (:func:`identity_indexes_rebuild`),
    then store every case's band keys and link it (received since ``since``, oldest
    first; each batch in its own transaction). Idempotent: links already made keep
    their state. Returns (cases, links made or changed); one audit entry in all."""
    identity_indexes_rebuild(batch_size=batch_size)
    cases = Petition.objects.order_by("received_at", "pk")
    if since is not None:
        cases = cases.filter(received_at__gte=since)
    ids = list(cases.values_list("pk", flat=True))
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    for batch in batches:  # every case's band keys first, so that each pair is found
        with transaction.atomic():
            for petition in Petition.objects.filter(pk__in=batch):
                text_bands_store(petition)
    linked = 0
    for batch in batches:
        with transaction.atomic():
            for petition in Petition.objects.filter(pk__in=batch).order_by("received_at", "pk"):
                linked += len(petition_links_find(petition=petition, actor=SYSTEM, audit=False))
    with transaction.atomic():
        audit_record(actor=None, action="petitions.links_rebuild", data={"cases": len(ids), "links": linked})
    return len(ids), linked
