"""Every write of decisions: keyword-only, atomic, the actor's right checked here, an
audit entry each; status changes through ``core.transitions.transition``."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_record
from sunshine.core.clocks import deadline
from sunshine.core.documents import DOCX_TYPE, chinese_date
from sunshine.core.issued import document_issue, document_publish, document_reissue
from sunshine.core.privacy import NO_REVIEW, Review, guard_publication, review_record
from sunshine.core.seams import (
    DisclosureEntry,
    EntryFile,
    FundProject,
    FundProjectPayment,
    FundProjectQuery,
    FundProjectStatus,
    disclosure_entry_publish,
    fund_project_open,
    fund_project_pay,
    fund_project_status,
)
from sunshine.core.supervision import (
    supervision_answer,
    supervision_close,
    supervision_get_active,
    supervision_open,
)
from sunshine.core.transitions import transition
from sunshine.core.uploads import discard_on_error, upload_store
from sunshine.decisions import access, rules
from sunshine.decisions.models import (
    AgendaItem,
    Applicant,
    Bid,
    Category,
    Comment,
    CommentGroup,
    Consultation,
    Contract,
    DecisionItem,
    ItemMaterial,
    Meeting,
    MeetingMember,
    MinutesAmendment,
    Objection,
    Payment,
    ProgressReport,
    Project,
    Recusal,
    Speech,
    StatutoryStep,
    Step,
    Task,
    Tender,
    TitleRound,
    Vote,
)
from sunshine.decisions.paperwork import MINUTES_DOCUMENT, REPORT_DOCUMENT, minutes_docx, report_docx
from sunshine.orgs.access import organizations_of
from sunshine.orgs.models import Organization

MATERIAL_PURPOSE = "decisions.material"
# The publicity period of promotion and title results: the minimum display of personnel
# selection results (the recruitment results' clock, LOCAL).
PUBLICITY_CLOCK = "ENR-3"
BUREAU_MEETINGS = frozenset({Meeting.Kind.PARTY_GOVERNMENT, Meeting.Kind.BUREAU_AFFAIRS})
SCHOOL_MEETINGS = frozenset({Meeting.Kind.SCHOOL_LEADERSHIP, Meeting.Kind.STAFF_CONGRESS})


def _require(actor: Any, organization: Organization) -> None:
    if actor is None:
        raise PermissionDenied(_("No one is acting."))
    if is_system(actor):
        return
    if not access.can_manage(actor, organization):
        raise PermissionDenied(_("Only the staff of %(org)s handle its decisions.") % {"org": organization.name})


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- Decision items (OVS-3, DEC-2) ----------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    category: str,
    summary: str = "",
    amount_fen: int = 0,
    major_administrative: bool = False,
    proposing_unit: Organization | None = None,
) -> DecisionItem:
    _require(actor, organization)
    title = _text(title, "title", _("Give the item a title."))
    if category not in Category.values:
        raise ValidationError({"category": _("Choose the category of the item.")})
    if amount_fen < 0:
        raise ValidationError({"amount_fen": _("An amount cannot be negative.")})
    problem = rules.category_error(category, amount_fen)
    if problem:
        raise ValidationError({"amount_fen": problem})
    item = DecisionItem.objects.create(
        organization=organization,
        title=title,
        category=category,
        summary=summary.strip(),
        amount_fen=amount_fen,
        major_administrative=major_administrative,
        proposer=actor,
        proposing_unit=proposing_unit,
    )
    audit_record(
        actor=actor,
        action="decisions.item_create",
        target=item,
        data={"category": category, "amount_fen": amount_fen, "major": major_administrative},
    )
    return item


@transaction.atomic
def material_add(*, actor: Any, item: DecisionItem, title: str, file: Any) -> ItemMaterial:
    _require(actor, item.organization)
    title = _text(title, "title", _("Say what the material is."))
    stored = upload_store(file=file, purpose=MATERIAL_PURPOSE, actor=actor)
    with discard_on_error(stored):
        material = ItemMaterial.objects.create(item=item, title=title, stored_file=stored, added_by=actor)
        audit_record(actor=actor, action="decisions.material_add", target=item, data={"file": str(stored.pk)})
    return material


@transaction.atomic
def step_record(
    *,
    actor: Any,
    item: DecisionItem,
    step: str,
    title: str,
    done_on: date,
    file: Any = None,
    document: Any = None,
) -> StatutoryStep:
    """DEC-2: one statutory step, with the document that proves it."""
    _require(actor, item.organization)
    if step not in Step.values:
        raise ValidationError({"step": _("Choose the statutory step.")})
    title = _text(title, "title", _("Name the document that records the step."))
    if item.status not in (DecisionItem.Status.DRAFT, DecisionItem.Status.SCHEDULED):
        raise ValidationError(_("This item is already decided; its steps can no longer change."))
    if item.steps.filter(step=step).exists():
        raise ValidationError(_("This step is already recorded for the item."))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    stored = None
    if document is None:
        if file is None:
            raise ValidationError({"file": _("Attach the document of the step.")})
        stored = upload_store(file=file, purpose=MATERIAL_PURPOSE, actor=actor)
    with discard_on_error(stored) if stored is not None else nullcontext():
        record = StatutoryStep.objects.create(
            item=item, step=step, title=title, done_on=done_on, stored_file=stored, document=document, recorded_by=actor
        )
        audit_record(actor=actor, action="decisions.step_record", target=item, data={"step": step})
    return record


@transaction.atomic
def item_withdraw(*, actor: Any, item: DecisionItem, reason: str) -> DecisionItem:
    _require(actor, item.organization)
    reason = _text(reason, "reason", _("Give the reason for withdrawing the item."))
    transition(item, DecisionItem.Status.WITHDRAWN, actor=actor, reason=reason)
    return item


# --- Meetings (DEC-2, DEC-3) ---------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    held_at: datetime,
    members: list[tuple[str, str, bool]],
    place: str = "",
    chair: str = "",
    attendees: str = "",
) -> Meeting:
    """A meeting with its members (name, post, principal?), exactly one principal leader."""
    _require(actor, organization)
    title = _text(title, "title", _("Give the meeting a title."))
    allowed = BUREAU_MEETINGS if organization.kind == Organization.Kind.BUREAU else SCHOOL_MEETINGS
    if kind not in allowed:
        raise ValidationError({"kind": _("This kind of meeting is not held by %(org)s.") % {"org": organization.name}})
    names = [name.strip() for name, _post, _p in members]
    if len(names) < 2 or any(not n for n in names):
        raise ValidationError({"members": _("List at least two members, one a line.")})
    if len(set(names)) != len(names):
        raise ValidationError({"members": _("A member is listed twice.")})
    if sum(1 for *_rest, principal in members if principal) != 1:
        raise ValidationError({"members": _("Mark exactly one member as the principal leader.")})
    meeting = Meeting.objects.create(
        organization=organization,
        kind=kind,
        title=title,
        held_at=held_at,
        place=place.strip(),
        chair=chair.strip(),
        attendees=attendees.strip(),
        recorder=actor,
    )
    for order, (name, post, principal) in enumerate(members):
        MeetingMember.objects.create(
            meeting=meeting, name=name.strip(), post=post.strip(), is_principal=principal, order=order
        )
    reports = _reports_due(organization)
    for order, item in enumerate(reports, start=1):
        AgendaItem.objects.create(meeting=meeting, item=item, kind=AgendaItem.Kind.REPORT, order=order)
    audit_record(
        actor=actor,
        action="decisions.meeting_create",
        target=meeting,
        data={"kind": kind, "members": len(names), "reports": [i.pk for i in reports]},
    )
    return meeting


def _reports_due(organization: Organization) -> list[DecisionItem]:
    """The decisions whose execution is reported to the next meeting: adopted items of the
    organisation with a task still being carried out or a project not yet complete."""
    items = DecisionItem.objects.filter(organization=organization, status=DecisionItem.Status.DECIDED)
    due = []
    for item in items.prefetch_related("tasks", "projects__reports").order_by("decided_at", "pk"):
        open_task = any(t.status == Task.Status.OPEN for t in item.tasks.all())
        open_project = any(
            not p.reports.all() or max(r.progress_bp for r in p.reports.all()) < 10000 for p in item.projects.all()
        )
        if open_task or open_project:
            due.append(item)
    return due


def _planned_or_held(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError(_("The meeting is closed and its minutes are frozen; record a signed amendment instead."))


@transaction.atomic
def member_absent(*, actor: Any, member: MeetingMember, reason: str) -> MeetingMember:
    meeting = member.meeting
    _require(actor, meeting.organization)
    _planned_or_held(meeting)
    reason = _text(reason, "reason", _("Give the reason for the absence."))
    if member.votes.exists() or member.speeches.exists():
        raise ValidationError(_("%(name)s has already spoken or voted at this meeting.") % {"name": member.name})
    member.present = False
    member.absence_reason = reason
    member.save(update_fields=["present", "absence_reason"])
    audit_record(actor=actor, action="decisions.member_absent", target=meeting, data={"member": member.pk})
    return member


@transaction.atomic
def agenda_add(*, actor: Any, meeting: Meeting, item: DecisionItem, kind: str = AgendaItem.Kind.DECIDE) -> AgendaItem:
    """Put an item on the agenda. A major administrative decision lacking one of its
    statutory steps cannot go on an agenda (DEC-2); a progress report is for an item
    already decided."""
    _require(actor, meeting.organization)
    _planned_or_held(meeting)
    if item.organization_id != meeting.organization_id:
        raise ValidationError(_("The item belongs to another organisation."))
    if kind == AgendaItem.Kind.DECIDE:
        if item.status != DecisionItem.Status.DRAFT:
            raise ValidationError(_("Only an item being prepared can be put on an agenda."))
        missing = rules.steps_missing_labels(item)
        if missing:
            raise ValidationError(
                _("This major decision still lacks its statutory steps: %(steps)s. It cannot go on an agenda.")
                % {"steps": "、".join(missing)}
            )
        transition(item, DecisionItem.Status.SCHEDULED, actor=actor, reason=meeting.title)
    elif kind == AgendaItem.Kind.REPORT:
        if item.status != DecisionItem.Status.DECIDED:
            raise ValidationError(_("Progress is reported only on a decision already taken."))
    else:
        raise ValidationError({"kind": _("Choose what the agenda item is for.")})
    if meeting.agenda.filter(item=item, kind=kind).exists():
        raise ValidationError(_("The item is already on this agenda."))
    point = AgendaItem.objects.create(meeting=meeting, item=item, kind=kind, order=meeting.agenda.count() + 1)
    audit_record(actor=actor, action="decisions.agenda_add", target=meeting, data={"item": item.pk, "kind": kind})
    return point


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    _require(actor, meeting.organization)
    transition(meeting, Meeting.Status.HELD, actor=actor)
    return meeting


def _in_session(point: AgendaItem) -> None:
    if point.meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Views and votes are recorded only while the meeting is in session."))
    if point.outcome:
        raise ValidationError(_("This agenda item is already decided."))


def _voting_member(point: AgendaItem, member: MeetingMember) -> None:
    if member.meeting_id != point.meeting_id:
        raise ValidationError(_("This person is not a member of the meeting."))
    if not member.present:
        raise ValidationError(_("%(name)s is absent from the meeting.") % {"name": member.name})
    if point.recusals.filter(member=member).exists():
        raise ValidationError(_("%(name)s has stepped aside from this item.") % {"name": member.name})


@transaction.atomic
def recusal_record(*, actor: Any, agenda_item: AgendaItem, member: MeetingMember, reason: str) -> Recusal:
    """DEC-3: a member with an interest steps aside; the item's quorum is recomputed without them."""
    _require(actor, agenda_item.meeting.organization)
    _planned_or_held(agenda_item.meeting)
    if agenda_item.outcome:
        raise ValidationError(_("This agenda item is already decided."))
    reason = _text(reason, "reason", _("Say what the member's interest in the item is."))
    if member.meeting_id != agenda_item.meeting_id:
        raise ValidationError(_("This person is not a member of the meeting."))
    if agenda_item.votes.filter(member=member).exists() or agenda_item.speeches.filter(member=member).exists():
        raise ValidationError(_("%(name)s has already spoken or voted on this item.") % {"name": member.name})
    if agenda_item.recusals.filter(member=member).exists():
        raise ValidationError(_("%(name)s has already stepped aside from this item.") % {"name": member.name})
    recusal = Recusal.objects.create(agenda_item=agenda_item, member=member, reason=reason)
    audit_record(
        actor=actor, action="decisions.recusal_record", target=agenda_item.meeting,
        data={"agenda_item": agenda_item.pk, "member": member.pk},
    )  # fmt: skip
    return recusal


@transaction.atomic
def speech_record(*, actor: Any, agenda_item: AgendaItem, member: MeetingMember, text: str) -> Speech:
    """A member's view, in speaking order; with ``DEC-3-principal-last`` nobody speaks after
    the principal leader."""
    _require(actor, agenda_item.meeting.organization)
    _in_session(agenda_item)
    _voting_member(agenda_item, member)
    text = _text(text, "text", _("Write down what the member said."))
    if agenda_item.speeches.filter(member=member).exists():
        raise ValidationError(_("%(name)s has already spoken on this item.") % {"name": member.name})
    if rules.principal_last() and agenda_item.speeches.filter(member__is_principal=True).exists():
        raise ValidationError(_("The principal leader has already spoken: the principal leader speaks last."))
    speech = Speech.objects.create(
        agenda_item=agenda_item, member=member, text=text, order=agenda_item.speeches.count() + 1
    )
    audit_record(
        actor=actor, action="decisions.speech_record", target=agenda_item.meeting,
        data={"agenda_item": agenda_item.pk, "member": member.pk, "order": speech.order},
    )  # fmt: skip
    return speech


@transaction.atomic
def vote_record(*, actor: Any, agenda_item: AgendaItem, member: MeetingMember, choice: str, dissent: str = "") -> Vote:
    """A member's vote by name; a vote against needs the member's dissent in their own words."""
    _require(actor, agenda_item.meeting.organization)
    _in_session(agenda_item)
    _voting_member(agenda_item, member)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Choose the member's vote.")})
    dissent = (dissent or "").strip()
    if choice == Vote.Choice.AGAINST and not dissent:
        raise ValidationError({"dissent": _("A vote against needs the member's differing view in their own words.")})
    if agenda_item.votes.filter(member=member).exists():
        raise ValidationError(_("%(name)s has already voted on this item.") % {"name": member.name})
    vote = Vote.objects.create(agenda_item=agenda_item, member=member, choice=choice, dissent=dissent)
    audit_record(
        actor=actor, action="decisions.vote_record", target=agenda_item.meeting,
        data={"agenda_item": agenda_item.pk, "member": member.pk, "choice": choice},
    )  # fmt: skip
    return vote


def decide_problems(point: AgendaItem) -> list[str]:
    """Why ``point`` cannot be decided now (empty when it can)."""
    problems: list[str] = []
    if point.meeting.status != Meeting.Status.HELD:
        problems.append(_("The meeting is not in session."))
    q = rules.quorum(point)
    if not q.met:
        problems.append(
            _("No quorum: %(present)s of the %(members)s members not stepping aside are present.")
            % {"present": q.present, "members": q.members}
        )
    missing = rules.steps_missing_labels(point.item)
    if missing:
        problems.append(_("The statutory steps are not complete: %(steps)s.") % {"steps": "、".join(missing)})
    recused = set(point.recusals.values_list("member_id", flat=True))
    voters = [m for m in point.meeting.members.all() if m.present and m.pk not in recused]
    voted = set(point.votes.values_list("member_id", flat=True))
    waiting = [m.name for m in voters if m.pk not in voted]
    if waiting:
        problems.append(_("Not everyone present has voted: %(names)s.") % {"names": "、".join(waiting)})
    if rules.principal_last():
        principal = next((m for m in voters if m.is_principal), None)
        speeches = list(point.speeches.order_by("order"))
        if principal is not None and (not speeches or speeches[-1].member_id != principal.pk):
            problems.append(_("The principal leader speaks last, after the discussion."))
    return problems


@transaction.atomic
def agenda_decide(*, actor: Any, agenda_item: AgendaItem, resolution: str, defer: bool = False) -> AgendaItem:
    """Record the decision on an agenda item. Impossible outside a quorate meeting in session,
    for a major decision lacking a statutory step, before every member present has voted, or
    (DEC-3) before the principal leader has spoken last. Adopted when the votes for are more
    than half of the members present and not stepping aside."""
    point = AgendaItem.objects.select_for_update().select_related("meeting", "item").get(pk=agenda_item.pk)
    _require(actor, point.meeting.organization)
    if point.kind != AgendaItem.Kind.DECIDE:
        raise ValidationError(_("This agenda item is a progress report, not a matter to decide."))
    if point.outcome:
        raise ValidationError(_("This agenda item is already decided."))
    now = timezone.now()
    if defer:
        if point.meeting.status != Meeting.Status.HELD:
            raise ValidationError(_("The meeting is not in session."))
        point.outcome = AgendaItem.Outcome.DEFERRED
        point.resolution = resolution.strip()
        point.decided_at = now
        point.save(update_fields=["outcome", "resolution", "decided_at"])
        transition(point.item, DecisionItem.Status.DRAFT, actor=actor, reason=_("Deferred by the meeting."))
        audit_record(actor=actor, action="decisions.agenda_defer", target=point.meeting, data={"agenda_item": point.pk})
        return point
    problems = decide_problems(point)
    if problems:
        raise ValidationError(problems)
    resolution = _text(resolution, "resolution", _("Write the resolution of the meeting."))
    q = rules.quorum(point)
    votes_for = point.votes.filter(choice=Vote.Choice.FOR).count()
    adopted = votes_for * 2 > q.present
    point.outcome = AgendaItem.Outcome.ADOPTED if adopted else AgendaItem.Outcome.REJECTED
    point.resolution = resolution
    point.decided_at = now
    point.save(update_fields=["outcome", "resolution", "decided_at"])
    target = DecisionItem.Status.DECIDED if adopted else DecisionItem.Status.REJECTED
    transition(
        point.item, target, actor=actor, reason=point.meeting.title,
        update={"decided_in": point, "decided_at": now, "resolution": resolution},
    )  # fmt: skip
    audit_record(
        actor=actor, action="decisions.agenda_decide", target=point.meeting,
        data={"agenda_item": point.pk, "outcome": point.outcome, "for": votes_for, "present": q.present,
              "members": q.members},
    )  # fmt: skip
    return point


@transaction.atomic
def agenda_report(*, actor: Any, agenda_item: AgendaItem, text: str) -> AgendaItem:
    """The progress of a decision reported to the meeting (its tasks and projects)."""
    _require(actor, agenda_item.meeting.organization)
    if agenda_item.kind != AgendaItem.Kind.REPORT:
        raise ValidationError(_("This agenda item is a matter to decide, not a progress report."))
    if agenda_item.meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("The meeting is not in session."))
    agenda_item.report_text = _text(text, "text", _("Write what was reported."))
    agenda_item.save(update_fields=["report_text"])
    audit_record(
        actor=actor, action="decisions.agenda_report", target=agenda_item.meeting, data={"agenda_item": agenda_item.pk}
    )
    return agenda_item


@transaction.atomic
def meeting_close(*, actor: Any, meeting: Meeting) -> Meeting:
    """Close the meeting: the minutes are written from the agenda, votes and recusals and
    frozen as an issued document with its SHA-256."""
    _require(actor, meeting.organization)
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Only a meeting in session can be closed."))
    open_points = [
        p.item.title for p in meeting.agenda.select_related("item") if p.kind == p.Kind.DECIDE and not p.outcome
    ]
    if open_points:
        raise ValidationError(_("Decide or defer every item first: %(items)s.") % {"items": "、".join(open_points)})
    document = document_issue(
        kind=MINUTES_DOCUMENT,
        organization=meeting.organization,
        title=_("Minutes of %(title)s") % {"title": meeting.title},
        content=lambda number: minutes_docx(meeting, number),
        filename=_("Minutes of %(title)s") % {"title": meeting.title} + ".docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=meeting,
    )
    transition(meeting, Meeting.Status.CLOSED, actor=actor, update={"minutes": document})
    return meeting


@transaction.atomic
def minutes_amend(*, actor: Any, meeting: Meeting, text: str) -> MinutesAmendment:
    """A signed correction of frozen minutes: a new version under the same number, the old
    one kept (marked superseded) — the frozen record is never edited."""
    _require(actor, meeting.organization)
    if meeting.status != Meeting.Status.CLOSED or meeting.minutes is None:
        raise ValidationError(_("Only the minutes of a closed meeting are amended."))
    text = _text(text, "text", _("Write the correction."))
    now = timezone.now()
    signer = actor.get_full_name() or actor.get_username()
    earlier = [
        (
            a.text,
            a.signed_by.get_full_name() or a.signed_by.get_username(),
            chinese_date(timezone.localtime(a.signed_at)),
        )
        for a in meeting.amendments.select_related("signed_by")
    ]
    amendments = [*earlier, (text, signer, chinese_date(timezone.localtime(now)))]
    new = document_reissue(
        document=meeting.minutes,
        content=lambda number: minutes_docx(meeting, number, amendments=amendments),
        actor=actor,
        reason=text,
    )
    amendment = MinutesAmendment.objects.create(
        meeting=meeting, text=text, signed_by=actor, signed_at=now, document=new
    )
    Meeting.objects.filter(pk=meeting.pk).update(minutes=new)
    meeting.minutes = new
    audit_record(actor=actor, action="decisions.minutes_amend", target=meeting, data={"version": new.version})
    return amendment


# --- Public consultation (DEC-1) ------------------------------------------------------------


@transaction.atomic
def consultation_open(
    *,
    actor: Any,
    item: DecisionItem,
    title: str,
    draft: str,
    now: datetime | None = None,
    review: Review = NO_REVIEW,
    redact: bool = False,
) -> Consultation:
    """Publish a draft for comment: open at least 30 days (clock DEC-1, a minimum display
    period run by core supervision). The title and the draft are public from now on: they
    pass the personal-data gate (core.privacy), ``review`` and ``redact`` being the
    reviewer's answer (the draft is the public text: it is kept as published)."""
    _require(actor, item.organization)
    if item.status != DecisionItem.Status.DRAFT:
        raise ValidationError(_("A draft is put to the public before the item is decided."))
    title = _text(title, "title", _("Give the consultation a title."))
    draft = _text(draft, "draft", _("Write the draft put to the public."))
    if item.consultations.filter(status=Consultation.Status.OPEN).exists():
        raise ValidationError(_("A consultation on this item is already open."))
    if redact:
        (title, draft), review = review.take_redaction(title, draft)
    guard_publication(
        (pgettext("publication part", "title"), title), (pgettext("publication part", "body"), draft), review=review
    )
    now = now or timezone.now()
    due = deadline("DEC-1", now)
    consultation = Consultation.objects.create(
        item=item, title=title, draft=draft, opened_at=now, closes_on=due.due_date
    )
    supervision_open(
        item=consultation, organization=item.organization, rule_id="DEC-1", start=now, actor=actor, title=title
    )
    audit_record(actor=actor, action="decisions.consultation_open", target=consultation, data={"item": item.pk})
    review_record(actor=actor, target=consultation, review=review)
    return consultation


@transaction.atomic
def comment_submit(
    *, consultation: Consultation, text: str, named: bool = False, name: str = "", contact: str = ""
) -> Comment:
    """A member of the public comments, named or anonymously. The view runs this inside
    ``audit_public()``: no address or account is kept; a name is stored encrypted and never
    published."""
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("This consultation is closed; comments are no longer received."))
    text = _text(text, "text", _("Write your comment."))
    if len(text) > 5000:
        raise ValidationError({"text": _("A comment is at most 5,000 characters.")})
    if named and not (name or "").strip():
        raise ValidationError({"name": _("Give your name, or comment anonymously.")})
    comment = Comment.objects.create(
        consultation=consultation,
        text=text,
        named=named,
        name=(name or "").strip() if named else "",
        contact=(contact or "").strip() if named else "",
    )
    audit_record(actor=None, action="decisions.comment_submit", target=consultation, data={"named": named})
    return comment


@transaction.atomic
def comment_moderate(*, actor: Any, comment: Comment, accept: bool, reason: str = "") -> Comment:
    _require(actor, comment.consultation.item.organization)
    if comment.moderation != Comment.Moderation.PENDING:
        raise ValidationError(_("This comment is already moderated."))
    if not accept:
        reason = _text(reason, "reason", _("Give the reason for refusing the comment."))
    comment.moderation = Comment.Moderation.ACCEPTED if accept else Comment.Moderation.REFUSED
    comment.refusal_reason = "" if accept else reason
    comment.save(update_fields=["moderation", "refusal_reason"])
    audit_record(
        actor=actor, action="decisions.comment_moderate", target=comment.consultation,
        data={"comment": comment.pk, "accepted": accept},
    )  # fmt: skip
    return comment


@transaction.atomic
def group_create(*, actor: Any, consultation: Consultation, title: str, comments: list[Comment]) -> CommentGroup:
    _require(actor, consultation.item.organization)
    if consultation.status == Consultation.Status.REPORTED:
        raise ValidationError(_("The report is issued; the groups can no longer change."))
    title = _text(title, "title", _("Say what the comments of the group ask."))
    if not comments:
        raise ValidationError({"comments": _("Choose the comments of the group.")})
    if any(c.consultation_id != consultation.pk or c.moderation != Comment.Moderation.ACCEPTED for c in comments):
        raise ValidationError(_("Only accepted comments of this consultation can be grouped."))
    group = CommentGroup.objects.create(consultation=consultation, title=title)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(group=group)
    audit_record(actor=actor, action="decisions.group_create", target=consultation, data={"group": group.pk})
    return group


@transaction.atomic
def group_answer(*, actor: Any, group: CommentGroup, answer: str, reason: str) -> CommentGroup:
    _require(actor, group.consultation.item.organization)
    if group.consultation.status == Consultation.Status.REPORTED:
        raise ValidationError(_("The report is issued; the answers can no longer change."))
    if answer not in CommentGroup.Answer.values:
        raise ValidationError({"answer": _("Choose whether the comments were adopted.")})
    group.answer = answer
    group.reason = _text(reason, "reason", _("Say how the comments were used, and why."))
    group.save(update_fields=["answer", "reason"])
    audit_record(actor=actor, action="decisions.group_answer", target=group.consultation, data={"group": group.pk})
    return group


@transaction.atomic
def consultation_close(*, actor: Any, consultation: Consultation, now: datetime | None = None) -> Consultation:
    """Close the consultation — never before its 30 days are over (DEC-1)."""
    _require(actor, consultation.item.organization)
    now = now or timezone.now()
    if timezone.localdate(now) <= consultation.closes_on:
        raise ValidationError(
            _("The draft stays open for comment at least until %(date)s; it cannot close earlier.")
            % {"date": chinese_date(consultation.closes_on)}
        )
    supervision = supervision_get_active(item=consultation, rule_id="DEC-1")
    if supervision is not None:
        supervision_close(supervision=supervision, actor=actor)
    transition(consultation, Consultation.Status.CLOSED, actor=actor, update={"closed_at": now})
    return consultation


def report_parts(consultation: Consultation) -> list[tuple[str, str]]:
    """What the issued report makes public of the comments: each group's title and the
    bureau's answer, named by the group's number (the places of the privacy review)."""
    parts = []
    for index, group in enumerate(consultation.groups.all(), start=1):
        parts.append((_("comment group %(n)s: what the comments say") % {"n": index}, group.title))
        parts.append((_("comment group %(n)s: the answer") % {"n": index}, group.reason))
    return parts


@transaction.atomic
def consultation_report_issue(
    *, actor: Any, consultation: Consultation, review: Review = NO_REVIEW, redact: bool = False
) -> Consultation:
    """The report answering each group of comments, issued as a document; it records the
    item's public participation step (DEC-2). The groups' titles and answers become public
    here (the consultation's page, the report): they pass the personal-data gate first
    (core.privacy; PET-9), ``review`` being the reviewer's answer (office numbers marked
    public) and ``redact`` publishing them with the proposed redaction. The published
    copies are kept in ``public_title``/``public_reason``; the groups keep the text as
    written."""
    item = consultation.item
    _require(actor, item.organization)
    if consultation.status != Consultation.Status.CLOSED:
        raise ValidationError(_("The report is issued once the consultation is closed."))
    if consultation.comments.filter(moderation=Comment.Moderation.PENDING).exists():
        raise ValidationError(_("Moderate every comment first."))
    if consultation.comments.filter(moderation=Comment.Moderation.ACCEPTED, group__isnull=True).exists():
        raise ValidationError(_("Put every accepted comment in a group first."))
    if consultation.groups.filter(answer="").exists():
        raise ValidationError(_("Answer every group of comments first."))
    parts = report_parts(consultation)
    texts = [text for _where, text in parts]
    if redact:
        texts, review = review.take_redaction(*texts)
    guard_publication(*((where, text) for (where, _old), text in zip(parts, texts, strict=True)), review=review)
    groups = list(consultation.groups.all())
    for index, group in enumerate(groups):
        group.public_title, group.public_reason = texts[2 * index][:200], texts[2 * index + 1]
        group.save(update_fields=["public_title", "public_reason"])
    title = _("Report on the public comments on %(title)s") % {"title": consultation.title}
    document = document_issue(
        kind=REPORT_DOCUMENT,
        organization=item.organization,
        title=title,
        content=lambda number: report_docx(consultation, number),
        filename=f"{title}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=consultation,
    )
    transition(consultation, Consultation.Status.REPORTED, actor=actor, update={"report": document})
    review_record(actor=actor, target=consultation, review=review)
    if not item.steps.filter(step=Step.PUBLIC_PARTICIPATION).exists() and item.status == DecisionItem.Status.DRAFT:
        StatutoryStep.objects.create(
            item=item, step=Step.PUBLIC_PARTICIPATION, title=title, done_on=timezone.localdate(),
            document=document, recorded_by=actor,
        )  # fmt: skip
    return consultation


# --- Publication (disclosure catalogue) -----------------------------------------------------


@transaction.atomic
def decision_publish(
    *, actor: Any, item: DecisionItem, review: Review = NO_REVIEW, redact: bool = False
) -> DecisionItem:
    """Publish a decision in the organisation's catalogue ("major-decisions"), with the
    consultation report. Raises SeamUnavailable when no catalogue receives it. The
    catalogue's personal-data gate (core.privacy) reads what is published; ``review`` is
    the reviewer's answer to it (office numbers marked public), ``redact`` publishes the
    title and the resolution with the proposed redaction (the record keeps them as
    adopted; the public pages read ``public_title``/``public_resolution``), audited."""
    _require(actor, item.organization)
    if item.status != DecisionItem.Status.DECIDED:
        raise ValidationError(_("Only an adopted decision is published."))
    title, resolution = item.title, item.resolution
    if redact:
        (title, resolution), review = review.take_redaction(title, resolution)
    attachments: list[EntryFile] = []
    body = [f"<p>{escape(resolution)}</p>"]
    for consultation in item.consultations.filter(report__isnull=False).select_related("report__file"):
        report = consultation.report
        if report is None:
            continue
        if not report.published:  # the reviewer's answer covers the report too (office numbers, scans)
            document_publish(document=report, actor=actor, review=review)
        with report.file.file.open("rb") as fh:
            attachments.append(EntryFile(name=f"{report.title}.docx", content=fh.read()))
        body.append(
            "<p>"
            + _("The draft was open for public comment for %(days)s days; the report on the comments is attached.")
            % {"days": consultation.days_open}
            + "</p>"
        )
    decided = item.decided_at or timezone.now()
    result = disclosure_entry_publish(
        DisclosureEntry(
            organization_id=item.organization_id,
            category="major-decisions",
            title=title,
            info_date=timezone.localdate(decided),
            source_label=f"decisions.item:{item.pk}",
            body="".join(body),
            attachments=tuple(attachments),
            public_numbers=tuple(sorted(review.public_numbers)),
        ),
        actor=actor,
    )
    now = timezone.now()
    public = {"public_title": title[:200], "public_resolution": resolution}  # as they passed the gate
    DecisionItem.objects.filter(pk=item.pk).update(published_url=result.url, published_at=now, **public)
    item.published_url, item.published_at = result.url, now
    item.public_title, item.public_resolution = public["public_title"], public["public_resolution"]
    audit_record(actor=actor, action="decisions.decision_publish", target=item, data={"entry": result.entry_id})
    review_record(actor=actor, target=item, review=review)
    return item


# --- Execution ------------------------------------------------------------------------------


@transaction.atomic
def task_assign(*, actor: Any, item: DecisionItem, unit: Organization, text: str, now: datetime | None = None) -> Task:
    """Hand a task of an adopted decision to a unit under supervision (clock DEC-2-task)."""
    _require(actor, item.organization)
    if item.status != DecisionItem.Status.DECIDED:
        raise ValidationError(_("Tasks are handed out once the decision is adopted."))
    bureau = item.organization.bureau
    if not unit.path.startswith(bureau.path):
        raise ValidationError({"unit": _("The unit must belong to %(org)s.") % {"org": bureau.name}})
    text = _text(text, "text", _("Say what the unit must do."))
    task = Task.objects.create(item=item, unit=unit, text=text)
    supervision_open(
        item=task, organization=unit, rule_id="DEC-2-task", start=now or timezone.now(), actor=actor, title=text[:200]
    )
    audit_record(actor=actor, action="decisions.task_assign", target=task, data={"item": item.pk, "unit": unit.pk})
    return task


@transaction.atomic
def task_progress(*, actor: Any, task: Task, text: str, done: bool = False) -> Task:
    """The unit reports progress (or that the task is carried out; its clock stops)."""
    if actor is None:
        raise PermissionDenied(_("No one is acting."))
    own_unit = organizations_of(actor).filter(pk=task.unit_id).exists()
    if not (is_system(actor) or own_unit or access.can_manage(actor, task.item.organization)):
        raise PermissionDenied(_("Only the unit the task was handed to reports its progress."))
    if task.status == Task.Status.DONE:
        raise ValidationError(_("This task is already carried out."))
    task.progress = _text(text, "text", _("Write the progress."))
    task.progress_at = timezone.now()
    task.save(update_fields=["progress", "progress_at"])
    if done:
        transition(task, Task.Status.DONE, actor=actor)
        supervision = supervision_get_active(item=task, rule_id="DEC-2-task")
        if supervision is not None and supervision.status == supervision.Status.OPEN:
            supervision_answer(supervision=supervision, actor=actor)
    audit_record(actor=actor, action="decisions.task_progress", target=task, data={"done": done})
    return task


# --- Projects and tenders -------------------------------------------------------------------


@transaction.atomic
def project_create(*, actor: Any, item: DecisionItem, title: str, ceiling_fen: int) -> Project:
    _require(actor, item.organization)
    if item.status != DecisionItem.Status.DECIDED:
        raise ValidationError(_("A project starts from an adopted decision."))
    if item.category not in (Category.MAJOR_PROJECT, Category.LARGE_EXPENDITURE):
        raise ValidationError(_("Only a major project or a large expenditure starts a project."))
    title = _text(title, "title", _("Give the project a title."))
    if ceiling_fen <= 0:
        raise ValidationError({"ceiling_fen": _("Give the ceiling price.")})
    project = Project.objects.create(item=item, organization=item.organization, title=title, ceiling_fen=ceiling_fen)
    audit_record(actor=actor, action="decisions.project_create", target=project, data={"ceiling_fen": ceiling_fen})
    return project


@transaction.atomic
def tender_record(*, actor: Any, project: Project, method: str, opened_on: date, bids: list[tuple[str, int]]) -> Tender:
    """The tender: its method and every bid opened."""
    _require(actor, project.organization)
    if hasattr(project, "tender"):
        raise ValidationError(_("The tender of this project is already recorded."))
    if method not in Tender.Method.values:
        raise ValidationError({"method": _("Choose the procurement method.")})
    if not bids:
        raise ValidationError({"bids": _("List the bids opened, one a line.")})
    names = [b.strip() for b, _amount in bids]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValidationError({"bids": _("Each bidder once, with a name.")})
    if any(amount <= 0 for _b, amount in bids):
        raise ValidationError({"bids": _("Every bid needs a price.")})
    tender = Tender.objects.create(project=project, method=method, opened_on=opened_on)
    for bidder, amount in bids:
        Bid.objects.create(tender=tender, bidder=bidder.strip(), amount_fen=amount)
    audit_record(actor=actor, action="decisions.tender_record", target=project, data={"bids": len(bids)})
    return tender


@transaction.atomic
def tender_award(*, actor: Any, tender: Tender, bid: Bid, awarded_on: date) -> Tender:
    _require(actor, tender.project.organization)
    if tender.winner_id is not None:
        raise ValidationError(_("The tender is already awarded."))
    if bid.tender_id != tender.pk:
        raise ValidationError(_("This bid is not one of the tender's."))
    if bid.amount_fen > tender.project.ceiling_fen:
        raise ValidationError(_("This bid is above the ceiling price and cannot win."))
    tender.winner = bid
    tender.awarded_on = awarded_on
    tender.save(update_fields=["winner", "awarded_on"])
    audit_record(actor=actor, action="decisions.tender_award", target=tender.project, data={"bid": bid.pk})
    return tender


@transaction.atomic
def tender_publish(*, actor: Any, tender: Tender) -> Project:
    """Publish the tender result in the catalogue ("tenders")."""
    project = tender.project
    _require(actor, project.organization)
    if tender.winner is None:
        raise ValidationError(_("Award the tender before publishing its result."))
    rows = "".join(
        f"<li>{escape(b.bidder)}：{b.amount_fen / 100:,.2f}" + _("yuan") + "</li>" for b in tender.bids.all()
    )
    body = (
        "<p>"
        + _("Method: %(method)s. Ceiling price: %(ceiling)s yuan. Winner: %(winner)s at %(price)s yuan.")
        % {
            "method": tender.get_method_display(),
            "ceiling": f"{project.ceiling_fen / 100:,.2f}",
            "winner": escape(tender.winner.bidder),
            "price": f"{tender.winner.amount_fen / 100:,.2f}",
        }
        + f"</p><ul>{rows}</ul>"
    )
    result = disclosure_entry_publish(
        DisclosureEntry(
            organization_id=project.organization_id,
            category="tenders",
            title=_("Tender result: %(title)s") % {"title": project.title},
            info_date=tender.awarded_on or timezone.localdate(),
            source_label=f"decisions.tender:{tender.pk}",
            body=body,
        ),
        actor=actor,
    )
    Project.objects.filter(pk=project.pk).update(tender_published_url=result.url)
    project.tender_published_url = result.url
    audit_record(actor=actor, action="decisions.tender_publish", target=project, data={"entry": result.entry_id})
    return project


@transaction.atomic
def contract_record(
    *,
    actor: Any,
    organization: Organization,
    purpose: str,
    contractor: str,
    price_fen: int,
    signed_on: date,
    number: str = "",
    project: Project | None = None,
) -> Contract:
    """A contract: a project's (with its tender's winner, at the winning price at most) or a
    purchase on its own (read by the split-purchase flag)."""
    _require(actor, organization)
    purpose = _text(purpose, "purpose", _("Say what the contract is for."))
    contractor = _text(contractor, "contractor", _("Name the contractor."))
    if price_fen <= 0:
        raise ValidationError({"price_fen": _("Give the contract price.")})
    if project is not None:
        tender = getattr(project, "tender", None)
        if tender is None or tender.winner is None:
            raise ValidationError(_("A project's contract is signed with the tender's winner, once awarded."))
        if contractor != tender.winner.bidder:
            raise ValidationError({"contractor": _("The contractor must be the tender's winner.")})
        if price_fen > tender.winner.amount_fen:
            raise ValidationError({"price_fen": _("The contract price cannot pass the winning bid.")})
        if project.contracts.exists():
            raise ValidationError(_("The project's contract is already recorded."))
    contract = Contract.objects.create(
        organization=organization, project=project, purpose=purpose, contractor=contractor,
        price_fen=price_fen, signed_on=signed_on, number=number.strip(), recorded_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="decisions.contract_record", target=contract, data={"price_fen": price_fen})
    return contract


def _contract_price(project: Project) -> int:
    contract = project.contracts.first()
    if contract is None:
        raise ValidationError(_("Record the project's contract first."))
    return contract.price_fen


@transaction.atomic
def project_funds_open(*, actor: Any, project: Project) -> str:
    """Open the project in funds (paid against certified progress, FND-2). Raises
    SeamUnavailable when no funds module receives it."""
    _require(actor, project.organization)
    price = _contract_price(project)
    item = project.item
    result = fund_project_open(
        FundProject(
            organization_id=project.organization_id,
            title=project.title,
            amount_fen=price,
            year=timezone.localdate().year,
            approved_on=timezone.localdate(item.decided_at or timezone.now()),
            source_label=project.source_label,
        ),
        actor=actor,
    )
    Project.objects.filter(pk=project.pk).update(fund_url=result.url)
    project.fund_url = result.url
    audit_record(
        actor=actor, action="decisions.project_funds_open", target=project, data={"allocation": result.allocation_id}
    )
    return result.url


@transaction.atomic
def progress_report(
    *, actor: Any, project: Project, progress_bp: int, reported_on: date, note: str = ""
) -> ProgressReport:
    _require(actor, project.organization)
    if not 0 <= progress_bp <= 10000:
        raise ValidationError({"progress_bp": _("Progress is between 0 and 100 per cent.")})
    last = project.reports.first()
    if last is not None and progress_bp < last.progress_bp:
        raise ValidationError({"progress_bp": _("Progress cannot go back below what was reported before.")})
    report = ProgressReport.objects.create(
        project=project, progress_bp=progress_bp, reported_on=reported_on, note=note.strip(), reported_by=actor
    )
    audit_record(actor=actor, action="decisions.progress_report", target=project, data={"progress_bp": progress_bp})
    return report


@transaction.atomic
def project_pay(*, actor: Any, project: Project, amount_fen: int, paid_on: date, voucher: str) -> FundProjectStatus:
    """A payment through funds: refused there, with nothing recorded, when it would run
    ahead of certified progress (FND-2). Raises SeamUnavailable without a funds module."""
    _require(actor, project.organization)
    voucher = _text(voucher, "voucher", _("Give the payment voucher number."))
    if amount_fen <= 0:
        raise ValidationError({"amount_fen": _("Give the amount paid.")})
    status = fund_project_pay(
        FundProjectPayment(source_label=project.source_label, amount_fen=amount_fen, paid_on=paid_on, voucher=voucher),
        actor=actor,
    )
    Payment.objects.create(project=project, amount_fen=amount_fen, paid_on=paid_on, voucher=voucher, recorded_by=actor)
    audit_record(actor=actor, action="decisions.project_pay", target=project, data={"amount_fen": amount_fen})
    return status


def project_funds_status(project: Project) -> FundProjectStatus:
    """Where the project's money stands in funds (raises SeamUnavailable without it)."""
    return fund_project_status(FundProjectQuery(source_label=project.source_label), actor=SYSTEM)


# --- Schools: promotion and title-evaluation rounds ------------------------------------------


def _school(actor: Any, organization: Organization) -> None:
    if organization.kind != Organization.Kind.SCHOOL:
        raise ValidationError(_("Promotion and title rounds are held by a school."))
    _require(actor, organization)


@transaction.atomic
def round_open(*, actor: Any, organization: Organization, kind: str, title: str, criteria: str) -> TitleRound:
    _school(actor, organization)
    if kind not in TitleRound.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of round.")})
    title = _text(title, "title", _("Give the round a title."))
    criteria = _text(criteria, "criteria", _("Publish the criteria of the round."))
    rnd = TitleRound.objects.create(organization=organization, kind=kind, title=title, criteria=criteria)
    audit_record(actor=actor, action="decisions.round_open", target=rnd, data={"kind": kind})
    return rnd


@transaction.atomic
def applicant_add(*, actor: Any, title_round: TitleRound, name: str, post: str = "", materials: str = "") -> Applicant:
    _school(actor, title_round.organization)
    if title_round.status != TitleRound.Status.OPEN:
        raise ValidationError(_("The round no longer takes applications."))
    name = _text(name, "name", _("Give the applicant's name."))
    if title_round.applicants.filter(name=name).exists():
        raise ValidationError({"name": _("This applicant is already in the round.")})
    applicant = Applicant.objects.create(round=title_round, name=name, post=post.strip(), materials=materials.strip())
    audit_record(actor=actor, action="decisions.applicant_add", target=title_round, data={"applicant": applicant.pk})
    return applicant


@transaction.atomic
def applicant_evaluate(*, actor: Any, applicant: Applicant, score: Any, recommended: bool) -> Applicant:
    rnd = applicant.round
    _school(actor, rnd.organization)
    if rnd.status != TitleRound.Status.OPEN:
        raise ValidationError(_("The results are published; they can no longer change."))
    if score is None or not 0 <= score <= 100:
        raise ValidationError({"score": _("A score is between 0 and 100.")})
    applicant.score = score
    applicant.result = Applicant.Result.RECOMMENDED if recommended else Applicant.Result.NOT_RECOMMENDED
    applicant.save(update_fields=["score", "result"])
    audit_record(
        actor=actor, action="decisions.applicant_evaluate", target=rnd,
        data={"applicant": applicant.pk, "result": applicant.result},
    )  # fmt: skip
    return applicant


@transaction.atomic
def round_publish(*, actor: Any, title_round: TitleRound, now: datetime | None = None) -> TitleRound:
    """Publish the criteria and results in the school's catalogue ("hiring") for a
    publicity period — a minimum display run by core supervision."""
    _school(actor, title_round.organization)
    applicants = list(title_round.applicants.all())
    if not applicants:
        raise ValidationError(_("The round has no applicant."))
    if any(not a.result for a in applicants):
        raise ValidationError(_("Evaluate every applicant first."))
    now = now or timezone.now()
    due = deadline(PUBLICITY_CLOCK, now)
    rows = "".join(
        f"<li>{escape(a.name)}（{escape(a.post)}）：{a.score}，{a.get_result_display()}</li>" for a in applicants
    )
    body = (
        f"<p>{_('Criteria')}：{escape(title_round.criteria)}</p><ul>{rows}</ul><p>"
        + _("Objections may be raised with the school until %(date)s.") % {"date": chinese_date(due.due_date)}
        + "</p>"
    )
    result = disclosure_entry_publish(
        DisclosureEntry(
            organization_id=title_round.organization_id, category="hiring", title=title_round.title,
            info_date=timezone.localdate(now), source_label=f"decisions.round:{title_round.pk}", body=body,
        ),
        actor=actor,
    )  # fmt: skip
    supervision_open(
        item=title_round,
        organization=title_round.organization,
        rule_id=PUBLICITY_CLOCK,
        start=now,
        actor=actor,
        title=title_round.title,
    )
    transition(
        title_round, TitleRound.Status.PUBLISHED, actor=actor,
        update={"published_at": now, "publicity_until": due.due_date, "published_url": result.url},
    )  # fmt: skip
    return title_round


@transaction.atomic
def objection_record(
    *, actor: Any, title_round: TitleRound, text: str, applicant: Applicant | None = None
) -> Objection:
    _school(actor, title_round.organization)
    if title_round.status != TitleRound.Status.PUBLISHED:
        raise ValidationError(_("Objections are received while the results are under publicity."))
    if applicant is not None and applicant.round_id != title_round.pk:
        raise ValidationError(_("This applicant is not in the round."))
    text = _text(text, "text", _("Write down the objection."))
    objection = Objection.objects.create(round=title_round, applicant=applicant, text=text)
    audit_record(actor=actor, action="decisions.objection_record", target=title_round, data={"objection": objection.pk})
    return objection


@transaction.atomic
def objection_answer(*, actor: Any, objection: Objection, answer: str) -> Objection:
    _school(actor, objection.round.organization)
    if objection.answered_at is not None:
        raise ValidationError(_("This objection is already answered."))
    objection.answer = _text(answer, "answer", _("Write the answer to the objection."))
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_at"])
    audit_record(
        actor=actor, action="decisions.objection_answer", target=objection.round, data={"objection": objection.pk}
    )
    return objection


@transaction.atomic
def round_close(*, actor: Any, title_round: TitleRound, now: datetime | None = None) -> TitleRound:
    """Close the title_round: not before its publicity period is over, nor with an objection
    unanswered."""
    _school(actor, title_round.organization)
    now = now or timezone.now()
    if title_round.status != TitleRound.Status.PUBLISHED or title_round.publicity_until is None:
        raise ValidationError(_("Only a round whose results are under publicity can be closed."))
    if timezone.localdate(now) <= title_round.publicity_until:
        raise ValidationError(
            _("The results stay under publicity at least until %(date)s.")
            % {"date": chinese_date(title_round.publicity_until)}
        )
    if title_round.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError(_("Answer every objection first."))
    supervision = supervision_get_active(item=title_round, rule_id=PUBLICITY_CLOCK)
    if supervision is not None:
        supervision_close(supervision=supervision, actor=actor)
    transition(title_round, TitleRound.Status.CLOSED, actor=actor)
    return title_round
