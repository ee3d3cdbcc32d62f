"""Demo data of opinion monitoring: the shipped demo feed (demo/feed.xml, fictional
posts about the demo district's schools) registered as a source and fetched, a few
manually recorded posts, and the events handed to their units and answered, most
within the OPN-1 limit and one late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.issued import documents_issued
from sunshine.core.models import Supervision
from sunshine.opinion import services
from sunshine.opinion.brief import BRIEF_DOCUMENT
from sunshine.opinion.fetch import DEMO_DIR
from sunshine.opinion.models import Event, Source
from sunshine.opinion.rules import opn1_started_at, unit_suggested
from sunshine.opinion.services import OPN1_CLOCKS, OPN1_MAJOR_CLOCKS

FEED_NAME = "示范区家长论坛（演示）"
MANUAL_NAME = "人工录入"

MANUAL_POSTS = [
    (
        "示范区西山小学门口早晚高峰车辆乱停",
        "示范区西山小学门口早晚接送时车辆乱停乱放，孩子过马路很危险，建议设置护学岗和临时停车区。",
    ),
    (
        "示范区东湖幼儿园收费是否合规",
        "示范区东湖幼儿园这学期新增了兴趣班费用，每月300元，家长不清楚是不是自愿的，请问收费标准在哪里公示？",
    ),
]


# (a word of the event's title, the investigation note, the public reply, hours from the
# opinion's first appearance to the reply — None: answered now, past the limit)
HANDLED: list[tuple[str, str, str, int | None]] = [
    (
        "补课",
        "经核查，该校初三年级周六组织集中辅导并收取费用，属实，已责令立即停止并清退。",
        "经区教育局调查核实，示范区第二中学违规组织周末补课并收费的情况属实。已责令学校立即停止，"
        "全额清退所收费用，并对相关责任人进行约谈。",
        30,
    ),
    (
        "报名",
        "经核实，本年度小学一年级招生工作方案正在制定，报名时间将随方案一并公布。",
        "示范区明年小学一年级招生报名时间将在招生工作方案中公布，方案经审定后在区教育局网站和各小学公示，"
        "请家长届时关注。",
        20,
    ),
    (
        "乱停",
        "经现场查看，早晚高峰校门口确有车辆乱停，已协调交警部门设置临时停车区，学校设立护学岗。",
        "区教育局已会同交警部门在示范区西山小学门口设置临时停车区，学校早晚高峰安排教师和家长志愿者值守护学岗。",
        None,
    ),
    (
        "收费是否合规",
        "经核查，该园兴趣班为家长自愿参加，收费标准已报备，但未在园内公示，已责令补充公示。",
        "示范区东湖幼儿园兴趣班由家长自愿选择参加，收费标准已按规定报备；对未在园内公示的问题，已责令立即公示。",
        None,
    ),
    (
        "食堂",
        "经核查，该校食堂存在饭菜分量不足、价格公示不及时的问题，已责令整改。",
        "区教育局已对示范区第一中学食堂进行检查，责令学校按月公示伙食费收支，并组织家长代表参与食堂监督。",
        None,
    ),
]


def _answered_after(event: Event, hours: int) -> None:
    """The event as the office handled it: assigned an hour after the opinion first
    appeared, answered ``hours`` after (the demo's history, not a service's path)."""
    start = opn1_started_at(event)
    replied = start + timedelta(hours=hours)
    Event.objects.filter(pk=event.pk).update(assigned_at=start + timedelta(hours=1), replied_at=replied)
    Supervision.objects.filter(
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(event.pk),
        rule_id__in=(*OPN1_CLOCKS, *OPN1_MAJOR_CLOCKS),
        finished_at__isnull=False,
    ).update(finished_at=replied)


def build_opinion_demo(context: Any) -> None:
    bureau = context.bureau
    staff = context.users.get("bangong")
    feed = Source.objects.filter(bureau=bureau, name=FEED_NAME).first()
    if feed is None:
        feed = services.source_create(
            actor=staff, name=FEED_NAME, kind=Source.Kind.FEED, url=(DEMO_DIR / "feed.xml").as_uri(), bureau=bureau
        )
    services.source_fetch(source=feed, actor=SYSTEM)
    manual = Source.objects.filter(bureau=bureau, name=MANUAL_NAME).first()
    if manual is None:
        manual = services.source_create(actor=staff, name=MANUAL_NAME, kind=Source.Kind.MANUAL, bureau=bureau)
    for index, (title, text) in enumerate(MANUAL_POSTS):
        if not manual.posts.filter(title=title).exists():
            services.post_create_manual(
                source=manual,
                actor=staff,
                title=title,
                text=text,
                published_at=context.now - timedelta(hours=3 + index),
            )
    # Events handled end to end, so the newcomer sees the clock stop; as in a district's
    # year, most are answered within the OPN-1 limit (48 hours from the first post) and
    # one late. The feed's posts are days old: an answer on time is recorded at the hour
    # the office gave it (assigned_at, replied_at and the clock's answer, from the
    # opinion's first appearance); the late one is answered now.
    for title, note, reply, hours in HANDLED:
        event = Event.objects.filter(bureau=bureau, title__contains=title).order_by("pk").first()
        unit = unit_suggested(event) if event is not None else None
        if event is None or event.status != Event.Status.NEW or unit is None:
            continue
        # OPN-1: the accused school does not answer for itself; its bureau does.
        services.event_assign(event=event, organization=unit, actor=staff)
        services.event_investigate(event=event, actor=staff, note=note)
        services.event_reply(event=event, actor=staff, text=reply, public=True)
        if hours is not None:
            _answered_after(event, hours)
    # Today's brief, issued once: the newcomer finds it numbered on the briefs page.
    day = timezone.localtime(context.now).date()
    if staff is not None and not documents_issued(kind=BRIEF_DOCUMENT, organization=bureau).filter(period_start=day):
        services.brief_issue(bureau=bureau, day=day, actor=staff)
    context.notes.append(f"舆情监测：演示信息源生成舆情事件{Event.objects.filter(bureau=bureau).count()}件")
