"""The opinion figures, registered in ``core.figures`` by ``OpinionConfig.ready()``: events
and OPN-1 on-time responses. An event belongs to the bureau whose sources found it and to
the unit responsible for it; merged events are counted in the event they joined.

The on-time rate counts an event whose response deadline has passed by
``period.as_of`` without a formal reply as late.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Min, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import FigureValue, Period, Unit, register_figure, within
from sunshine.core.models import Supervision
from sunshine.opinion.models import Event
from sunshine.opinion.services import OPN1_CLOCKS, OPN1_MAJOR_CLOCKS


def _events(organization: Any) -> QuerySet[Event]:
    return Event.objects.filter(within(organization, "bureau") | within(organization, "responsible")).exclude(
        status=Event.Status.MERGED
    )


def events(period: Period, organization: Any) -> FigureValue:
    """Events first seen in the period."""
    return FigureValue.count(
        _events(organization).filter(first_seen__gte=period.start, first_seen__lt=period.end).count()
    )


def responded_on_time_rate(period: Period, organization: Any) -> FigureValue:
    """OPN-1: events handed to a unit in the period and formally answered within every
    response time limit of their clocks (48 hours; a major incident 5 and 24 hours) ÷
    those answered plus those past the limit without an answer (late)."""
    events = _events(organization).filter(assigned_at__gte=period.start, assigned_at__lt=period.end)
    assigned = list(events.values_list("pk", "replied_at"))
    due = dict(
        Supervision.objects.filter(
            content_type=ContentType.objects.get_for_model(Event),
            # the events as a sub-select (a city's year hands out ten thousand), not their ids
            object_id__in=events.annotate(key=Cast("pk", CharField())).values("key"),
            rule_id__in=(*OPN1_CLOCKS, *OPN1_MAJOR_CLOCKS),
        )
        .exclude(status=Supervision.Status.CANCELLED)
        .values("object_id")
        .annotate(due=Min("due_at"))
        .values_list("object_id", "due")
    )
    on_time = counted = 0
    for pk, replied_at in assigned:
        limit = due.get(str(pk))
        if limit is None:
            continue
        if replied_at is not None:
            counted += 1
            on_time += replied_at <= limit
        elif limit < period.as_of:
            counted += 1
    return FigureValue.rate(on_time, counted)


def register() -> None:
    """Called once from ``OpinionConfig.ready()``."""
    register_figure(
        key="opinion.events",
        label=_("Opinion events"),
        unit=Unit.CASES,
        numerator=_("opinion events first seen in the period (merged events counted once)"),
        compute=events,
        order=10,
    )
    register_figure(
        key="opinion.responded_on_time_rate",
        label=_("On-time opinion response rate"),
        unit=Unit.PERCENT,
        numerator=_("events handed to a unit in the period and formally answered within the response time limit"),
        denominator=_(
            "events handed to a unit in the period and answered, plus those past the time limit without an "
            "answer (counted as late)"
        ),
        compute=responded_on_time_rate,
        order=20,
    )
