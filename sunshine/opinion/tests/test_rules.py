"""OPN-1 as the bureau reads it: when the clocks start, who may answer, which posts make
an event, and the daily brief's figures against the workbench."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.models import AuditEntry, Supervision
from sunshine.core.supervision import supervision_exclusion
from sunshine.core.testing import client_for
from sunshine.opinion import access, services
from sunshine.opinion.fetch import Item
from sunshine.opinion.models import Event, Post, Source
from sunshine.opinion.rules import unit_suggested, units_accused
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db

COMPLAINT = ("测试区第一中学乱收资料费", "测试区第一中学开学强制收取资料费300元，家长很不满")


def _feed(district: dict[str, Any], *items: tuple[str, str, str, timedelta]) -> list[Post]:
    """Posts a feed brings: (guid, title, text, how long ago it was published)."""
    source = Source.objects.filter(name="论坛").first() or services.source_create(
        actor=district["monitor"], name="论坛", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    now = timezone.now()
    posts, _dups = services.posts_ingest(
        source=source,
        items=[Item(guid=g, url="", title=t, text=x, published_at=now - ago) for g, t, x, ago in items],
        actor=SYSTEM,
    )
    return posts


def test_opn1_clock_starts_when_the_opinion_first_appeared(district):
    """OPN-1: 48 hours from the earliest post of the event, not from the hand-over."""
    posts = _feed(
        district,
        ("1", *COMPLAINT, timedelta(hours=30)),
        (
            "2",
            "转：测试区第一中学乱收资料费",
            "测试区第一中学开学强制收取资料费300元，家长很不满！",
            timedelta(hours=2),
        ),
    )
    first, later = sorted(posts, key=lambda p: p.guid)
    assert first.event_id == later.event_id
    (sup,) = services.event_assign(event=first.event, organization=district["office"], actor=district["monitor"])
    assert sup.started_at == first.published_at
    assert sup.due_at == first.published_at + timedelta(hours=48)
    event = Event.objects.get(pk=first.event_id)
    assert event.assigned_at > sup.started_at + timedelta(hours=29)  # handed over 30 hours later


def test_opn1_major_incident_two_clocks_from_first_appearance_each_stopped_by_its_own_act(district):
    """OPN-1: a major incident's 5-hour information and 24-hour statement both count from
    the opinion's first appearance; each act stops only its own clock."""
    (post,) = _feed(
        district, ("1", "测试区第一中学校车事故", "测试区第一中学校车发生事故，多名学生受伤", timedelta(hours=3))
    )
    info, statement = services.event_assign(
        event=post.event, organization=district["office"], actor=district["monitor"], major=True
    )
    assert (info.rule_id, info.due_at) == ("OPN-1-major-info", post.published_at + timedelta(hours=5))
    assert (statement.rule_id, statement.due_at) == ("OPN-1-major-statement", post.published_at + timedelta(hours=24))
    services.event_statement(event=post.event, actor=district["monitor"], text="新闻发布会通稿")
    info.refresh_from_db()
    statement.refresh_from_db()
    assert statement.status == Supervision.Status.ANSWERED and info.status == Supervision.Status.OPEN
    services.event_inform(event=post.event, actor=district["monitor"], text="受伤学生均已送医。")
    info.refresh_from_db()
    assert info.status == Supervision.Status.ANSWERED


def test_opn1_answered_event_can_be_reassigned(district):
    """OPN-1: an answered event is handed to another unit; the first unit's clock is
    closed with its record, the new unit's clock still counts from first appearance."""
    (post,) = _feed(district, ("1", *COMPLAINT, timedelta(hours=1)))
    monitor = district["monitor"]
    (first,) = services.event_assign(event=post.event, organization=district["bureau"], actor=monitor)
    services.event_reply(event=post.event, actor=monitor, text="已说明。", public=False)
    (second,) = services.event_assign(event=post.event, organization=district["office"], actor=monitor)
    first.refresh_from_db()
    assert first.status == Supervision.Status.CLOSED and first.finished_at is not None
    assert (second.organization, second.status) == (district["office"], Supervision.Status.OPEN)
    assert second.started_at == first.started_at == post.published_at


def test_opn1_the_accused_unit_never_answers_its_superior_is_suggested(district):
    """OPN-1: a complaint about school 1 cannot be handed to school 1 (refused, nothing
    changes); its superior is suggested, the automatic hand-over goes there, and
    supervision keeps the school out of the event's clocks."""
    (post,) = _feed(district, ("1", *COMPLAINT, timedelta(hours=1)))
    event = post.event
    school, bureau = district["school1"], district["bureau"]
    assert units_accused(event) == [school] and unit_suggested(event) == bureau
    assert school not in access.units_assignable(event) and bureau in access.units_assignable(event)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.event_assign(event=event, organization=school, actor=district["monitor"])
    assert bureau.name in str(refused.value)
    event.refresh_from_db()
    assert event.status == Event.Status.NEW and not Supervision.objects.exists()
    assert AuditEntry.objects.count() == audit_before

    client, _staff = client_for(Role.DEPARTMENT_STAFF, bureau=bureau)
    page = client.get(reverse("opinion:event-detail", kwargs={"pk": event.pk})).content.decode()
    assert 'id="assign-accused"' in page and f'<option value="{bureau.pk}" selected>' in page
    assert f'<option value="{school.pk}"' not in page
    client.post(
        reverse("opinion:event-action", kwargs={"pk": event.pk, "action": "assign"}), {"organization": school.pk}
    )
    assert Event.objects.get(pk=event.pk).status == Event.Status.NEW

    (sup,) = services.event_assign(event=event, organization=bureau, actor=SYSTEM)
    assert supervision_exclusion(sup).organization_ids == {school.pk}


def test_opn1_a_suggestion_goes_to_the_school_it_concerns(district):
    """OPN-1: the unit concerned is first responsible when the posts do not accuse it."""
    (post,) = _feed(district, ("1", "测试区第一中学周边交通", "建议测试区第一中学门口设置护学岗", timedelta(hours=1)))
    assert units_accused(post.event) == [] and unit_suggested(post.event) == district["school1"]
    (sup,) = services.event_assign(event=post.event, organization=district["school1"], actor=district["monitor"])
    assert sup.organization == district["school1"]


def test_opn1_praise_is_no_event_to_handle(district):
    """OPN-1: a post praising a teacher is kept and counted, but makes no event; a
    complaint a monitor corrects to praise leaves its event."""
    praise, complaint = _feed(
        district,
        ("1", "感谢测试区第一中学王老师", "王老师每天放学后义务给孩子辅导，非常负责，点赞", timedelta(hours=1)),
        ("2", *COMPLAINT, timedelta(hours=1)),
    )
    praise.refresh_from_db()
    assert praise.education and praise.stance == "praise" and praise.event_id is None
    assert list(praise.organizations.all()) == [district["school1"]]
    assert Event.objects.count() == 1 and complaint.event is not None
    services.post_review(post=complaint, actor=district["monitor"], education=True, topic="fees", stance="praise")
    complaint.refresh_from_db()
    assert complaint.event_id is None
    assert Event.objects.get().status == Event.Status.CLOSED


def test_opn1_same_matter_same_school_one_event_another_school_another(district):
    """Two posts about the same matter at the same school, brought at different times,
    fall into one event; the same complaint written about another school is another
    event (a near-duplicate text, but another school)."""
    (first,) = _feed(district, ("1", *COMPLAINT, timedelta(hours=5)))
    (second,) = _feed(
        district, ("2", "第一中学收费问题", "测试区第一中学要求每个学生交资料费，家长不满", timedelta(hours=1))
    )
    (other,) = _feed(
        district,
        ("3", "测试区第二中学乱收资料费", "测试区第二中学开学强制收取资料费300元，家长很不满", timedelta(hours=1)),
    )
    assert first.event_id == second.event_id is not None
    assert other.event_id not in (None, first.event_id)
    assert list(Event.objects.get(pk=other.event_id).organizations.all()) == [district["school2"]]


def _figure(page: str, key: str) -> int:
    match = re.search(rf'id="today-{key}"><strong>(\d+)</strong>', page)
    assert match, key
    return int(match.group(1))


def test_opn1_the_daily_brief_agrees_with_the_workbench_of_the_same_day(district):
    """The brief's four figures are the workbench's for the same day: posts about
    education that appeared that day (praise included), events with such a post,
    handed over, answered — not what was fetched or created that day."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < timedelta(minutes=30):  # keep every post of "today" inside today
        pytest.skip("too close to midnight")
    monitor = district["monitor"]
    answered, assigned, _praise, _new = sorted(
        _feed(
            district,
            ("1", *COMPLAINT, timedelta(minutes=10)),
            ("2", "测试区第二中学周末补课收费", "测试区第二中学周六补课每人收600元", timedelta(minutes=12)),
            ("3", "感谢测试区第一中学王老师", "王老师每天放学后义务给孩子辅导，非常负责，点赞", timedelta(minutes=14)),
            ("4", "测试区第三中学宿舍漏水", "测试区第三中学宿舍漏水一个月没人修", timedelta(minutes=16)),
        ),
        key=lambda p: p.guid,
    )
    _feed(district, ("5", "城南路口的路灯坏了", "晚上走路很不安全", timedelta(minutes=5)))  # not about education
    _feed(district, ("6", "测试区第一中学食堂涨价", "测试区第一中学食堂饭菜涨价", now - midnight + timedelta(hours=3)))
    services.event_assign(event=answered.event, organization=district["office"], actor=monitor)
    services.event_reply(event=answered.event, actor=monitor, text="已整改。", public=False)
    services.event_assign(event=assigned.event, organization=district["office"], actor=monitor)
    brief = services.brief_issue(bureau=district["bureau"], day=timezone.localdate(), actor=monitor)
    assert brief.figures == {
        "opinion.brief.posts": 4,
        "opinion.brief.events": 3,
        "opinion.brief.events_assigned": 2,
        "opinion.brief.events_answered": 1,
    }
    client, _user = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    page = client.get(reverse("opinion:workbench")).content.decode()
    shown = {f"opinion.brief.{key}": _figure(page, key.replace("events_", "")) for key in ("posts", "events")}
    shown |= {f"opinion.brief.events_{key}": _figure(page, key) for key in ("assigned", "answered")}
    assert shown == brief.figures
