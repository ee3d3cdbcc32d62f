"""Demo data of opinion monitoring: the shipped demo feed (demo/feed.xml, fictional
posts about the demo district's schools) registered as a source and fetched, a few
manually recorded posts, and one event handed to its school and answered (OPN-1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.issued import documents_issued
from sunshine.opinion import services
from sunshine.opinion.brief import BRIEF_DOCUMENT
from sunshine.opinion.fetch import DEMO_DIR
from sunshine.opinion.models import Event, Source
from sunshine.opinion.rules import unit_suggested

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
    # One event handled end to end, so the newcomer sees the clock stop.
    event = Event.objects.filter(bureau=bureau, title__contains="补课").order_by("pk").first()
    unit = unit_suggested(event) if event is not None else None
    if event is not None and event.status == Event.Status.NEW and unit is not None:
        # OPN-1: the accused school does not answer for itself; its bureau does.
        services.event_assign(event=event, organization=unit, actor=staff)
        services.event_investigate(
            event=event,
            actor=staff,
            note="经核查，该校初三年级周六组织集中辅导并收取费用，属实，已责令立即停止并清退。",
        )
        services.event_reply(
            event=event,
            actor=staff,
            text="经区教育局调查核实，示范区第二中学违规组织周末补课并收费的情况属实。已责令学校立即停止，全额清退所收费用，并对相关责任人进行约谈。",
            public=True,
        )
    # Today's brief, issued once: the newcomer finds it numbered on the briefs page.
    day = timezone.localtime(context.now).date()
    if staff is not None and not documents_issued(kind=BRIEF_DOCUMENT, organization=bureau).filter(period_start=day):
        services.brief_issue(bureau=bureau, day=day, actor=staff)
    context.notes.append(f"舆情监测：演示信息源生成舆情事件{Event.objects.filter(bureau=bureau).count()}件")
