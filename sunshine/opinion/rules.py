"""The opinion rules of rules.md (OPN-1) that are decisions rather than clocks. The
clocks themselves (OPN-1 48 hours; a major incident's OPN-1-major-info, 5 hours, and
OPN-1-major-statement, 24 hours) come from ``sunshine.core.clocks``; this module says
when they start, who may be responsible and which posts make an event.

* The clock starts when the opinion first appeared — the earliest post of the event,
  as published — not when a monitor hands it over (:func:`opn1_started_at`).
* The unit concerned is first responsible, but never the unit the posts accuse: a
  school or department named in a complaint of the event steps aside and its
  superior answers (:func:`units_accused`, :func:`unit_suggested`); supervision is
  told through ``register_supervision_exclusion`` (no notice, escalation or hand-over
  ever reaches the accused unit).
* A post praising a school or teacher is watched and counted, but is no event to
  handle (:func:`makes_event`).

Where the classifier is unsure of a post's stance (below ``SURE``), the post is taken
at its worst: it makes an event even if judged praise, and it accuses the units it
names even if judged a request or suggestion. A monitor's review makes it sure.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q
from django.utils import timezone

from sunshine.core.supervision import Exclusion
from sunshine.opinion.models import Event, Post, Stance
from sunshine.orgs.models import Organization

# Stances whose post accuses the schools and departments it names.
ACCUSING = frozenset({Stance.COMPLAINT})
# The classifier's confidence from which its stance is taken as it says.
SURE = 0.6


def makes_event(*, education: bool, stance: str, confidence: float = 1.0) -> bool:
    """OPN-1: a post about education makes an event to handle unless it surely praises."""
    return education and not (stance == Stance.PRAISE and confidence >= SURE)


def opn1_started_at(event: Event, now: datetime | None = None) -> datetime:
    """OPN-1: when the opinion first appeared — the earliest published time of the
    event's posts (never later than ``now``: a feed's clock ahead of ours starts the
    clock at the hand-over, not in the future)."""
    now = now or timezone.now()
    first = event.posts.aggregate(first=Min("published_at"))["first"] or event.first_seen or now
    return min(first, now)


def units_accused(event: Event) -> list[Organization]:
    """OPN-1: the schools and departments named in the event's complaints (and in its
    posts whose stance the classifier is unsure of)."""
    ids = (
        Post.organizations.through.objects.filter(post__event=event)
        .filter(Q(post__stance__in=list(ACCUSING)) | Q(post__stance_confidence__lt=SURE))
        .values_list("organization_id", flat=True)
    )
    return list(Organization.objects.filter(pk__in=ids).order_by("path"))


def unit_suggested(event: Event) -> Organization | None:
    """OPN-1: who should answer the event. The unit concerned is first responsible (the
    one school or department the posts name), except a unit they accuse: then its
    superior (their common superior for several; else the event's bureau). Neither
    named nor accused: the bureau."""
    accused = units_accused(event)
    if accused:
        accused_ids = {o.pk for o in accused}
        parents = {o.parent_id for o in accused}
        if len(parents) == 1:
            parent = accused[0].parent
            if parent is not None and parent.pk not in accused_ids:
                return parent
        return event.bureau if event.bureau_id not in accused_ids else None
    named = list(event.organizations.order_by("kind", "path"))
    if len(named) == 1:
        return named[0]
    return event.bureau


def accused_exclusion(event: Event) -> Exclusion:
    """OPN-1 for supervision: the accused units step aside from the event's clocks."""
    return Exclusion(organization_ids=frozenset(o.pk for o in units_accused(event)))
