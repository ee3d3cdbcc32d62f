"""Events: grouping, merge and split, and handling under the OPN-1 clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sunshine.core import seams
from sunshine.core.actors import SYSTEM
from sunshine.core.local_rules import local_rule_set
from sunshine.core.models import AuditEntry, Supervision
from sunshine.core.testing import audit_entries_containing, receipt_codes_drawn, user_with_role
from sunshine.opinion import services
from sunshine.opinion.fetch import Item
from sunshine.opinion.grouping import Grouper, OrgMatcher, hamming, simhash
from sunshine.opinion.models import Event, Post, Source
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def _ingest(district: dict[str, Any], *items: tuple[str, str, str]) -> list[Post]:
    source = Source.objects.filter(name="t").first() or services.source_create(
        actor=district["monitor"], name="t", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    now = timezone.now()
    posts, _dups = services.posts_ingest(
        source=source,
        items=[
            Item(guid=g, url="", title=t, text=x, published_at=now - timedelta(minutes=i))
            for i, (g, t, x) in enumerate(items)
        ],
        actor=SYSTEM,  # as a feed brings them
    )
    return posts


def test_simhash_near_duplicates_and_org_matching():
    a = simhash("示范区第一中学食堂饭菜里吃出异物，孩子肚子疼")
    b = simhash("转：示范区第一中学食堂饭菜里吃出异物！孩子肚子疼")
    c = simhash("示范区第二小学周末强制补课收费")
    assert hamming(a, b) <= 12 < hamming(a, c)
    matcher = OrgMatcher([(1, "示范区第一中学", ""), (2, "示范区第二中学", "二中")])
    assert matcher.find("第一中学的食堂") == {1}  # district prefix dropped, unique
    assert matcher.find("示范区第二中学补课") == {2}
    grouper = Grouper()
    now = timezone.now()
    first, created = grouper.add(hash_value=a, at=now, organizations={1}, topic="food")
    same, created_again = grouper.add(hash_value=b, at=now, organizations=set(), topic="food")
    other, created_other = grouper.add(hash_value=c, at=now, organizations={2}, topic="burden")
    assert created and not created_again and same is first and created_other and other is not first
    # Outside the time window a near-duplicate starts a new event.
    late, created_late = grouper.add(hash_value=a, at=now + timedelta(days=30), organizations={1}, topic="food")
    assert created_late and late is not first


def test_same_school_same_topic_groups_merge_and_split(district):
    posts = _ingest(
        district,
        ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，孩子吃了肚子疼"),
        ("2", "测试区第一中学的午餐太差", "测试区第一中学午餐饭菜难吃，食堂卫生差"),
        ("3", "测试区第二中学周末补课收费", "测试区第二中学周六补课每人收600元"),
    )
    events = {p.guid: p.event for p in posts}
    assert events["1"] == events["2"] != events["3"]
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    target, other = events["1"], events["3"]
    services.event_merge(target=target, others=[other], actor=staff)
    other.refresh_from_db()
    target.refresh_from_db()
    assert other.status == Event.Status.MERGED and other.merged_into == target
    assert target.posts_count == 3 and set(target.organizations.all()) == {district["school1"], district["school2"]}
    moved = Post.objects.get(guid="3")
    new = services.event_split(event=target, posts=[moved], actor=staff)
    target.refresh_from_db()
    assert target.posts_count == 2 and new.posts_count == 1 and Post.objects.get(guid="3").event == new
    with pytest.raises(ValidationError):
        services.event_split(event=new, posts=[Post.objects.get(guid="3")], actor=staff)  # would empty it


def test_opn1_assign_48_hours(district):
    """OPN-1: respond within 48 hours."""
    (one,) = _ingest(district, ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物"))
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    (sup,) = services.event_assign(event=one.event, organization=district["office"], actor=staff)
    assert sup.rule_id == "OPN-1" and sup.due_at - sup.started_at == timedelta(hours=48)
    one.event.refresh_from_db()
    assert one.event.status == Event.Status.ASSIGNED and one.event.responsible == district["office"]
    with pytest.raises(ValidationError):  # already assigned
        services.event_assign(event=one.event, organization=district["office"], actor=staff)


def test_opn1_major_incident_5_and_24_hours(district):
    """OPN-1: a major incident gets authoritative information in 5 hours and a press
    statement in 24 hours."""
    (two,) = _ingest(district, ("2", "测试区第二中学周末补课收费", "测试区第二中学周六补课每人收600元"))
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    major = services.event_assign(event=two.event, organization=district["office"], actor=staff, major=True)
    assert {s.rule_id: s.due_at - s.started_at for s in major} == {
        "OPN-1-major-info": timedelta(hours=5),
        "OPN-1-major-statement": timedelta(hours=24),
    }


def test_instruction_investigation_reply_and_close(district):
    (post,) = _ingest(district, ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物"))
    event = post.event
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    leader = user_with_role(Role.LEADER, organization=district["bureau"])
    with pytest.raises(ValidationError):
        services.event_instruct(event=event, author=leader, text="请尽快核实")  # not assigned yet
    services.event_assign(event=event, organization=district["office"], actor=staff)
    with pytest.raises(PermissionDenied):
        services.event_instruct(event=event, author=staff, text="请尽快核实")  # not a leader
    services.event_instruct(event=event, author=leader, text="请尽快核实")
    sup = Supervision.objects.get(rule_id="OPN-1")
    assert sup.instructions.get().text == "请尽快核实"
    services.event_investigate(event=event, actor=staff, note="经核实，情况属实。")
    with pytest.raises(ValidationError):
        services.event_reply(event=event, actor=staff, text="  ", public=True)
    services.event_reply(event=event, actor=staff, text="已责令整改。", public=True)
    sup.refresh_from_db()
    event.refresh_from_db()
    assert event.status == Event.Status.ANSWERED and event.reply_public
    assert sup.status == Supervision.Status.ANSWERED and sup.finished_at is not None  # the clock stopped
    services.event_close(event=event, actor=staff)
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.CLOSED


def test_event_to_petition_through_the_seam_keeps_only_the_case_number(district):
    """The real petitions module files the case; the event's label and the audit entry keep
    the case's id and number, and its receipt code is nowhere."""
    (post,) = _ingest(district, ("1", "测试区第一中学乱收费", "测试区第一中学收取资料费300元，请求清退"))
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    with seams.petition_intake.absent(), pytest.raises(seams.SeamUnavailable):
        services.event_to_petition(event=post.event, actor=staff)
    with receipt_codes_drawn() as codes:
        case = services.event_to_petition(event=post.event, actor=staff, request="清退资料费")
    (code,) = codes
    assert isinstance(case, seams.PetitionIntakeResult)
    filed = AuditEntry.objects.get(action="petitions.petition_file")
    assert filed.target_id == str(case.case_id) and filed.data["channel"] == "opinion"
    post.event.refresh_from_db()
    assert post.event.petition_label == case.case_number
    handed = AuditEntry.objects.get(action="opinion.event_to_petition")
    assert handed.data == {"case_id": case.case_id, "case_number": case.case_number}
    assert code not in post.event.petition_label and audit_entries_containing(code) == []
    with pytest.raises(ValidationError):
        services.event_to_petition(event=post.event, actor=staff)
    assert AuditEntry.objects.filter(action="petitions.petition_file").count() == 1


def test_severe_event_is_handed_over_automatically(district):
    """OPN-1: an event above the bureau's alert threshold (LOCAL OPN-1-auto-severity) goes to
    its unit under supervision."""
    local_rule_set(actor=None, key="OPN-1-auto-severity", value=10)
    (post, *_rest) = _ingest(
        district,
        ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，孩子肚子疼"),
        ("2", "转：测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，孩子肚子疼！"),
    )
    post.event.refresh_from_db()
    # The posts accuse the school: its superior, the bureau, answers (OPN-1).
    assert post.event.status == Event.Status.ASSIGNED and post.event.responsible == district["bureau"]
    assert Supervision.objects.filter(rule_id="OPN-1", organization=district["bureau"]).count() == 1


def test_automatic_hand_over_follows_the_bureau_threshold(district):
    """OPN-1 LOCAL threshold: at the default (60) a two-post event stays with the monitors;
    101 turns automatic hand-over off whatever the severity."""
    (post, *_rest) = _ingest(
        district,
        ("1", "测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，孩子肚子疼"),
        ("2", "转：测试区第一中学食堂饭菜有异物", "测试区第一中学食堂饭菜有异物，孩子肚子疼！"),
    )
    post.event.refresh_from_db()
    assert post.event.severity < services.alert_severity() == 60
    assert post.event.status == Event.Status.NEW
    local_rule_set(actor=None, key="OPN-1-auto-severity", value=101)
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="OPN-1-auto-severity", value=0)
    assert services.alert_severity() == 101


def test_opn1_major_clocks_each_stopped_by_its_own_act(district):
    """OPN-1: the authoritative information stops the 5-hour clock only; the press
    statement stops the 24-hour clock; each is recorded once per hand-over."""
    (post,) = _ingest(district, ("3", "测试区第一中学校车事故", "测试区第一中学校车发生事故"))
    event = post.event
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    outsider = user_with_role(Role.SCHOOL_CLERK, organization=district["school3"])
    with pytest.raises(ValidationError):  # not assigned yet
        services.event_inform(event=event, actor=staff, text="情况通报")
    info, statement = services.event_assign(event=event, organization=district["office"], actor=staff, major=True)
    with pytest.raises(PermissionDenied):
        services.event_inform(event=event, actor=outsider, text="情况通报")
    services.event_inform(event=event, actor=staff, text="区教育局已介入，受伤学生均已送医。")
    info.refresh_from_db()
    statement.refresh_from_db()
    assert info.status == Supervision.Status.ANSWERED and statement.status == Supervision.Status.OPEN
    with pytest.raises(ValidationError):
        services.event_inform(event=event, actor=staff, text="再次通报")
    services.event_statement(event=event, actor=staff, text="关于第一中学校车事故的情况说明")
    statement.refresh_from_db()
    event.refresh_from_db()
    assert statement.status == Supervision.Status.ANSWERED and event.status == Event.Status.ASSIGNED
    assert event.information.startswith("区教育局已介入") and event.stated_at is not None
    services.event_reply(event=event, actor=staff, text="已处理完毕。", public=False)
    assert Event.objects.get(pk=event.pk).status == Event.Status.ANSWERED


def test_opn1_answered_event_handed_to_another_unit_gets_fresh_clocks(district):
    """OPN-1: an answered event handed on: the first unit's clock is closed with its
    record; the new unit gets its own 48 hours, reminded and escalated as usual."""
    from sunshine.core.supervision import supervision_on_time, supervision_sweep

    (post,) = _ingest(district, ("4", "测试区第一中学食堂涨价", "测试区第一中学食堂饭菜涨价"))
    event = post.event
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    (first,) = services.event_assign(event=event, organization=district["bureau"], actor=staff)
    services.event_reply(event=event, actor=staff, text="学校已说明。", public=False)
    (second,) = services.event_assign(
        event=event, organization=district["office"], actor=staff, reason="由局办公室答复"
    )
    first.refresh_from_db()
    event.refresh_from_db()
    assert first.status == Supervision.Status.CLOSED and supervision_on_time(first)
    assert (second.status, second.organization) == (Supervision.Status.OPEN, district["office"])
    assert event.status == Event.Status.ASSIGNED and event.responsible == district["office"]
    assert [s.pk for s in services.event_supervisions(event)] == [second.pk]
    assert supervision_sweep(now=second.started_at + timedelta(hours=40)).reminded == 1
    services.event_reply(event=event, actor=staff, text="局办公室已答复。", public=True)
    second.refresh_from_db()
    assert second.status == Supervision.Status.ANSWERED
    services.event_close(event=event, actor=staff)
    assert Supervision.objects.filter(object_id=str(event.pk), status=Supervision.Status.CLOSED).count() == 2
