"""Who may see and do what in opinion monitoring.

Monitors (bureau department staff, discipline inspectors, leaders) watch every source,
post and event of their bureau. A school's principal and clerk see the events
assigned to their school (the unit concerned is first responsible, OPN-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Least

from sunshine.opinion.models import Event, Post, Source
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Organization, Role

MONITOR_ROLES = (Role.DEPARTMENT_STAFF, Role.DISCIPLINE_INSPECTOR, Role.LEADER)


def bureaus_of(user: Any) -> list[Organization]:
    bureaus: dict[int, Organization] = {}
    for org in organizations_of(user, *MONITOR_ROLES).select_related("parent"):
        bureau = org.bureau
        bureaus[bureau.pk] = bureau
    return list(bureaus.values())


def can_monitor(user: Any) -> bool:
    return has_role(user, *MONITOR_ROLES)


def can_lead(user: Any) -> bool:
    return has_role(user, Role.LEADER)


def sources_visible_to(user: Any) -> QuerySet[Source]:
    if not can_monitor(user):
        return Source.objects.none()
    return Source.objects.filter(Q(bureau__in=bureaus_of(user)) | Q(bureau__isnull=True))


def posts_visible_to(user: Any) -> QuerySet[Post]:
    return Post.objects.filter(source__in=sources_visible_to(user))


def posts_to_review(user: Any) -> QuerySet[Post]:
    """The user's posts no monitor has reviewed yet, the classifier's least sure first
    (the weakest of its judgements; topic counts only for posts about education)."""
    topic_confidence = Case(When(education=True, then=F("topic_confidence")), default=Value(1.0))
    return (
        posts_visible_to(user)
        .filter(reviewed_at__isnull=True)
        .order_by(Least("education_confidence", "stance_confidence", topic_confidence), "-published_at", "-pk")
    )


def events_visible_to(user: Any) -> QuerySet[Event]:
    query = Q(pk__in=[])
    if can_monitor(user):
        query |= Q(bureau__in=bureaus_of(user)) | Q(bureau__isnull=True)
    if has_role(user, Role.PRINCIPAL, Role.SCHOOL_CLERK):
        query |= Q(responsible__in=organizations_of(user, Role.PRINCIPAL, Role.SCHOOL_CLERK))
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    return Event.objects.filter(query)


def events_replied_public() -> QuerySet[Event]:
    """The public page of replies: events whose formal reply was made public."""
    return Event.objects.filter(reply_public=True, replied_at__isnull=False)


def units_of_bureau(event: Event) -> QuerySet[Organization]:
    """The event's bureau itself and its departments and schools."""
    if event.bureau is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(is_active=True, path__startswith=event.bureau.path)
        .exclude(Q(kind=Organization.Kind.BUREAU) & ~Q(pk=event.bureau_id))
        .order_by("kind", "code")
    )


def units_assignable(event: Event) -> QuerySet[Organization]:
    """The units the event may be handed to (OPN-1): its bureau, the bureau's
    departments and schools, never one the posts accuse."""
    from sunshine.opinion.rules import units_accused

    return units_of_bureau(event).exclude(pk__in=[o.pk for o in units_accused(event)])


def may_monitor(user: Any, event: Event) -> bool:
    """A monitor of the event's bureau (assign, close, merge, split, petition)."""
    return can_monitor(user) and events_visible_to(user).filter(pk=event.pk).exists()


def may_handle(user: Any, event: Event) -> bool:
    """The monitors of the event's bureau, and the responsible unit's staff
    (investigation note, major-incident acts, reply)."""
    if may_monitor(user, event):
        return True
    unit = event.responsible_id
    return unit is not None and events_visible_to(user).filter(pk=event.pk).exists()


def may_keep_source(user: Any, source: Source) -> bool:
    """A monitor who sees the source (entering, importing and fetching its posts)."""
    return sources_visible_to(user).filter(pk=source.pk).exists()


def may_add_source(user: Any, bureau: Organization | None) -> bool:
    """A monitor of ``bureau`` adds a source to it."""
    return can_monitor(user) and bureau is not None and any(b.pk == bureau.pk for b in bureaus_of(user))


def brief_readable(user: Any, document: Any) -> bool:
    """The readers of an issued brief (core kind "opinion.brief"): the monitors of its bureau."""
    return can_monitor(user) and any(b.pk == document.organization_id for b in bureaus_of(user))


def may_issue_brief(user: Any, organization: Organization) -> bool:
    return can_monitor(user) and any(b.pk == organization.pk for b in bureaus_of(user))
