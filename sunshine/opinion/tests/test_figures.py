"""The opinion figures read through the figures registry: events, and OPN-1 responses
on time — an event left without an answer past its time limit is late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sunshine.core.figures import Period, figure_value
from sunshine.core.models import Supervision
from sunshine.core.testing import user_with_role
from sunshine.opinion import services
from sunshine.opinion.models import Event
from sunshine.orgs.models import Role

from .test_events import _ingest

pytestmark = pytest.mark.django_db


def parts(key, period, organization):
    result = figure_value(f"opinion.{key}", period=period, organization=organization)
    return result.value, result.numerator, result.denominator


def test_opn1_on_time_rate_counts_an_unanswered_overdue_event_as_late(district):
    """OPN-1: answered within 48 hours = on time; answered after, or not answered once
    the limit has passed = late; an event not handed to a unit is in neither part."""
    posts = _ingest(
        district,
        ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，家长很担心"),
        ("2", "测试区第二中学周末补课收费", "测试区第二中学周六补课每人收600元"),
        ("3", "测试区第三中学周边交通", "建议测试区第三中学门口设置护学岗"),
    )
    events = [post.event for post in posts]
    assert len({event.pk for event in events}) == 3
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    answered, late, unanswered = events
    # A complaint is answered by a unit above the school it accuses (OPN-1); a suggestion
    # by the school it concerns.
    services.event_assign(event=answered, organization=district["office"], actor=staff)
    services.event_reply(event=answered, actor=staff, text="已核实并整改。", public=True)
    services.event_assign(event=late, organization=district["bureau"], actor=staff)
    services.event_reply(event=late, actor=staff, text="已叫停补课。", public=False)
    due = Supervision.objects.get(object_id=str(late.pk), rule_id="OPN-1").due_at
    Event.objects.filter(pk=late.pk).update(replied_at=due + timedelta(hours=1))
    services.event_assign(event=unanswered, organization=district["school3"], actor=staff)
    unassigned = _ingest(district, ("4", "测试区第一中学教师体罚学生", "有家长反映测试区第一中学一名教师体罚学生"))[0]
    assert unassigned.event is not None and unassigned.event.responsible_id is None

    now = timezone.now()
    year = Period.year(timezone.localtime(now).year, as_of=now)
    assert parts("events", year, district["bureau"]) == (4, 4, None)
    # Within the 48 hours the unanswered event is in neither part yet.
    assert parts("responded_on_time_rate", year, district["bureau"]) == (50.0, 1, 2)
    after = Period(year.start, year.end, as_of=now + timedelta(hours=49))
    assert parts("responded_on_time_rate", after, district["bureau"]) == (33.3, 1, 3)
    # A unit counts the events it is responsible for.
    assert parts("events", year, district["office"]) == (1, 1, None)
    assert parts("responded_on_time_rate", after, district["office"]) == (100.0, 1, 1)
    assert parts("responded_on_time_rate", after, district["school3"]) == (0.0, 0, 1)
    assert parts("events", Period.year(timezone.localtime(now).year - 1), district["bureau"]) == (0, 0, None)
