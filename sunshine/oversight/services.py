"""Every write of oversight: keyword-only, atomic, the actor's right checked here, an
audit entry, status changes through ``core.transitions.transition``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_record
from sunshine.core.clocks import SHANGHAI, deadline, score_rag, score_thresholds
from sunshine.core.imports import SheetLimits, spreadsheet_check, spreadsheet_rows
from sunshine.core.local_rules import local_rule, local_rule_for_period
from sunshine.core.models import StoredFile, Supervision
from sunshine.core.privacy import guard_publication
from sunshine.core.seams import FeeViolationConfirmed, RectificationRequest
from sunshine.core.supervision import (
    supervision_answer,
    supervision_cancel,
    supervision_close,
    supervision_get_active,
    supervision_on_time,
    supervision_open,
    supervision_reopen,
)
from sunshine.core.transitions import transition
from sunshine.core.uploads import (
    KIND_DOCUMENTS,
    KIND_IMAGES,
    KIND_SPREADSHEETS,
    KIND_TEXT,
    discard_on_error,
    upload_store,
)
from sunshine.orgs.access import has_role
from sunshine.orgs.models import Organization, Role
from sunshine.oversight import access
from sunshine.oversight.indicators import STANDARD_INDICATORS, collect_raw, hundredths, period_of, shown
from sunshine.oversight.models import (
    AdvancedList,
    Campaign,
    CampaignReturn,
    Circular,
    CircularConfirmation,
    Evaluation,
    Indicator,
    IndicatorSet,
    IndicatorValue,
    Inspection,
    InspectionFinding,
    RectificationItem,
    RectificationOrder,
    SchoolScore,
    SupervisorAppointment,
    Talk,
    Veto,
)


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this."))


def _actor_given(actor: Any) -> None:
    if actor is None:
        raise PermissionDenied(_("Say who acts: a person or the system."))


def _today() -> date:
    return timezone.localdate()


# --- Rectification (OVS-4) -------------------------------------------------------------------

_SOURCES = {
    "oversight.inspection": RectificationOrder.Source.INSPECTION,
    "fees": RectificationOrder.Source.FEES,
    "petitions": RectificationOrder.Source.PETITIONS,
    "funds": RectificationOrder.Source.FUNDS,
    "oversight.evaluation": RectificationOrder.Source.EVALUATION,
    "disclosure": RectificationOrder.Source.DISCLOSURE,
}


def source_kind(source_label: str) -> str:
    for prefix, kind in _SOURCES.items():
        if source_label.startswith(prefix):
            return kind
    return RectificationOrder.Source.OTHER


def _open_item_clock(item: RectificationItem, *, actor: Any, start: datetime) -> Supervision:
    return supervision_open(
        item=item,
        organization=item.order.organization,
        rule_id="OVS-4",
        start=start,
        actor=actor,
        title=_("Rectify: %(text)s") % {"text": item.text[:80]},
        due_on=item.due_on,
    )


@transaction.atomic
def rectification_order_create(
    *,
    organization: Organization,
    issuer: Organization,
    source_label: str,
    items: Sequence[tuple[str, date | None, str]],
    actor: Any,
    title: str = "",
) -> RectificationOrder:
    """Order ``organization`` to put ``items`` right ((text, due_on or None, clock ID)):
    each due by its date or by its clock (OVS-4) and supervised through core. One order
    per ``source_label``: a second request for the same source returns the first."""
    _actor_given(actor)
    if not is_system(actor):
        _require(access.is_overseer(actor, issuer), _("Only the bureau's staff issue rectification orders."))
    existing = RectificationOrder.objects.filter(source_label=source_label).first()
    if existing is not None:
        return existing
    items = [(text.strip(), due, rule) for text, due, rule in items if text.strip()]
    if not items:
        raise ValidationError(_("Name at least one thing to put right."))
    now = timezone.now()
    order = RectificationOrder.objects.create(
        organization=organization,
        issuer=issuer,
        source_label=source_label,
        source=source_kind(source_label),
        title=title or _("Rectification order for %(unit)s") % {"unit": organization.name},
    )
    for position, (text, due_on, rule_id) in enumerate(items, start=1):
        if due_on is not None and due_on < now.astimezone(SHANGHAI).date():
            raise ValidationError(_("A rectification item cannot be due before today."))
        due = due_on or deadline(rule_id or "OVS-4", now).due_date
        item = RectificationItem.objects.create(order=order, position=position, text=text, due_on=due)
        _open_item_clock(item, actor=actor, start=now)
    audit_record(
        actor=actor,
        action="oversight.order_create",
        target=order,
        data={"organization": organization.pk, "issuer": issuer.pk, "source": source_label, "items": len(items)},
    )
    return order


def rectification_request_receive(payload: RectificationRequest, *, actor: Any) -> None:
    """Subscriber of ``core.seams.rectification_request``: the order, once per source."""
    _actor_given(actor)
    organization = Organization.objects.get(pk=payload.organization_id)
    issuer = Organization.objects.get(pk=payload.issuer_id)
    rectification_order_create(
        organization=organization,
        issuer=issuer,
        source_label=payload.source_label,
        items=[(i.text, i.due_on, i.rule_id) for i in payload.items],
        actor=SYSTEM,
    )


def _store_files(files: Iterable[Any], *, purpose: str, actor: Any, kinds: frozenset[str]) -> list[StoredFile]:
    return [upload_store(file=f, purpose=purpose, actor=actor, allowed_kinds=kinds) for f in files]


@transaction.atomic
def rectification_report(
    *, item: RectificationItem, actor: Any, text: str, files: Iterable[Any] = ()
) -> RectificationItem:
    """The unit reports what it did, with evidence; the item waits for the issuer's
    verification (OVS-4-verify). Reported is not fixed."""
    _require(access.can_report(actor, item), _("Only the unit the order is addressed to reports on it."))
    if not text.strip():
        raise ValidationError(_("Say what was done to put it right."))
    if item.status != RectificationItem.Status.OPEN:
        raise ValidationError(_("This item is not waiting for a report."))
    stored = _store_files(files, purpose="oversight.evidence", actor=actor, kinds=KIND_IMAGES | KIND_DOCUMENTS)
    now = timezone.now()
    transition(
        item, RectificationItem.Status.REPORTED, actor=actor, update={"report": text.strip(), "reported_at": now}
    )
    item.evidence.add(*stored)
    clock = supervision_get_active(item=item, rule_id="OVS-4")
    if clock is not None and clock.status == Supervision.Status.OPEN:
        supervision_answer(supervision=clock, actor=actor, reason=_("Rectification reported"))
    supervision_open(
        item=item,
        organization=item.order.issuer,
        rule_id="OVS-4-verify",
        start=now,
        actor=actor,
        title=_("Verify the rectification: %(text)s") % {"text": item.text[:80]},
    )
    audit_record(actor=actor, action="oversight.item_report", target=item, data={"files": [f.pk for f in stored]})
    return item


@transaction.atomic
def rectification_verify(*, item: RectificationItem, actor: Any, accept: bool, reason: str = "") -> RectificationItem:
    """The issuer verifies a report: accepted, the item is closed as rectified (on time
    if reported by its due date); refused, with a reason, it goes back to the unit."""
    _require(access.can_verify(actor, item), _("Only the issuing bureau verifies a rectification."))
    if item.status != RectificationItem.Status.REPORTED:
        raise ValidationError(_("Only a reported item can be verified."))
    clock = supervision_get_active(item=item, rule_id="OVS-4")
    check = supervision_get_active(item=item, rule_id="OVS-4-verify")
    if accept:
        on_time = clock is None or supervision_on_time(clock, now=item.reported_at)
        transition(
            item,
            RectificationItem.Status.VERIFIED,
            actor=actor,
            reason=reason,
            update={"verified_at": timezone.now(), "verified_on_time": on_time},
        )
        if clock is not None:
            supervision_close(supervision=clock, actor=actor, reason=_("Verified as rectified"))
    else:
        if not reason.strip():
            raise ValidationError(_("Give the reason the report is not accepted."))
        transition(item, RectificationItem.Status.OPEN, actor=actor, reason=reason)
        if clock is not None:
            supervision_reopen(supervision=clock, actor=actor, reason=reason)
    if check is not None:
        supervision_close(supervision=check, actor=actor, reason=_("Verification recorded"))
    audit_record(actor=actor, action="oversight.item_verify", target=item, data={"accepted": accept})
    return item


@transaction.atomic
def rectification_reopen(
    *, item: RectificationItem, actor: Any, reason: str, due_on: date | None = None
) -> RectificationItem:
    """A verified item found not fixed after all: open again, with a reason and a new
    due date (the order's clock from today unless given)."""
    _require(access.can_verify(actor, item), _("Only the issuing bureau reopens a rectification."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    if item.status != RectificationItem.Status.VERIFIED:
        raise ValidationError(_("Only a verified item can be reopened."))
    now = timezone.now()
    due = due_on or deadline("OVS-4", now).due_date
    transition(
        item,
        RectificationItem.Status.OPEN,
        actor=actor,
        reason=reason,
        update={"due_on": due, "verified_at": None, "verified_on_time": False, "reported_at": None},
    )
    _open_item_clock(item, actor=actor, start=now)
    audit_record(actor=actor, action="oversight.item_reopen", target=item, data={"due_on": due.isoformat()})
    return item


# --- The one-vote veto (OVS-2, FEE-6) ------------------------------------------------------


def _veto_set(
    *, school: Organization, school_year: str, reason: str, evidence: str, source_label: str, actor: Any
) -> tuple[Veto, bool]:
    veto, created = Veto.objects.get_or_create(
        school=school,
        school_year=school_year,
        defaults={
            "reason": reason,
            "evidence": evidence[:300],
            "source_label": source_label,
            "appeal_due_on": deadline("OVS-2-appeal", timezone.now()).due_date,
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="oversight.veto_set",
            target=veto,
            data={"school": school.pk, "school_year": school_year, "reason": reason, "source": source_label},
        )
    return veto, created


def fee_violation_receive(payload: FeeViolationConfirmed, *, actor: Any) -> None:
    """Subscriber of ``core.seams.fee_violation_confirmed``: FEE-6 (LOCAL "FEE-6-veto")
    vetoes the school's advanced rating for the school year; one veto per school and year."""
    _actor_given(actor)
    if not local_rule("FEE-6-veto"):
        return
    school = Organization.objects.get(pk=payload.school_id)
    _veto_set(
        school=school,
        school_year=payload.school_year,
        reason=Veto.Reason.ILLEGAL_FEE,
        evidence=payload.finding_label,
        source_label=f"fees.finding:{payload.finding_id}",
        actor=actor,
    )


@transaction.atomic
def veto_appeal(*, veto: Veto, actor: Any, text: str) -> Veto:
    """The school appeals within OVS-2-appeal."""
    _require(access.can_manage_school(actor, veto.school), _("Only the school itself appeals its veto."))
    if not text.strip():
        raise ValidationError(_("Give the grounds of the appeal."))
    if _today() > veto.appeal_due_on:
        raise ValidationError(_("The time to appeal ended on %(day)s.") % {"day": veto.appeal_due_on.isoformat()})
    transition(veto, Veto.Status.APPEALED, actor=actor, update={"appeal_text": text.strip()})
    return veto


@transaction.atomic
def veto_decide(*, veto: Veto, actor: Any, lift: bool, decision: str) -> Veto:
    _require(access.is_overseer(actor, veto.school), _("Only the bureau decides an appeal."))
    if not decision.strip():
        raise ValidationError(_("Give the reasons of the decision."))
    to = Veto.Status.LIFTED if lift else Veto.Status.UPHELD
    transition(veto, to, actor=actor, reason=decision, update={"decision": decision.strip()})
    return veto


# --- Evaluation (OVS-1) -------------------------------------------------------------------


@transaction.atomic
def indicator_set_create(*, bureau: Organization, period: str, actor: Any, title: str = "") -> IndicatorSet:
    """The period's indicators from the LOCAL table OVS-2-weights; each named indicator
    takes its source from the standard catalogue (a name not in it is scored by hand)."""
    _require(is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff set indicators."))
    period_of(period)  # a clear message for a bad period
    if IndicatorSet.objects.filter(bureau=bureau, period=period).exists():
        raise ValidationError(_("The indicators of this period are already set."))
    indicator_set = IndicatorSet.objects.create(
        bureau=bureau, period=period, title=title or _("Evaluation %(period)s") % {"period": period}
    )
    for position, row in enumerate(local_rule_for_period("OVS-2-weights", period), start=1):
        source, method, per_unit = STANDARD_INDICATORS.get(row.indicator, (Indicator.MANUAL, Indicator.Method.RATE, 0))
        Indicator.objects.create(
            indicator_set=indicator_set,
            position=position,
            name=row.indicator,
            source=source,
            method=method,
            weight=row.weight,
            per_unit=Decimal(per_unit),
        )
    audit_record(actor=actor, action="oversight.indicators_set", target=indicator_set, data={"period": period})
    return indicator_set


@transaction.atomic
def evaluation_create(*, indicator_set: IndicatorSet, actor: Any, school_year: str = "") -> Evaluation:
    _require(
        is_system(actor) or access.is_overseer(actor, indicator_set.bureau), _("Only the bureau's staff evaluate.")
    )
    evaluation = Evaluation.objects.create(indicator_set=indicator_set, school_year=school_year)
    audit_record(actor=actor, action="oversight.evaluation_create", target=evaluation, data={})
    return evaluation


def _draft(evaluation: Evaluation) -> None:
    if evaluation.status != Evaluation.Status.DRAFT:
        raise ValidationError(_("The bulletin of this evaluation is issued; it cannot change."))


def _schools(evaluation: Evaluation) -> Any:
    return Organization.objects.filter(
        parent=evaluation.indicator_set.bureau, kind=Organization.Kind.SCHOOL, is_active=True
    )


@transaction.atomic
def indicator_value_enter(
    *, evaluation: Evaluation, indicator: Indicator, school: Organization, raw: Decimal, note: str, actor: Any
) -> IndicatorValue:
    """A hand score with its evidence (a note naming it)."""
    _require(access.is_overseer(actor, evaluation.indicator_set.bureau), _("Only the bureau's staff score by hand."))
    _draft(evaluation)
    if indicator.indicator_set_id != evaluation.indicator_set_id or indicator.source != Indicator.MANUAL:
        raise ValidationError(_("This indicator is not scored by hand."))
    if school.parent_id != evaluation.indicator_set.bureau_id:
        raise ValidationError(_("The school is not one of this bureau's."))
    if not note.strip():
        raise ValidationError(_("Name the evidence of a hand score."))
    if indicator.method == Indicator.Method.RATE and not 0 <= raw <= 100:
        raise ValidationError(_("A score is between 0 and 100."))
    if raw < 0:
        raise ValidationError(_("A count cannot be negative."))
    value, _created = IndicatorValue.objects.update_or_create(
        evaluation=evaluation, indicator=indicator, school=school, defaults={"raw": raw, "note": note.strip()}
    )
    audit_record(
        actor=actor, action="oversight.value_enter", target=value, data={"indicator": indicator.pk, "raw": str(raw)}
    )
    return value


DEDUCT = Indicator.Method.DEDUCT


def score_schools(evaluation: Evaluation) -> list[SchoolScore]:
    """Every school's score with its working, colour and rank (not saved). The figures are
    read for all schools at once (``collect_raw``), the hand scores in one query, the rest
    is integer arithmetic in hundredths."""
    indicators = list(evaluation.indicator_set.indicators.all())
    period = evaluation.indicator_set.period
    lines = score_thresholds(period)
    bureau = evaluation.indicator_set.bureau
    school_ids = list(_schools(evaluation).values_list("pk", flat=True))
    columns: dict[int, dict[int, int | None]] = {ind.pk: {} for ind in indicators}
    for ind in indicators:
        if ind.source != Indicator.MANUAL:
            found = collect_raw(ind.source, period=period_of(period), bureau=bureau, school_ids=school_ids)
            columns[ind.pk] = {pk: hundredths(v) for pk, v in found.items()}
    rows = (
        IndicatorValue.objects.filter(evaluation=evaluation)
        .annotate(as_float=Cast("raw", FloatField()))
        .values_list("indicator_id", "school_id", "as_float")
    )
    seen: dict[float, int | None] = {}
    for ind_id, school_id, value in rows:
        if value not in seen:
            seen[value] = hundredths(value)
        columns[ind_id][school_id] = seen[value]
    plan = [
        (ind.weight, ind.method == DEDUCT, int(ind.per_unit * 100), ind.source == Indicator.MANUAL, columns[ind.pk])
        for ind in indicators
    ]
    scores = []
    for school_id in school_ids:
        working = []
        total = 0
        for weight, deduct, per_unit_h, manual, column in plan:
            # Points in hundredths. "deduct": the weight less per_unit for each case, never
            # below zero. "rate": weight × value / 100, the value held between 0 and 100.
            # No value: a hand score not given scores nothing; a rate of nothing due and a
            # count of no case score the full weight.
            raw_h = column.get(school_id)
            if raw_h is None:
                points = 0 if manual else weight * 100
            elif deduct:
                points = max(0, weight * 100 - (raw_h * per_unit_h + 50) // 100)
            else:
                points = (weight * (0 if raw_h < 0 else 10000 if raw_h > 10000 else raw_h) + 50) // 100
            total += points
            working.append([shown(raw_h), shown(points)])
        score = Decimal(shown(total) or 0)
        rag = score_rag(float(score), period=period, thresholds=lines)
        scores.append(
            SchoolScore(evaluation_id=evaluation.pk, school_id=school_id, score=score, rag=rag, rank=0, working=working)
        )
    scores.sort(key=lambda s: -s.score)
    rank, previous = 0, None
    for position, s in enumerate(scores, start=1):
        if s.score != previous:
            rank, previous = position, s.score
        s.rank = rank
    return scores


@transaction.atomic
def evaluation_compute(*, evaluation: Evaluation, actor: Any) -> int:
    """Score every school (working, colour by OVS-1's lines of the period, rank)."""
    _require(
        is_system(actor) or access.is_overseer(actor, evaluation.indicator_set.bureau),
        _("Only the bureau's staff evaluate."),
    )
    _draft(evaluation)
    scores = score_schools(evaluation)
    lines = score_thresholds(evaluation.indicator_set.period)
    SchoolScore.objects.filter(evaluation=evaluation).delete()
    SchoolScore.objects.bulk_create(scores, batch_size=2000)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        computed_at=timezone.now(), green_min=lines.green_min, amber_min=lines.amber_min
    )
    evaluation.refresh_from_db()
    audit_record(actor=actor, action="oversight.evaluation_compute", target=evaluation, data={"schools": len(scores)})
    return len(scores)


@transaction.atomic
def evaluation_issue(*, evaluation: Evaluation, actor: Any) -> Evaluation:
    """Issue the bulletin (通报) as a .docx record of the bureau and publish it."""
    from sunshine.core.documents import DOCX_TYPE
    from sunshine.core.issued import document_issue
    from sunshine.oversight.bulletin import BULLETIN_DOCUMENT, bulletin_docx

    bureau = evaluation.indicator_set.bureau
    _require(is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff issue the bulletin."))
    _draft(evaluation)
    if evaluation.computed_at is None or not evaluation.scores.exists():
        raise ValidationError(_("Compute the scores before issuing the bulletin."))
    counts = {rag: evaluation.scores.filter(rag=rag).count() for rag in ("green", "amber", "red")}
    period = period_of(evaluation.indicator_set.period)
    document_issue(
        kind=BULLETIN_DOCUMENT,
        organization=bureau,
        title=str(evaluation.indicator_set.title),
        content=lambda number: bulletin_docx(evaluation, number=number),
        filename="{number}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=evaluation,
        period=(period.first_day, period.last_day),
        figures={f"oversight.schools_{k}": v for k, v in counts.items()},
        publish=True,
    )
    transition(evaluation, Evaluation.Status.ISSUED, actor=actor)
    return evaluation


@transaction.atomic
def advanced_list_publish(*, evaluation: Evaluation, places: int, actor: Any) -> AdvancedList:
    """The annual advanced units (OVS-2): the last-placed school is vetoed (LOCAL
    "OVS-2-veto"), and no vetoed school (illegal fee, FEE-6; last place) is listed
    unless its veto was lifted on appeal; the best ``places`` others are."""
    bureau = evaluation.indicator_set.bureau
    _require(is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff publish the list."))
    if evaluation.status != Evaluation.Status.ISSUED:
        raise ValidationError(_("Issue the evaluation's bulletin first."))
    if not evaluation.school_year:
        raise ValidationError(_("Only an annual evaluation with its school year gives advanced units."))
    if places < 1:
        raise ValidationError(_("Give how many places there are."))
    if hasattr(evaluation, "advanced_list"):
        raise ValidationError(_("The list of advanced units is already published."))
    scores = list(evaluation.scores.select_related("school").order_by("rank", "school__name"))
    if local_rule("OVS-2-veto") and scores:
        last_rank = scores[-1].rank
        for last in (s for s in scores if s.rank == last_rank):
            _veto_set(
                school=last.school,
                school_year=evaluation.school_year,
                reason=Veto.Reason.LAST_PLACE,
                evidence=_("Rank %(rank)s of %(count)s, %(score)s points")
                % {"rank": last.rank, "count": len(scores), "score": last.score},
                source_label=f"oversight.evaluation:{evaluation.pk}",
                actor=actor,
            )
    vetoed = set(
        Veto.objects.filter(school_year=evaluation.school_year, school__parent=bureau)
        .exclude(status=Veto.Status.LIFTED)
        .values_list("school_id", flat=True)
    )
    chosen = [s for s in scores if s.school_id not in vetoed][:places]
    guard_publication(*(s.school.name for s in chosen))  # core.privacy: a published list names no person
    advanced = AdvancedList.objects.create(
        evaluation=evaluation,
        school_year=evaluation.school_year,
        places=places,
        schools=[{"school": s.school_id, "name": s.school.name, "score": str(s.score), "rank": s.rank} for s in chosen],
        published_at=timezone.now(),
    )
    audit_record(actor=actor, action="oversight.advanced_publish", target=advanced, data={"schools": len(chosen)})
    return advanced


# --- Supervisors and inspections -----------------------------------------------------------


@transaction.atomic
def appointment_create(
    *, bureau: Organization, user: Any, starts_on: date, ends_on: date, schools: Iterable[Organization], actor: Any
) -> SupervisorAppointment:
    _require(access.is_overseer(actor, bureau), _("Only the bureau's staff appoint supervisors."))
    if not has_role(user, Role.SUPERVISOR):
        raise ValidationError(_("The person appointed must hold the social supervisor role."))
    if ends_on < starts_on:
        raise ValidationError(_("The term cannot end before it starts."))
    schools = list(schools)
    if not schools or any(s.parent_id != bureau.pk for s in schools):
        raise ValidationError(_("Choose the schools in scope among the bureau's."))
    appointment = SupervisorAppointment.objects.create(bureau=bureau, user=user, starts_on=starts_on, ends_on=ends_on)
    appointment.schools.set(schools)
    audit_record(actor=actor, action="oversight.appointment_create", target=appointment, data={"schools": len(schools)})
    return appointment


@transaction.atomic
def inspection_open(
    *,
    appointment: SupervisorAppointment,
    school: Organization,
    mode: str,
    visited_on: date,
    items_checked: str,
    actor: Any,
) -> Inspection:
    _require(
        getattr(actor, "pk", None) == appointment.user_id, _("Only the appointed supervisor records an inspection.")
    )
    if not appointment.starts_on <= visited_on <= appointment.ends_on:
        raise ValidationError(_("The visit must fall within the supervisor's term."))
    if not appointment.schools.filter(pk=school.pk).exists():
        raise ValidationError(_("The school is not within the supervisor's scope."))
    if not items_checked.strip():
        raise ValidationError(_("List the items checked."))
    inspection = Inspection.objects.create(
        appointment=appointment, school=school, mode=mode, visited_on=visited_on, items_checked=items_checked.strip()
    )
    audit_record(actor=actor, action="oversight.inspection_open", target=inspection, data={"mode": mode})
    return inspection


@transaction.atomic
def finding_add(*, inspection: Inspection, text: str, photos: Iterable[Any] = (), actor: Any) -> InspectionFinding:
    _require(access.can_inspect(actor, inspection), _("Only the appointed supervisor records findings."))
    if inspection.status != Inspection.Status.DRAFT:
        raise ValidationError(_("The report is filed; its findings are sealed."))
    if not text.strip():
        raise ValidationError(_("Describe the finding."))
    stored = _store_files(photos, purpose="oversight.photo", actor=actor, kinds=KIND_IMAGES)
    finding = InspectionFinding.objects.create(inspection=inspection, text=text.strip())
    finding.photos.add(*stored)
    audit_record(actor=actor, action="oversight.finding_add", target=finding, data={"photos": len(stored)})
    return finding


def finding_seal(finding: InspectionFinding) -> str:
    """SHA-256 of the finding's text and its photos' hashes, in order."""
    digest = hashlib.sha256(finding.text.encode())
    for sha in finding.photos.order_by("pk").values_list("sha256", flat=True):
        digest.update(b"\n" + sha.encode())
    return digest.hexdigest()


@transaction.atomic
def inspection_file(*, inspection: Inspection, actor: Any) -> Inspection:
    """File the report: every finding sealed; a covert visit becomes visible to the school."""
    _require(access.can_inspect(actor, inspection), _("Only the appointed supervisor files the report."))
    seals = {}
    for finding in inspection.findings.all():
        finding.seal = finding_seal(finding)
        finding.save(update_fields=["seal"])
        seals[finding.pk] = finding.seal
    transition(inspection, Inspection.Status.FILED, actor=actor, update={"filed_at": timezone.now()})
    audit_record(actor=actor, action="oversight.inspection_file", target=inspection, data={"seals": seals})
    return inspection


@transaction.atomic
def finding_to_order(*, finding: InspectionFinding, actor: Any, due_on: date | None = None) -> RectificationOrder:
    """A filed, intact finding becomes a rectification order for the school."""
    finding.refresh_from_db()
    inspection = finding.inspection
    bureau = inspection.appointment.bureau
    _require(access.is_overseer(actor, bureau), _("Only the bureau's staff issue rectification orders."))
    if inspection.status != Inspection.Status.FILED:
        raise ValidationError(_("File the inspection report first."))
    if finding.seal != finding_seal(finding):
        raise ValidationError(_("The finding does not match its seal."))
    order = rectification_order_create(
        organization=inspection.school,
        issuer=bureau,
        source_label=f"oversight.inspection_finding:{finding.pk}",
        items=[(finding.text, due_on, "OVS-4")],
        actor=actor,
        title=_("Rectification of the inspection of %(day)s") % {"day": inspection.visited_on.isoformat()},
    )
    finding.order = order
    finding.save(update_fields=["order"])
    return order


# --- Circulars (OVS-5) ------------------------------------------------------------------------


def _receipt_clock(confirmation: CircularConfirmation, *, actor: Any, start: datetime) -> None:
    supervision_open(
        item=confirmation,
        organization=confirmation.school,
        rule_id="OVS-5-receipt",
        start=start,
        actor=actor,
        title=_("Confirm receipt: %(title)s") % {"title": confirmation.circular.title[:80]},
    )


@transaction.atomic
def circular_issue(
    *,
    bureau: Organization,
    number: str,
    title: str,
    body: str,
    forwarded: bool,
    schools: Iterable[Organization],
    actor: Any,
) -> Circular:
    _require(is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff circulate documents."))
    if not number.strip() or not title.strip():
        raise ValidationError(_("Give the document's number and title."))
    schools = list(schools)
    if not schools or any(s.parent_id != bureau.pk for s in schools):
        raise ValidationError(_("Choose the schools among the bureau's."))
    now = timezone.now()
    circular = Circular.objects.create(
        bureau=bureau, number=number.strip(), title=title.strip(), body=body, forwarded=forwarded, issued_at=now
    )
    for school in schools:
        confirmation = CircularConfirmation.objects.create(circular=circular, school=school)
        _receipt_clock(confirmation, actor=actor, start=now)
    audit_record(actor=actor, action="oversight.circular_issue", target=circular, data={"schools": len(schools)})
    return circular


@transaction.atomic
def circular_confirm_receipt(*, confirmation: CircularConfirmation, actor: Any) -> CircularConfirmation:
    _require(access.can_manage_school(actor, confirmation.school), _("Only the school confirms its own receipt."))
    if confirmation.received_at is not None:
        raise ValidationError(_("Receipt is already confirmed."))
    now = timezone.now()
    confirmation.received_at = now
    confirmation.save(update_fields=["received_at"])
    clock = supervision_get_active(item=confirmation, rule_id="OVS-5-receipt")
    if clock is not None:
        supervision_close(supervision=clock, actor=actor, reason=_("Receipt confirmed"))
    supervision_open(
        item=confirmation,
        organization=confirmation.school,
        rule_id="OVS-5-study",
        start=now,
        actor=actor,
        title=_("Confirm the study: %(title)s") % {"title": confirmation.circular.title[:80]},
    )
    audit_record(actor=actor, action="oversight.circular_receipt", target=confirmation, data={})
    return confirmation


@transaction.atomic
def circular_confirm_study(
    *, confirmation: CircularConfirmation, actor: Any, studied_on: date, attendees: int, minutes: str
) -> CircularConfirmation:
    _require(access.can_manage_school(actor, confirmation.school), _("Only the school confirms its own study."))
    if confirmation.received_at is None:
        raise ValidationError(_("Confirm receipt first."))
    if confirmation.studied_at is not None:
        raise ValidationError(_("The study is already confirmed."))
    if studied_on > _today() or studied_on < confirmation.received_at.astimezone(SHANGHAI).date():
        raise ValidationError(_("The study date must fall between receipt and today."))
    if attendees < 1 or not minutes.strip():
        raise ValidationError(_("Give the number of attendees and the minutes."))
    confirmation.studied_on, confirmation.attendees, confirmation.minutes = studied_on, attendees, minutes.strip()
    confirmation.studied_at = timezone.now()
    confirmation.save(update_fields=["studied_on", "attendees", "minutes", "studied_at"])
    clock = supervision_get_active(item=confirmation, rule_id="OVS-5-study")
    if clock is not None:
        supervision_close(supervision=clock, actor=actor, reason=_("Study confirmed"))
    audit_record(actor=actor, action="oversight.circular_study", target=confirmation, data={"attendees": attendees})
    return confirmation


@transaction.atomic
def circular_revise(*, circular: Circular, actor: Any, body: str, reason: str) -> Circular:
    """A revised document: a new version, every school's receipt and study asked again."""
    _require(access.is_overseer(actor, circular.bureau), _("Only the bureau's staff revise a circulated document."))
    if not reason.strip():
        raise ValidationError(_("Say what was revised."))
    now = timezone.now()
    circular.version += 1
    circular.body = body
    circular.save(update_fields=["version", "body"])
    for confirmation in circular.confirmations.select_related("school"):
        for rule in ("OVS-5-receipt", "OVS-5-study"):
            clock = supervision_get_active(item=confirmation, rule_id=rule)
            if clock is not None:
                supervision_cancel(supervision=clock, actor=actor, reason=reason)
        CircularConfirmation.objects.filter(pk=confirmation.pk).update(
            version=circular.version, received_at=None, studied_on=None, attendees=None, minutes="", studied_at=None
        )
        confirmation.circular = circular
        _receipt_clock(confirmation, actor=actor, start=now)
    audit_record(actor=actor, action="oversight.circular_revise", target=circular, data={"version": circular.version})
    return circular


# --- Talks and sanctions ------------------------------------------------------------------


@transaction.atomic
def talk_record(
    *,
    bureau: Organization,
    kind: str,
    person: str,
    unit: Organization,
    held_on: date,
    held_by: str,
    reason: str,
    linked: str,
    actor: Any,
    record: Any = None,
) -> Talk:
    _require(
        bureau.pk in access.bureau_ids(actor, *access.TALK_ROLES),
        _("Only discipline inspectors and leaders record talks and sanctions."),
    )
    if not person.strip() or not reason.strip() or not held_by.strip():
        raise ValidationError(_("Give the person, who held it and the reason."))
    if held_on > _today():
        raise ValidationError(_("The date cannot be in the future."))
    stored = None
    if record is not None:
        stored = upload_store(
            file=record, purpose="oversight.talk", actor=actor, allowed_kinds=KIND_IMAGES | KIND_DOCUMENTS
        )
    talk = Talk.objects.create(
        bureau=bureau,
        kind=kind,
        person=person.strip(),
        unit=unit,
        held_on=held_on,
        held_by=held_by.strip(),
        reason=reason.strip(),
        linked=linked.strip(),
        record=stored,
    )
    audit_record(actor=actor, action="oversight.talk_record", target=talk, data={"kind": kind, "unit": unit.pk})
    return talk


# --- Campaigns ------------------------------------------------------------------------------

KIND_SHEETS = KIND_SPREADSHEETS | KIND_TEXT
ATTENDANCE_LIMITS = replace(
    SheetLimits(), max_bytes=2 * 1024 * 1024, max_cell_chars=200, max_columns=20, max_rows=20_001
)


@transaction.atomic
def campaign_launch(
    *, bureau: Organization, kind: str, title: str, body: str, held_on: date | None, actor: Any
) -> Campaign:
    """Send a pledge, a warning-education session or a self-inspection checklist to every
    school of the bureau."""
    _require(is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff launch campaigns."))
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the title and the text."))
    if kind == Campaign.Kind.WARNING and held_on is None:
        raise ValidationError(_("Give the date of the session."))
    campaign = Campaign.objects.create(
        bureau=bureau, kind=kind, title=title.strip(), body=body.strip(), held_on=held_on
    )
    schools = Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL, is_active=True)
    CampaignReturn.objects.bulk_create([CampaignReturn(campaign=campaign, school=s) for s in schools])
    audit_record(actor=actor, action="oversight.campaign_launch", target=campaign, data={"kind": kind})
    return campaign


@transaction.atomic
def pledge_sign(*, ret: CampaignReturn, actor: Any, paper: Any = None) -> CampaignReturn:
    """The school's principal signs the pledge online, or its staff upload the signed paper."""
    _require(access.can_manage_school(actor, ret.school), _("Only the school itself signs its pledge."))
    if ret.campaign.kind != Campaign.Kind.PLEDGE:
        raise ValidationError(_("This campaign has no pledge to sign."))
    if ret.done_at is not None:
        raise ValidationError(_("The pledge is already signed."))
    if paper is not None:
        ret.paper = upload_store(
            file=paper, purpose="oversight.pledge", actor=actor, allowed_kinds=KIND_IMAGES | KIND_DOCUMENTS
        )
    elif not has_role(actor, Role.PRINCIPAL):
        raise ValidationError(_("Online signing is for the principal; upload the signed paper instead."))
    ret.signed_by = "" if paper is not None else (getattr(actor, "full_name", "") or actor.get_username())
    ret.done_at = timezone.now()
    ret.save(update_fields=["paper", "signed_by", "done_at"])
    audit_record(actor=actor, action="oversight.pledge_sign", target=ret, data={"paper": ret.paper_id})
    return ret


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def attendance_parse(fh: Any, *, kind: str, schools: dict[str, int]) -> dict[int, int]:
    """The attendance list of a warning-education session: columns 学校代码 (or 学校名称)
    and 参加人数; every row must name a school of the bureau and a whole number.
    All-or-nothing: any bad row refuses the file with its row number."""
    rows = spreadsheet_rows(fh, kind=kind, limits=ATTENDANCE_LIMITS)
    errors: list[str] = []
    header: list[str] | None = None
    found: dict[int, int] = {}
    for number, values in rows:
        texts = [_cell(v) for v in values]
        if not any(texts):
            continue
        if header is None:
            header = texts
            if not ({"学校代码", "学校名称"} & set(header)) or "参加人数" not in header:
                raise ValidationError(
                    _("Row %(row)s: the columns 学校代码 (or 学校名称) and 参加人数 are needed.") % {"row": number}
                )
            continue
        key_col = header.index("学校代码") if "学校代码" in header else header.index("学校名称")
        count_col = header.index("参加人数")
        key = texts[key_col] if key_col < len(texts) else ""
        count = texts[count_col] if count_col < len(texts) else ""
        school = schools.get(key)
        if school is None:
            errors.append(
                _("Row %(row)s: “%(school)s” is not a school of this bureau.") % {"row": number, "school": key}
            )
            continue
        try:
            attendees = int(float(count))
            if attendees < 0 or attendees != float(count):
                raise ValueError
        except ValueError:
            errors.append(_("Row %(row)s: the number of attendees must be a whole number.") % {"row": number})
            continue
        if school in found:
            errors.append(_("Row %(row)s: the school is listed twice.") % {"row": number})
            continue
        found[school] = attendees
    if header is None:
        errors.append(_("The file has no rows."))
    if errors:
        raise ValidationError(errors)
    return found


@transaction.atomic
def attendance_import(*, campaign: Campaign, file: Any, actor: Any) -> int:
    """Import a warning-education session's attendance per unit from Excel or CSV
    (``core.imports``): all rows or none."""
    _require(access.is_overseer(actor, campaign.bureau), _("Only the bureau's staff import attendance."))
    if campaign.kind != Campaign.Kind.WARNING:
        raise ValidationError(_("Attendance is kept for warning-education sessions only."))
    name = str(getattr(file, "name", "")).lower()
    kind = "csv" if name.endswith(".csv") else "xlsx"
    returns = {r.school_id: r for r in campaign.returns.select_related("school")}
    schools = {r.school.code: r.school_id for r in returns.values()} | {
        r.school.name: r.school_id for r in returns.values()
    }
    stored = upload_store(file=file, purpose="oversight.attendance", actor=actor, allowed_kinds=KIND_SHEETS)
    with discard_on_error(stored), stored.file.open("rb") as fh:
        spreadsheet_check(fh, kind=kind, limits=ATTENDANCE_LIMITS)
        found = attendance_parse(fh, kind=kind, schools=schools)
    now = timezone.now()
    for school_id, attendees in found.items():
        ret = returns[school_id]
        ret.attendees, ret.done_at = attendees, now
    CampaignReturn.objects.bulk_update([returns[s] for s in found], ["attendees", "done_at"])
    audit_record(
        actor=actor, action="oversight.attendance_import", target=campaign, data={"rows": len(found), "file": stored.pk}
    )
    return len(found)


@transaction.atomic
def self_inspection_answer(*, ret: CampaignReturn, actor: Any, answers: list[tuple[bool, str]]) -> CampaignReturn:
    """The school answers each question of the checklist (meets it or not, with a note)."""
    _require(access.can_manage_school(actor, ret.school), _("Only the school itself answers its self-inspection."))
    questions = ret.campaign.questions()
    if ret.campaign.kind != Campaign.Kind.SELF_INSPECTION or len(answers) != len(questions):
        raise ValidationError(_("Answer every question of the checklist."))
    if ret.spot_checked_at is not None:
        raise ValidationError(_("The answers were spot-checked; they cannot change."))
    ret.answers = [
        {"question": q, "ok": ok, "note": note.strip()} for q, (ok, note) in zip(questions, answers, strict=True)
    ]
    ret.done_at = timezone.now()
    ret.save(update_fields=["answers", "done_at"])
    audit_record(
        actor=actor,
        action="oversight.self_check_answer",
        target=ret,
        data={"unmet": sum(1 for a in answers if not a[0])},
    )
    return ret


@transaction.atomic
def spot_check(*, ret: CampaignReturn, actor: Any, matches: bool, note: str) -> CampaignReturn:
    """The bureau's inspection group checks the school's answers on the spot."""
    _require(access.is_overseer(actor, ret.campaign.bureau), _("Only the bureau's inspection group spot-checks."))
    if ret.done_at is None:
        raise ValidationError(_("The school has not answered yet."))
    if not matches and not note.strip():
        raise ValidationError(_("Say what did not match the answers."))
    ret.spot_checked_at, ret.spot_check_matches, ret.spot_check_note = timezone.now(), matches, note.strip()
    ret.save(update_fields=["spot_checked_at", "spot_check_matches", "spot_check_note"])
    audit_record(actor=actor, action="oversight.spot_check", target=ret, data={"matches": matches})
    return ret


@transaction.atomic
def evaluation_rectify_red(*, evaluation: Evaluation, actor: Any) -> int:
    """Each red school of an issued evaluation is ordered to put right the indicators on
    which it lost points (one order per school and evaluation); returns the orders made."""
    bureau = evaluation.indicator_set.bureau
    _require(
        is_system(actor) or access.is_overseer(actor, bureau), _("Only the bureau's staff issue rectification orders.")
    )
    if evaluation.status != Evaluation.Status.ISSUED:
        raise ValidationError(_("Issue the evaluation's bulletin first."))
    made = 0
    indicators = list(evaluation.indicator_set.indicators.all())
    for score in evaluation.scores.filter(rag="red").select_related("school"):
        label = f"oversight.evaluation:{evaluation.pk}:{score.school_id}"
        if RectificationOrder.objects.filter(source_label=label).exists():
            continue
        lost = [w for w in score.lines(indicators) if Decimal(str(w["points"])) < Decimal(str(w["weight"]))]
        items = [
            (
                _("%(indicator)s: %(points)s of %(weight)s points")
                % {"indicator": w["indicator"], "points": w["points"], "weight": w["weight"]},
                None,
                "OVS-4",
            )
            for w in lost
        ]
        rectification_order_create(
            organization=score.school,
            issuer=bureau,
            source_label=label,
            items=items,
            actor=actor,
            title=_("Rectification after %(title)s") % {"title": evaluation.indicator_set.title},
        )
        made += 1
    return made
