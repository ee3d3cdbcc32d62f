"""Non-trivial reads of petitions: queues, timeline, the running clock, linked cases and
the home page's live figures (read from the figures registry, PET-10)."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.urls import reverse
from django.utils import timezone

from sunshine.core.clocks import Rag
from sunshine.core.figures import Period, figure_value, figures_pass
from sunshine.core.local_rules import local_rule
from sunshine.core.models import StatusChange, Supervision
from sunshine.core.supervision import supervision_rag, supervision_rag_changes_at
from sunshine.core.transitions import status_history
from sunshine.orgs.models import Membership, Organization
from sunshine.orgs.selectors import site_bureau
from sunshine.petitions import rules
from sunshine.petitions.access import petitions_visible_to, triage_bureau_ids
from sunshine.petitions.figures import HANDLING_STATUSES, handling_overdue, notice_overdue
from sunshine.petitions.models import FilerIdentity, Message, Petition, PetitionLink, Reply

__all__ = [
    "QUEUES",
    "ClockView",
    "LinkedCase",
    "SameFacts",
    "TimelineEntry",
    "accused_candidates",
    "petition_clock",
    "petition_links",
    "petition_public_summary",
    "petition_queue",
    "petition_timeline",
    "petitions_filed_by",
    "petitions_linked",
    "petitions_with_links",
]

S = Petition.Status
OPEN_STATUSES = (S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW, S.UNDER_REEXAMINATION)
QUEUES = ("triage", "my_unit", "due_soon", "overdue", "awaiting_rating", "all")
DUE_SOON_DAYS = 7


# --- queues ----------------------------------------------------------------------------------


def petition_queue(user: Any, queue: str) -> QuerySet[Petition]:
    """A workbench queue of the cases ``user`` may see. PET-8: real-name cases first,
    then the oldest.

    triage: registered cases of the bureaus the user triages; my_unit: open cases
    assigned to the user's units; due_soon: open cases whose handling or notice
    deadline falls within 7 days; overdue: open cases past it; awaiting_rating:
    answered, not yet rated; all: everything visible."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    qs = petitions_visible_to(user).select_related("assigned_to", "subject_organization")
    now = timezone.now()
    due = Coalesce("handling_due_at", "notice_due_at")
    if queue == "triage":
        qs = qs.filter(status=S.REGISTERED, bureau_id__in=triage_bureau_ids(user))
    elif queue == "my_unit":
        from sunshine.petitions.access import HANDLING_ROLES, _memberships

        units = [org.pk for role, org in _memberships(user) if role in HANDLING_ROLES]
        qs = qs.filter(assigned_to_id__in=units, status__in=OPEN_STATUSES)
    elif queue == "due_soon":
        qs = (
            qs.filter(status__in=(S.REGISTERED, *HANDLING_STATUSES))
            .annotate(due=due)
            .filter(due__gte=now, due__lte=now + timedelta(days=DUE_SOON_DAYS))
        )
    elif queue == "overdue":
        qs = qs.filter(notice_overdue(now) | handling_overdue(now))
    elif queue == "awaiting_rating":
        qs = qs.filter(status=S.ANSWERED)
    return qs.order_by("-named", "received_at", "pk")


def petitions_filed_by(user: Any) -> QuerySet[Petition]:
    """Cases a logged-in member of the public filed with their account."""
    if not getattr(user, "is_authenticated", False):
        return Petition.objects.none()
    return Petition.objects.filter(filer_user=user).order_by("-received_at")


# --- linked cases: the same filer, alike in content ----------------------------------------------


@dataclass(frozen=True)
class LinkedCase:
    """A case linked to the one on the page (``PetitionLink``), as that page shows it."""

    link: PetitionLink
    other: Petition

    @property
    def same_filer(self) -> bool:
        # Only ever between two real-name cases; checked again so that a page can never
        # say "same filer" next to an anonymous case.
        return self.link.same_filer and self.other.named

    @property
    def alike(self) -> bool:
        return self.link.likeness is not None

    @property
    def likeness_percent(self) -> int | None:
        return None if self.link.likeness is None else round(self.link.likeness * 100)

    @property
    def repeat(self) -> bool:
        """A repeat of the same matter (重复信访): confirmed by staff, or the same filer
        with alike content and not dismissed."""
        state = self.link.state
        return state == PetitionLink.State.CONFIRMED or (
            state != PetitionLink.State.DISMISSED and self.same_filer and self.alike
        )


def _link_partners(petition_ids: Any) -> QuerySet[PetitionLink]:
    return PetitionLink.objects.filter(Q(earlier_id__in=petition_ids) | Q(later_id__in=petition_ids))


def petition_links(petition: Petition, viewer: Any) -> list[LinkedCase]:
    """The cases linked to ``petition`` that ``viewer`` may see themselves
    (``access.petitions_visible_to``: PET-9 and recusals apply to each linked case); a
    link to a case the viewer may not see is left out without a trace. Most recent first.
    Nothing of the other case's filer is read here: its number, channel, date, status
    and the reason only."""
    links = list(_link_partners([petition.pk]))
    if not links or not petitions_visible_to(viewer).filter(pk=petition.pk).exists():
        return []
    others = {p.pk: p for p in petitions_visible_to(viewer).filter(pk__in=[link.other(petition) for link in links])}
    found = [
        LinkedCase(link=link, other=others[link.other(petition)]) for link in links if link.other(petition) in others
    ]
    # On an anonymous case, and towards one, never "same filer" (see LinkedCase.same_filer).
    return sorted(found, key=lambda c: (c.other.received_at, c.other.pk), reverse=True)


def petitions_linked(queryset: QuerySet[Petition], viewer: Any, *, repeat: bool = False) -> QuerySet[Petition]:
    """Narrow ``queryset`` to the cases with a link (not dismissed) to a case ``viewer``
    may see; ``repeat``: to repeats only (confirmed, or the same filer and alike)."""
    links = PetitionLink.objects.exclude(state=PetitionLink.State.DISMISSED)
    if repeat:
        links = links.filter(Q(state=PetitionLink.State.CONFIRMED) | Q(same_filer=True, likeness__isnull=False))
    visible = petitions_visible_to(viewer).values("pk")
    return queryset.filter(
        Exists(links.filter(earlier_id=OuterRef("pk"), later_id__in=visible))
        | Exists(links.filter(later_id=OuterRef("pk"), earlier_id__in=visible))
    )


def petitions_with_links(petition_ids: list[int], viewer: Any) -> set[int]:
    """Of ``petition_ids``, those linked (not dismissed) to a case ``viewer`` may see
    (two queries, for the marks of a queue page)."""
    links = _link_partners(petition_ids).exclude(state=PetitionLink.State.DISMISSED)
    pairs = list(links.values_list("earlier_id", "later_id"))
    others = {pk for pair in pairs for pk in pair}
    visible = set(petitions_visible_to(viewer).filter(pk__in=others).values_list("pk", flat=True))
    wanted = set(petition_ids)
    return {a for a, b in pairs if a in wanted and b in visible} | {b for a, b in pairs if b in wanted and a in visible}


# --- PET-7: the same facts after re-examination ---------------------------------------------------


@dataclass(frozen=True)
class SameFacts:
    """An earlier re-examined case of the same filer, and how alike its text is (0…1,
    a suggestion only: staff decide)."""

    earlier: Petition
    likeness: float

    @property
    def likeness_percent(self) -> int:
        return round(self.likeness * 100)


def _case_text(petition: Petition) -> str:
    return "\n".join((petition.title, petition.facts, petition.request, petition.reasons))


def same_facts_candidates(petition: Petition) -> list[SameFacts]:
    """PET-7: the same filer's (same phone or ID number, by blind index) earlier cases in
    the bureau that have had a re-examination reply — within the LOCAL look-back
    PET-7-lookback-days (0 = for ever) — most alike first. Kind and unit do not decide:
    only staff, comparing the facts and reasons, do."""
    identity = FilerIdentity.objects.filter(petition=petition).first()
    if identity is None:
        return []
    who = Q(pk__in=[])
    if identity.phone_index:
        who |= Q(identity__phone_index=identity.phone_index)
    if identity.id_index:
        who |= Q(identity__id_index=identity.id_index)
    reexamined = Reply.objects.filter(stage=Reply.Stage.REEXAMINATION, issued_at__lte=petition.received_at)
    lookback_days = local_rule("PET-7-lookback-days")
    if lookback_days:
        reexamined = reexamined.filter(issued_at__gte=petition.received_at - timedelta(days=lookback_days))
    earlier = (
        Petition.objects.filter(who, bureau_id=petition.bureau_id)
        .filter(pk__in=reexamined.values("petition_id"))
        .exclude(pk=petition.pk)
        .select_related("subject_organization")
    )
    text = _case_text(petition)
    found = [SameFacts(earlier=e, likeness=rules.text_likeness(text, _case_text(e))) for e in earlier]
    return sorted(found, key=lambda c: -c.likeness)


# --- PET-9: the accused person ----------------------------------------------------------------------


def accused_candidates(
    petition: Petition, query: str, *, unit: Organization | None = None, limit: int = 20
) -> list[Any]:
    """PET-9: the staff holding a post in the accused unit (``unit``, else the case's
    accused unit; or below it) whose name or user name contains ``query`` — triage
    picks the person the filer named from these."""
    unit = unit or petition.accused_organization
    query = (query or "").strip()
    if unit is None or not query:
        return []
    from django.contrib.auth import get_user_model

    member_ids = Membership.objects.filter(is_active=True, organization__path__startswith=unit.path).values("user_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=member_ids, is_active=True)
        .filter(Q(full_name__icontains=query) | Q(username__icontains=query))
        .order_by("full_name", "username")[:limit]
    )


# --- timeline and clock ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "status" | "to_filer" | "from_filer" | "internal" | "reply"
    text: str
    obj: Any = None
    attachments: list[Any] = field(default_factory=list)


def petition_timeline(petition: Petition, *, for_filer: bool) -> list[TimelineEntry]:
    """Status changes, messages and replies, oldest first; internal notes only for staff
    (never for the filer). Authors are never shown to the filer."""
    entries: list[TimelineEntry] = []
    for change in status_history(petition):
        entries.append(
            TimelineEntry(at=change.at, kind="status", text=petition.status_label(change.new_status), obj=change)
        )
    messages = petition.messages.prefetch_related("attachments")
    if for_filer:
        messages = messages.exclude(direction=Message.Direction.INTERNAL)
    for message in messages:
        entries.append(
            TimelineEntry(
                at=message.created_at,
                kind=message.direction,
                text=message.text,
                obj=message,
                attachments=list(message.attachments.all()),
            )
        )
    for reply in petition.replies.all():
        entries.append(TimelineEntry(at=reply.issued_at, kind="reply", text=reply.document_number, obj=reply))
    entries.sort(key=lambda e: (e.at, e.kind))
    return entries


@dataclass(frozen=True)
class ClockView:
    rule_id: str
    description: str
    started_at: datetime
    due: datetime
    provisional: bool
    rag: Rag
    extended_by: int
    organization: Organization
    changes_at: datetime | None = None  # when ``rag`` may next change by time alone


def petition_clock(petition: Petition, now: datetime | None = None) -> ClockView | None:
    """The running clock of the case (the live supervision with the earliest due date):
    its rule, due date, CAL-1 provisional flag and OVS-1 colour."""
    from sunshine.core.clocks import clock_get

    supervision = (
        Supervision.objects.filter(
            content_type=ContentType.objects.get_for_model(Petition),
            object_id=str(petition.pk),
            status=Supervision.Status.OPEN,
        )
        .select_related("organization")
        .order_by("due_at")
        .first()
    )
    if supervision is None:
        return None
    return ClockView(
        rule_id=supervision.rule_id,
        description=str(clock_get(supervision.rule_id).description),
        started_at=supervision.started_at,
        due=supervision.due_at,
        provisional=supervision.due_provisional,
        rag=supervision_rag(supervision, now),
        extended_by=supervision.extended_by,
        organization=supervision.organization,
        changes_at=supervision_rag_changes_at(supervision, now),
    )


def with_filer_page_stamp(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    """``petitions`` with what the filer's case page shows beyond the case's own row, in
    the same query: the last status change, message and reply, and the running clock's
    deadline, pause and provisional flag (``filer_page_stamp``). A new message, reply or
    status change, an extension, a pause or a published holiday calendar changes it."""
    petition_type = ContentType.objects.get_for_model(Petition)
    own = Cast(OuterRef("pk"), CharField())

    def last(rows: QuerySet[Any]) -> Subquery:
        return Subquery(rows.order_by("-pk").values("pk")[:1])

    clock = (
        Supervision.objects.filter(content_type=petition_type, object_id=own, status=Supervision.Status.OPEN)
        .order_by("due_at")
        .values(
            stamp=JSONObject(
                id="pk",
                due="due_at",
                provisional="due_provisional",
                extended="extended_by",
                paused="paused_since",
                finished="finished_at",
                started="started_at",
            )
        )[:1]
    )
    return petitions.annotate(
        stamp_status=last(StatusChange.objects.filter(content_type=petition_type, object_id=own)),
        stamp_message=last(Message.objects.filter(petition=OuterRef("pk"))),
        stamp_reply=last(Reply.objects.filter(petition=OuterRef("pk"))),
        stamp_clock=Subquery(clock, output_field=JSONField()),
    )


_ANY_PK = -7_170_601  # stands for the case's pk in the query compiled once


@functools.cache
def _filer_page_query() -> tuple[str, tuple[Any, ...]]:
    # Only what the stamp and the access check read: a kept page needs nothing more, and a
    # page made anew reads the whole case (``filer_page_case``).
    narrow = Petition.objects.filter(pk=_ANY_PK).order_by().only("pk", "updated_at", "status")
    sql, params = with_filer_page_stamp(narrow).query.sql_with_params()
    return sql, tuple(params)


def filer_page_petition(pk: int) -> Petition | None:
    """The case ``pk`` as ``with_filer_page_stamp`` reads it, by the SQL compiled once per
    process: building and compiling that query with the ORM was most of the time of a
    case page served from the kept copy. On PostgreSQL the statement is also prepared
    once per database connection (planning its four subqueries took longer than running
    them; a connection pooler in transaction mode would need this turned off)."""
    from django.db import connection

    sql, params = _filer_page_query()
    values = [pk if p == _ANY_PK else p for p in params]
    if connection.vendor != "postgresql":
        return next(iter(Petition.objects.raw(sql, values)), None)
    connection.ensure_connection()
    if getattr(connection, "_filer_page_prepared", None) is not connection.connection:
        parts = sql.split("%s")
        numbered = "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE sunshine_filer_page AS {numbered}")
        connection._filer_page_prepared = connection.connection  # type: ignore[attr-defined]
    execute = f"EXECUTE sunshine_filer_page({', '.join(['%s'] * len(values))})"
    return next(iter(Petition.objects.raw(execute, values)), None)


def filer_page_case(petition: Petition) -> Petition:
    """The whole case behind a stamp read by :func:`filer_page_petition` (its row and its
    replies, which the page reads three times), for making the page anew."""
    return Petition.objects.prefetch_related("replies").get(pk=petition.pk)


def filer_page_stamp(petition: Petition) -> str:
    """What the filer's case page was made from (a petition read by
    ``with_filer_page_stamp``): the same stamp, the same page."""
    parts = (
        petition.updated_at.isoformat(),
        petition.status,
        getattr(petition, "stamp_status", None),
        getattr(petition, "stamp_message", None),
        getattr(petition, "stamp_reply", None),
        getattr(petition, "stamp_clock", None),
    )
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


# --- the home page's live figures -----------------------------------------------------------------

# A public page's live figures may be a minute old (issue #19): measured at most 50 s ago,
# and the page itself kept up to SUNSHINE_PUBLIC_CACHE_SECONDS (10 s) by the city's nginx.
LIVE_FIGURE_SECONDS = 50


def petition_public_summary(*, now: datetime | None = None) -> dict[str, Any] | None:
    """The home page's live figures for this year (product.md: "so the public sees that
    every case is answered"), read from the figures registry: received, answered,
    average days to answer, closure rate."""
    bureau = site_bureau()
    if bureau is None:
        return None
    live = now is None  # live: measured at most LIVE_FIGURE_SECONDS ago (core.figures)
    now = now or timezone.now()
    period = Period.year(timezone.localtime(now).year, as_of=now)

    def value(key: str) -> Any:
        kept = LIVE_FIGURE_SECONDS if live else 0
        return figure_value(f"petitions.{key}", period=period, organization=bureau, max_age=kept).value

    with figures_pass():  # the four figures share one count of the cases
        return {
            "received": value("received"),
            "answered": value("closed"),
            "average_days": value("average_days_to_answer"),
            "closure_rate": value("closure_rate"),
            "url": reverse("petitions:figures"),
        }
