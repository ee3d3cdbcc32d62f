"""Every write of opinion monitoring: sources, ingestion, events and their handling.

OPN-1: an event handed to the responsible unit is put under supervision with the
OPN-1 clock (48 hours); a major incident gets two clocks, OPN-1-major-info (5 hours,
authoritative information) and OPN-1-major-statement (24 hours, press statement),
each stopped by its own act (:func:`event_inform`, :func:`event_statement`); the
formal reply stops whatever still runs. Every clock starts when the opinion first
appeared (the earliest post, as published), not at the hand-over. The unit concerned
is first responsible, never a unit the posts accuse: its superior answers
(``opinion.rules``). An answered event may be handed to another unit: the first
unit's clocks are closed with their record, and the new unit gets fresh clocks, which
also count from the opinion's first appearance.

Each write checks the actor's right itself (``opinion.access``; PermissionDenied with
a message in Chinese): the monitors of the bureau keep its sources, posts and events;
the responsible unit's staff also investigate, release and reply. ``None`` is refused;
the platform acting on its own passes ``core.actors.SYSTEM``, accepted only for
fetching feeds (and storing what they bring) and the automatic hand-over.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_record
from sunshine.core.documents import DOCX_TYPE, chinese_date
from sunshine.core.issued import document_issue, document_reissue, documents_issued
from sunshine.core.local_rules import local_rule
from sunshine.core.models import IssuedDocument, Supervision
from sunshine.core.privacy import NO_REVIEW, Review, guard_publication, review_record
from sunshine.core.seams import PetitionIntake, PetitionIntakeResult, petition_intake
from sunshine.core.supervision import (
    supervision_answer,
    supervision_close,
    supervision_get_active,
    supervision_instruct,
    supervision_open,
)
from sunshine.core.transitions import transition
from sunshine.opinion import access
from sunshine.opinion import fetch as fetching
from sunshine.opinion.brief import BRIEF_DOCUMENT, brief_docx, brief_figures
from sunshine.opinion.classify import Judgement, classify_many
from sunshine.opinion.grouping import Candidate, Grouper, OrgMatcher, severity, simhash
from sunshine.opinion.models import Event, ImportBatch, Post, Source, Stance, Topic
from sunshine.opinion.rules import makes_event, opn1_started_at, unit_suggested, units_accused
from sunshine.orgs.models import Organization

logger = logging.getLogger("sunshine.opinion")

MAX_BACKOFF = timedelta(hours=24)
OPN1_CLOCKS = ("OPN-1",)
OPN1_MAJOR_CLOCKS = ("OPN-1-major-info", "OPN-1-major-statement")


@dataclass(frozen=True)
class FetchOutcome:
    ok: bool
    added: int = 0
    duplicates: int = 0
    not_modified: bool = False
    error: str = ""


def _post_key(source: Source, item: fetching.Item) -> str:
    ident = item.guid or item.url or f"{item.title}\n{item.text}"
    return hashlib.sha256(f"{source.pk}\n{ident}".encode()).hexdigest()


# --- Rights ------------------------------------------------------------------------------


def require(condition: bool, message: str = "") -> None:
    """Refuse with PermissionDenied (a message in Chinese) unless ``condition``."""
    if not condition:
        raise PermissionDenied(message or _("You may not do this for this opinion event."))


def _require_source(actor: Any, source: Source, *, system: bool = False) -> None:
    if system and is_system(actor):
        return
    require(access.may_keep_source(actor, source), _("Only a monitor of the bureau may do this."))


def _require_monitor(actor: Any, event: Event, *, system: bool = False) -> None:
    if system and is_system(actor):
        return
    require(access.may_monitor(actor, event), _("Only a monitor of the bureau may do this."))


def _require_handler(actor: Any, event: Event) -> None:
    require(access.may_handle(actor, event))


# --- Sources ---------------------------------------------------------------------------


@transaction.atomic
def source_create(
    *, actor: Any, name: str, kind: str, url: str = "", bureau: Organization | None = None, interval_minutes: int = 60
) -> Source:
    """A monitor adds a source to their bureau."""
    require(access.may_add_source(actor, bureau), _("Only a monitor of the bureau may do this."))
    source = Source(name=name, kind=kind, url=url, bureau=bureau, interval_minutes=interval_minutes)
    if kind in Source.FETCHED_KINDS and not url:
        raise ValidationError({"url": _("A feed or web page needs its address.")})
    source.full_clean()
    source.save()
    audit_record(actor=actor, action="opinion.source_create", target=source, data={"kind": kind})
    return source


def source_fetch(
    *,
    source: Source,
    actor: Any,
    now: datetime | None = None,
    fetcher: Callable[..., fetching.FetchResult] | None = None,
) -> FetchOutcome:
    """Fetch one feed or page source and store its new posts (the scheduler as
    ``SYSTEM``, or a monitor who sees the source).

    Any failure (unreachable, HTTP error, too large, not a feed, no text) is recorded
    on the source (``last_error``, ``failures``; the next try backs off exponentially)
    and returned, never raised: one dead source stops nothing else. Posts already
    stored are never touched."""
    _require_source(actor, source, system=True)
    now = now or timezone.now()
    fetcher = fetcher or fetching.fetch_url
    try:
        result = fetcher(source.url, etag=source.etag, last_modified=source.last_modified)
        if result.status == 304:
            _source_ok(source, now, result)
            return FetchOutcome(ok=True, not_modified=True)
        if source.kind == Source.Kind.PAGE:
            items = fetching.parse_page(result.body, source.url, result.content_type)
        else:
            items = fetching.parse_feed(result.body, result.content_type)
    except fetching.FetchError as exc:
        _source_failed(source, now, str(exc))
        return FetchOutcome(ok=False, error=str(exc))
    with transaction.atomic():
        added, duplicates = posts_ingest(source=source, items=items, actor=actor)
        _source_ok(source, now, result)
    return FetchOutcome(ok=True, added=len(added), duplicates=duplicates)


def _source_ok(source: Source, now: datetime, result: fetching.FetchResult) -> None:
    Source.objects.filter(pk=source.pk).update(
        etag=result.etag[:200] or source.etag,
        last_modified=result.last_modified[:100] or source.last_modified,
        last_fetched_at=now,
        last_ok_at=now,
        last_error="",
        failures=0,
        next_fetch_at=now + timedelta(minutes=source.interval_minutes),
    )
    source.refresh_from_db()


def _source_failed(source: Source, now: datetime, error: str) -> None:
    failures = source.failures + 1
    wait = min(timedelta(minutes=source.interval_minutes) * (2 ** min(failures, 10)), MAX_BACKOFF)
    Source.objects.filter(pk=source.pk).update(
        last_fetched_at=now, last_error=error[:500], failures=failures, next_fetch_at=now + wait
    )
    source.refresh_from_db()
    logger.warning("opinion source %s failed: %s", source.pk, error)


def sources_fetch_due(*, actor: Any, now: datetime | None = None) -> dict[str, int]:
    """Fetch every active feed/page source that is due (the periodic task, as
    ``SYSTEM`` only). Each source is fetched under a row lock (skip_locked on
    PostgreSQL) so two workers never fetch the same source at once; one source's
    failure never stops the others."""
    from django.db import connection

    require(is_system(actor), _("Only the platform fetches every source on its schedule."))
    now = now or timezone.now()
    due = (
        Source.objects.filter(is_active=True, kind__in=list(Source.FETCHED_KINDS))
        .exclude(next_fetch_at__gt=now)
        .values_list("pk", flat=True)
    )
    counts = {"fetched": 0, "failed": 0, "added": 0}
    for pk in list(due):
        with transaction.atomic():
            skip = connection.features.has_select_for_update_skip_locked
            source = Source.objects.select_for_update(skip_locked=skip).filter(pk=pk).first()
            if source is None:
                continue
            try:
                outcome = source_fetch(source=source, actor=actor, now=now)
            except Exception as exc:  # a bug on one source must not stop the others
                logger.exception("opinion source %s crashed", pk)
                _source_failed(source, now, _("Internal error: %(error)s") % {"error": type(exc).__name__})
                counts["failed"] += 1
                continue
        counts["fetched" if outcome.ok else "failed"] += 1
        counts["added"] += outcome.added
    return counts


# --- Posts -------------------------------------------------------------------------------


@transaction.atomic
def posts_ingest(*, source: Source, items: Iterable[fetching.Item], actor: Any) -> tuple[list[Post], int]:
    """Store the items not stored yet (unique key: source + guid/URL), then classify
    and group the new ones. Returns (new posts, number of duplicates skipped). The
    fetch (``SYSTEM``) or a monitor who sees the source."""
    _require_source(actor, source, system=True)
    now = timezone.now()
    by_key: dict[str, fetching.Item] = {}
    total = 0
    for item in items:
        total += 1
        by_key.setdefault(_post_key(source, item), item)
    existing = set(Post.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    fresh = [
        Post(
            source=source,
            key=key,
            guid=item.guid,
            url=item.url,
            title=item.title,
            text=item.text,
            author=item.author,
            likes=item.likes,
            published_at=item.published_at or now,
        )
        for key, item in by_key.items()
        if key not in existing
    ]
    for post in fresh:
        # The source is the one given (checked above); the key is unique in the database.
        post.full_clean(exclude=["key", "source"], validate_unique=False, validate_constraints=False)
    # ignore_conflicts: a worker racing on the same key loses quietly (unique key).
    Post.objects.bulk_create(fresh, ignore_conflicts=True)
    posts = list(Post.objects.filter(key__in=[p.key for p in fresh], event__isnull=True))
    if posts:
        posts_process(posts=posts, bureau=source.bureau)
        audit_record(
            actor=actor, action="opinion.posts_ingest", target=source, data={"added": len(posts), "source": source.pk}
        )
    duplicates = total - len(posts)
    return posts, duplicates


def _matcher(bureau: Organization | None) -> OrgMatcher:
    orgs = Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.BUREAU)
    if bureau is not None:
        orgs = orgs.filter(path__startswith=bureau.path)
    return OrgMatcher(orgs.values_list("pk", "name", "short_name"))


@transaction.atomic
def posts_process(
    *, posts: list[Post], bureau: Organization | None, judgements: list[Judgement] | None = None
) -> list[Event]:
    """Classify (unless ``judgements`` are given: a monitor's review), find named
    organisations, hash and group ``posts`` into events (existing live events within the
    window first). Returns the events touched. Called by :func:`posts_ingest` and
    :func:`post_review`, which check the actor's right.

    OPN-1: a post praising a school or teacher is kept and counted but joins no event
    (``rules.makes_event``); an event that reaches the alert threshold is handed over
    by the platform."""
    judgements = judgements or classify_many([(p.title, p.text) for p in posts])
    matcher = _matcher(bureau)
    earliest = min(p.published_at for p in posts)
    live = Event.objects.filter(status__in=list(Event.LIVE), last_seen__gte=earliest - timedelta(days=7))
    if bureau is not None:
        live = live.filter(bureau=bureau)
    candidates: dict[int, Candidate] = {}
    for event in live.prefetch_related("organizations"):
        candidates[event.pk] = Candidate(
            key=event.pk,
            first_seen=event.first_seen,
            last_seen=event.last_seen,
            hashes=list(event.posts.values_list("simhash", flat=True)[:50]),
            organizations={o.pk for o in event.organizations.all()},
            topic=event.topic,
        )
    grouper = Grouper(candidates.values())
    temp_events: dict[int, Event] = {}
    touched: dict[int, Event] = {}
    for post, judgement in zip(posts, judgements, strict=True):
        post.education = bool(judgement.education)
        post.education_confidence = judgement.education_confidence
        post.topic = judgement.topic
        post.topic_confidence = judgement.topic_confidence
        post.stance = judgement.stance
        post.stance_confidence = judgement.stance_confidence
        post.simhash = simhash(f"{post.title} {post.text}")
        orgs = matcher.find(f"{post.title} {post.text}")
        fields = [
            "education",
            "education_confidence",
            "topic",
            "topic_confidence",
            "stance",
            "stance_confidence",
            "simhash",
        ]
        if not makes_event(education=post.education, stance=post.stance, confidence=post.stance_confidence):
            post.save(update_fields=fields)
            if orgs:
                post.organizations.add(*orgs)
            continue
        cand, _created = grouper.add(
            hash_value=post.simhash, at=post.published_at, organizations=orgs, topic=post.topic
        )
        if cand.key > 0:
            event = touched.get(cand.key) or Event.objects.get(pk=cand.key)
        elif cand.key in temp_events:
            event = temp_events[cand.key]
        else:
            event = Event(
                bureau=bureau,
                title=(post.title or post.text)[:200],
                topic=post.topic,
                stance=post.stance,
                first_seen=post.published_at,
                last_seen=post.published_at,
            )
            event.full_clean()
            event.save()
            temp_events[cand.key] = event
        post.event = event
        post.save(update_fields=[*fields, "event"])
        if orgs:
            post.organizations.add(*orgs)
            event.organizations.add(*orgs)
        touched[event.pk] = event
    for event in touched.values():
        event_refresh(event=event)
    for event in touched.values():
        _maybe_hand_over(event)
    return list(touched.values())


@transaction.atomic
def event_refresh(*, event: Event) -> Event:
    """Recompute reach, severity and first/last seen from the event's posts."""
    stats = event.posts.aggregate(n=Count("pk"), sources=Count("source", distinct=True), likes=Sum("likes"))
    times = list(event.posts.order_by("published_at").values_list("published_at", flat=True))
    if times:
        event.first_seen, event.last_seen = times[0], times[-1]
    event.posts_count = stats["n"] or 0
    event.sources_count = stats["sources"] or 0
    event.likes = stats["likes"] or 0
    event.severity = severity(
        posts=event.posts_count,
        sources=event.sources_count,
        likes=event.likes,
        stance=event.stance,
        topic=event.topic,
        major=event.major,
    )
    Event.objects.filter(pk=event.pk).update(
        first_seen=event.first_seen,
        last_seen=event.last_seen,
        posts_count=event.posts_count,
        sources_count=event.sources_count,
        likes=event.likes,
        severity=event.severity,
    )
    return event


def alert_severity() -> int:
    """The severity at which an event raises an alert and is handed over (OPN-1)."""
    return int(local_rule("OPN-1-auto-severity"))


def _maybe_hand_over(event: Event) -> None:
    """OPN-1: an event at or above the bureau's threshold (LOCAL ``OPN-1-auto-severity``;
    101 turns automatic hand-over off) is handed over automatically."""
    if event.status == Event.Status.NEW and event.severity >= alert_severity():
        unit = unit_suggested(event)
        if unit is not None:
            event_assign(event=event, organization=unit, actor=SYSTEM, reason=_("Severity above the alert threshold."))


@transaction.atomic
def post_create_manual(
    *, source: Source, actor: Any, title: str, text: str, url: str = "", published_at: datetime | None = None
) -> Post:
    """Staff record a post seen elsewhere (manual source)."""
    _require_source(actor, source)
    if source.kind != Source.Kind.MANUAL:
        raise ValidationError(_("Posts can only be entered by hand into a manual source."))
    if not (title.strip() or text.strip()):
        raise ValidationError(_("Give the post's title or text."))
    guid = url or hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    item = fetching.Item(guid=guid, url=url, title=title.strip(), text=text.strip(), published_at=published_at)
    posts, _dups = posts_ingest(source=source, items=[item], actor=actor)
    if not posts:
        raise ValidationError(_("This post is already recorded."))
    return posts[0]


def posts_import(*, source: Source, filename: str, body: bytes, actor: Any) -> ImportBatch:
    """Import a CSV / JSON / Excel file into an import source. Rows that cannot be
    read are refused and listed; rows already stored are skipped; nothing stored is
    changed. A file that cannot be read at all raises ValidationError."""
    _require_source(actor, source)
    if source.kind != Source.Kind.IMPORT:
        raise ValidationError(_("Files can only be imported into an import source."))
    if len(body) > fetching.MAX_BYTES:
        raise ValidationError(_("The file is too large (over %(mb)s MB).") % {"mb": fetching.MAX_BYTES // 2**20})
    try:
        items, errors = fetching.parse_import(body, filename)
    except fetching.FetchError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        posts, duplicates = posts_ingest(source=source, items=items, actor=actor)
        batch = ImportBatch(
            source=source,
            filename=filename[:200],
            added=len(posts),
            duplicates=duplicates,
            refused=len(errors),
            errors=errors[:100],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        batch.full_clean()
        batch.save()
        audit_record(
            actor=actor,
            action="opinion.posts_import",
            target=source,
            data={"batch": batch.pk, "added": batch.added, "duplicates": duplicates, "refused": len(errors)},
        )
    return batch


# --- Events: merge and split ------------------------------------------------------------------


@transaction.atomic
def event_merge(*, target: Event, others: list[Event], actor: Any) -> Event:
    """Move the posts of ``others`` into ``target``; the others become "merged"."""
    _require_monitor(actor, target)
    for other in others:
        _require_monitor(actor, other)
    others = [e for e in others if e.pk != target.pk]
    if not others:
        raise ValidationError(_("Choose at least one other event to merge."))
    for other in others:
        if other.status not in (Event.Status.NEW, Event.Status.ASSIGNED):
            raise ValidationError(_("Only a new or assigned event can be merged into another."))
        Post.objects.filter(event=other).update(event=target)
        target.organizations.add(*other.organizations.all())
        for supervision in Supervision.objects.filter(
            object_id=str(other.pk),
            status__in=list(Supervision.ACTIVE),
            content_type__model="event",
            content_type__app_label="opinion",
        ):
            supervision_close(
                supervision=supervision, actor=actor, reason=_("Merged into event %(pk)s") % {"pk": target.pk}
            )
        transition(other, Event.Status.MERGED, actor=actor, reason="", update={"merged_into": target})
    event_refresh(event=target)
    audit_record(actor=actor, action="opinion.event_merge", target=target, data={"merged": [o.pk for o in others]})
    return target


@transaction.atomic
def event_split(*, event: Event, posts: list[Post], actor: Any) -> Event:
    """Move ``posts`` out of ``event`` into a new event."""
    _require_monitor(actor, event)
    ids = {p.pk for p in posts if p.event_id == event.pk}
    if not ids:
        raise ValidationError(_("Choose the posts to move to a new event."))
    if len(ids) >= event.posts.count():
        raise ValidationError(_("Leave at least one post in the event."))
    first = min(posts, key=lambda p: p.published_at)
    new = Event(
        bureau=event.bureau,
        title=(first.title or first.text)[:200],
        topic=first.topic,
        stance=first.stance,
        first_seen=first.published_at,
        last_seen=first.published_at,
    )
    new.full_clean()
    new.save()
    Post.objects.filter(pk__in=ids).update(event=new)
    for post in Post.objects.filter(pk__in=ids).prefetch_related("organizations"):
        new.organizations.add(*post.organizations.all())
    event_refresh(event=event)
    event_refresh(event=new)
    audit_record(actor=actor, action="opinion.event_split", target=event, data={"new": new.pk, "posts": sorted(ids)})
    return new


@transaction.atomic
def post_review(*, post: Post, actor: Any, education: bool, topic: str, stance: str) -> Post:
    """A monitor confirms or corrects the classifier's three judgements of ``post``
    (audited, old and new). A post that turns out to be about education joins an event;
    one that is not, or that praises (OPN-1: no event to handle), leaves its event.
    Reviewed posts are what ``opinion_export_reviewed``
    hands to the next training."""
    require(access.posts_visible_to(actor).filter(pk=post.pk).exists(), _("Only a monitor of the bureau may do this."))
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Choose the stance.")})
    if education and topic not in Topic.values:
        raise ValidationError({"topic": _("Choose the topic of a post about education.")})
    topic = topic if education else ""
    post = Post.objects.select_for_update().get(pk=post.pk)
    before = {"education": post.education, "topic": post.topic, "stance": post.stance}
    old_event = post.event
    makes = makes_event(education=education, stance=stance)
    if old_event is not None and not makes and old_event.status != Event.Status.NEW and old_event.posts.count() == 1:
        raise ValidationError(
            _("This post is all there is of an event being handled; close the event before marking the post.")
        )
    post.education, post.topic, post.stance = education, topic, stance
    post.education_confidence = post.stance_confidence = 1.0
    post.topic_confidence = 1.0 if education else 0.0
    post.reviewed_by, post.reviewed_at = actor, timezone.now()
    if not makes:
        post.event = None  # a post not about education, or praise, belongs to no event
    fields = ["education", "education_confidence", "topic", "topic_confidence", "stance", "stance_confidence"]
    post.save(update_fields=[*fields, "reviewed_by", "reviewed_at", "event"])
    if old_event is None:
        if makes:
            judgement = Judgement(1, 1.0, topic, 1.0, stance, 1.0)
            posts_process(posts=[post], bureau=post.source.bureau, judgements=[judgement])
    elif old_event.posts.exists():
        event_refresh(event=old_event)
    else:
        event_close(event=old_event, actor=actor, reason=_("Its only post is no event to handle."))
    audit_record(
        actor=actor,
        action="opinion.post_review",
        target=post,
        data={"before": before, "after": {"education": education, "topic": topic, "stance": stance}},
    )
    return post


# --- Handling ----------------------------------------------------------------------------------


def event_supervisions(event: Event) -> list[Supervision]:
    return [s for rule in (*OPN1_CLOCKS, *OPN1_MAJOR_CLOCKS) if (s := supervision_get_active(item=event, rule_id=rule))]


@transaction.atomic
def event_assign(
    *, event: Event, organization: Organization, actor: Any, major: bool = False, reason: str = ""
) -> list[Supervision]:
    """OPN-1: hand the event to ``organization`` under supervision: one OPN-1 clock
    (48 h), or for a major incident OPN-1-major-info (5 h) and OPN-1-major-statement
    (24 h). The clocks start when the opinion first appeared (``rules.opn1_started_at``),
    not now. Refused for a unit the posts accuse (the message names its superior,
    ``rules.unit_suggested``) and for a unit outside the event's bureau. A monitor of
    the bureau, or the platform (``SYSTEM``, the automatic hand-over).

    An answered event handed on again (to another unit, or back): the clocks of the
    first hand-over are closed, keeping whether they were met, and fresh ones start
    for the unit that has it now — still counted from the opinion's first appearance."""
    _require_monitor(actor, event, system=True)
    accused = units_accused(event)
    if organization.pk in {o.pk for o in accused}:
        superior = unit_suggested(event)
        if superior is not None:
            message = _("The posts accuse %(unit)s; it cannot answer for itself. Hand the event to %(superior)s.") % {
                "unit": organization.name,
                "superior": superior.name,
            }
        else:
            message = _(
                "The posts accuse %(unit)s; it cannot answer for itself. Hand the event to a unit above it."
            ) % {"unit": organization.name}
        raise ValidationError({"organization": message})
    if event.bureau_id is not None and not access.units_of_bureau(event).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("Choose a unit of the event's bureau.")})
    now = timezone.now()
    start = opn1_started_at(event, now)
    rules = OPN1_MAJOR_CLOCKS if major else OPN1_CLOCKS
    previous = event_supervisions(event)
    transition(
        event,
        Event.Status.ASSIGNED,
        actor=actor,
        reason=reason,
        data={"organization": organization.pk, "major": major, "start": start.isoformat()},
        update={"responsible": organization, "assigned_at": now, "major": major},
    )
    for supervision in previous:
        supervision_close(
            supervision=supervision,
            actor=actor,
            reason=_("Handed to %(unit)s") % {"unit": organization.name},
        )
    opened = []
    for rule in rules:
        opened.append(
            supervision_open(
                item=event, organization=organization, rule_id=rule, start=start, actor=actor, title=event.title[:200]
            )
        )
    event_refresh(event=event)
    return opened


def _stop_clock(event: Event, rule_id: str, *, actor: Any, reason: str) -> None:
    supervision = supervision_get_active(item=event, rule_id=rule_id)
    if supervision is not None and supervision.status == Supervision.Status.OPEN:
        supervision_answer(supervision=supervision, actor=actor, reason=reason)


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _save(event: Event, locked: Event, fields: list[str]) -> None:
    """Validate and save ``fields`` of the locked row; the caller's instance follows."""
    locked.full_clean()
    locked.save(update_fields=fields)
    for name in fields:
        setattr(event, name, getattr(locked, name))


def _major_act(event: Event, *, actor: Any, text: str, rule_id: str, fields: tuple[str, str], action: str) -> Event:
    _require_handler(actor, event)
    locked = _locked(event)
    if locked.status != Event.Status.ASSIGNED or not locked.major:
        raise ValidationError(_("Only a major incident being handled takes this step."))
    if not text.strip():
        raise ValidationError({"text": _("Write the text that was released.")})
    text_field, at_field = fields
    done = getattr(locked, at_field)
    if done is not None and locked.assigned_at is not None and done >= locked.assigned_at:
        raise ValidationError(_("This step has already been recorded."))
    setattr(locked, text_field, text.strip())
    setattr(locked, at_field, timezone.now())
    _save(event, locked, [text_field, at_field])
    _stop_clock(event, rule_id, actor=actor, reason=action)
    audit_record(actor=actor, action=f"opinion.{action}", target=event, data={"length": len(text.strip())})
    return event


@transaction.atomic
def event_inform(*, event: Event, actor: Any, text: str) -> Event:
    """OPN-1, major incident: the authoritative information is out; its 5-hour clock
    (OPN-1-major-info) stops, the 24-hour statement clock runs on."""
    return _major_act(
        event,
        actor=actor,
        text=text,
        rule_id="OPN-1-major-info",
        fields=("information", "informed_at"),
        action="event_inform",
    )


@transaction.atomic
def event_statement(*, event: Event, actor: Any, text: str) -> Event:
    """OPN-1, major incident: the press statement is issued; its 24-hour clock
    (OPN-1-major-statement) stops, whatever the information clock does."""
    return _major_act(
        event,
        actor=actor,
        text=text,
        rule_id="OPN-1-major-statement",
        fields=("statement", "stated_at"),
        action="event_statement",
    )


@transaction.atomic
def event_instruct(*, event: Event, author: Any, text: str) -> None:
    """A leader's instruction (批示) on the event's supervision (who may instruct is
    supervision's rule: a leader of the responsible unit or above it)."""
    require(access.events_visible_to(author).filter(pk=event.pk).exists())
    supervisions = event_supervisions(event)
    if not supervisions:
        raise ValidationError(_("The event must be assigned before a leader can instruct on it."))
    if not text.strip():
        raise ValidationError({"text": _("Write the instruction.")})
    supervision_instruct(supervision=supervisions[0], author=author, text=text)


@transaction.atomic
def event_investigate(*, event: Event, actor: Any, note: str) -> Event:
    """The responsible unit's investigation note (调查核实)."""
    _require_handler(actor, event)
    locked = _locked(event)
    if locked.status != Event.Status.ASSIGNED:
        raise ValidationError(_("Only an assigned event takes an investigation note."))
    if not note.strip():
        raise ValidationError({"note": _("Write the investigation note.")})
    locked.investigation = note.strip()
    _save(event, locked, ["investigation"])
    audit_record(actor=actor, action="opinion.event_investigate", target=event, data={"length": len(note.strip())})
    return event


@transaction.atomic
def event_reply(*, event: Event, actor: Any, text: str, public: bool, review: Review = NO_REVIEW) -> Event:
    """The formal reply; the unit's clocks stop (OPN-1). ``public`` publishes it on the
    public replies page: then the event's title and the reply pass the personal-data gate
    first (core.privacy; the reply names no filer or child, PET-9), and a refusal says
    what was found, masked, with nothing recorded. ``review``: the reviewer's answer to
    the gate (landlines marked as public office numbers, the redaction taken), audited."""
    _require_handler(actor, event)
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    if public:
        guard_publication(
            (pgettext("publication part", "title"), event.title),
            (pgettext("publication part", "reply"), text.strip()),
            review=review,
        )
    transition(
        event,
        Event.Status.ANSWERED,
        actor=actor,
        update={"reply": text.strip(), "reply_public": public, "replied_at": timezone.now()},
    )
    for supervision in event_supervisions(event):
        if supervision.status == Supervision.Status.OPEN:
            supervision_answer(supervision=supervision, actor=actor, reason=_("Formal reply given."))
    if public:
        review_record(actor=actor, target=event, review=review)
    return event


@transaction.atomic
def event_close(*, event: Event, actor: Any, reason: str = "") -> Event:
    """A monitor of the bureau closes the event; its clocks are closed with it."""
    _require_monitor(actor, event)
    for supervision in event_supervisions(event):
        supervision_close(supervision=supervision, actor=actor, reason=reason)
    transition(event, Event.Status.CLOSED, actor=actor, reason=reason)
    return event


def event_to_petition(*, event: Event, actor: Any, kind: str = "complaint", request: str = "") -> PetitionIntakeResult:
    """Turn the event into a petition case in one step, through the petitions seam; the
    event keeps the case number, the audit entry its id and number. A monitor of the
    bureau. Raises ``core.seams.SeamUnavailable`` (an ImproperlyConfigured) when no
    petitions module is installed, and ValidationError when the event was already
    turned into one."""
    _require_monitor(actor, event)
    if event.petition_label:
        raise ValidationError(_("This event has already been turned into a petition."))
    posts = list(event.posts.order_by("published_at")[:5])
    facts = "\n\n".join(f"{p.title}\n{p.text}".strip() for p in posts)
    named = list(event.organizations.all()[:1])
    intake = PetitionIntake(
        kind=kind,
        channel="opinion",
        title=event.title[:200],
        facts=facts or event.title,
        request=request,
        subject_organization_id=named[0].pk if named else None,
        source_label=f"opinion.event:{event.pk}",
    )
    with transaction.atomic():
        locked = _locked(event)
        if locked.petition_label:
            raise ValidationError(_("This event has already been turned into a petition."))
        case = petition_intake(intake, actor=actor)
        locked.petition_label = case.case_number
        _save(event, locked, ["petition_label"])
        audit_record(
            actor=actor,
            action="opinion.event_to_petition",
            target=event,
            data={"case_id": case.case_id, "case_number": case.case_number},
        )
    return case


__all__ = [
    "FetchOutcome",
    "ImproperlyConfigured",
    "alert_severity",
    "event_assign",
    "event_close",
    "event_inform",
    "event_instruct",
    "event_investigate",
    "event_merge",
    "event_refresh",
    "event_reply",
    "event_split",
    "event_statement",
    "event_supervisions",
    "event_to_petition",
    "post_create_manual",
    "post_review",
    "posts_import",
    "posts_ingest",
    "posts_process",
    "source_create",
    "source_fetch",
    "sources_fetch_due",
]


@transaction.atomic
def brief_issue(*, bureau: Organization, day: date, actor: Any) -> IssuedDocument:
    """The daily brief (舆情日报) of ``bureau`` for ``day``, issued as a core document
    record under the bureau's next brief number with the day's figures frozen into it.
    Issued again the same day, it is re-issued: a new version under the same number, the
    earlier one kept."""
    require(access.may_issue_brief(actor, bureau), _("Only a monitor of the bureau may do this."))
    posts = access.posts_visible_to(actor)
    events = access.events_visible_to(actor)
    figures = brief_figures(day=day, posts=posts, events=events)

    def render(number: str) -> bytes:
        return brief_docx(bureau=bureau, day=day, posts=posts, events=events, number=number)

    current = documents_issued(kind=BRIEF_DOCUMENT, organization=bureau).filter(period_start=day).first()
    if current is not None:
        return document_reissue(document=current, content=render, actor=actor, reason="当日更新", figures=figures)
    return document_issue(
        kind=BRIEF_DOCUMENT,
        organization=bureau,
        title=f"{chinese_date(day)}网上舆情监测情况",  # the document's own title: always Chinese
        content=render,
        filename=f"舆情日报-{day.isoformat()}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        period=(day, day),
        figures=figures,
    )


def briefs_of(user: Any) -> list[IssuedDocument]:
    """The briefs issued by the bureaus ``user`` monitors, newest first."""
    briefs: list[IssuedDocument] = []
    for bureau in access.bureaus_of(user):
        briefs.extend(documents_issued(kind=BRIEF_DOCUMENT, organization=bureau)[:60])
    return sorted(briefs, key=lambda d: d.issued_at, reverse=True)
