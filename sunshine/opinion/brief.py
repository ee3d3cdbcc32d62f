"""舆情日报: the daily opinion brief as a Word document (python-docx), laid out as a
bureau document: red header with the bureau's name, the brief's number, 仿宋/黑体. It is
issued as a core document record (``BRIEF_DOCUMENT``, ``services.brief_issue``) with the
day's figures frozen into it."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.opinion.models import Event, Post, Stance, Topic

_run = partial(add_run, font="仿宋", size=16)
# The core document kind of the brief (registered in ``OpinionConfig.ready()``).
BRIEF_DOCUMENT = "opinion.brief"


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def day_posts(*, day: date, posts: QuerySet[Post]) -> QuerySet[Post]:
    """The posts about education that appeared (were published) on ``day``."""
    start, end = _day_bounds(day)
    return posts.filter(education=True, published_at__gte=start, published_at__lt=end)


def day_events(*, day: date, posts: QuerySet[Post], events: QuerySet[Event]) -> QuerySet[Event]:
    """The events with a post that appeared on ``day`` (a past day's set never changes
    when later posts join its events)."""
    return events.filter(pk__in=day_posts(day=day, posts=posts).filter(event__isnull=False).values("event"))


def brief_figures(*, day: date, posts: QuerySet[Post], events: QuerySet[Event]) -> dict[str, int]:
    """The day's figures the brief states, by key: posts about education, events,
    events handed over, events answered. The workbench shows the same figures for
    today, read by this same function from the same visible posts and events."""
    today = day_events(day=day, posts=posts, events=events)
    return {
        "opinion.brief.posts": day_posts(day=day, posts=posts).count(),
        "opinion.brief.events": today.count(),
        "opinion.brief.events_assigned": today.exclude(responsible__isnull=True).count(),
        "opinion.brief.events_answered": today.filter(replied_at__isnull=False).count(),
    }


def brief_docx(*, bureau: Any, day: date, posts: QuerySet[Post], events: QuerySet[Event], number: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    listed = day_events(day=day, posts=posts, events=events).order_by("-severity", "pk")
    figures = brief_figures(day=day, posts=posts, events=events)
    bureau_name = getattr(bureau, "name", "") or "教育局"

    document = Document()
    section = document.sections[0]
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, f"{bureau_name}舆情日报", font="方正小标宋简体", size=26, bold=True, color=RED)
    number_line = document.add_paragraph()
    number_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number_line, number, size=16)
    # The red rule under the header.
    red_rule(document.add_paragraph(), space=1)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, f"{chinese_date(day)}网上舆情监测情况", font="黑体", size=18)

    topics = dict(Topic.choices)
    stances = dict(Stance.choices)
    summary = document.add_paragraph()
    _run(
        summary,
        f"　　{chinese_date(day)}，共监测到涉教育网上信息{figures['opinion.brief.posts']}条，"
        f"归并为舆情事件{figures['opinion.brief.events']}件；"
        f"其中已交办{figures['opinion.brief.events_assigned']}件，"
        f"已答复{figures['opinion.brief.events_answered']}件。",
    )
    heading = document.add_paragraph()
    _run(heading, "一、重点舆情", font="黑体")
    if not listed:
        _run(document.add_paragraph(), "　　当日无重点舆情。")
    for index, event in enumerate(listed[:20], start=1):
        p = document.add_paragraph()
        _run(p, f"　　{index}. {event.title}", bold=True)
        names = "、".join(o.name for o in event.organizations.all()) or "未指明"
        status = event.get_status_display()
        detail = document.add_paragraph()
        _run(
            detail,
            f"　　涉及：{names}；类别：{topics.get(event.topic, '其他')}；倾向：{stances.get(event.stance, '')}；"
            f"信息{event.posts_count}条，来源{event.sources_count}个，热度{event.severity}；状态：{status}。",
        )
        if event.reply:
            _run(document.add_paragraph(), f"　　答复：{event.reply}")
    heading = document.add_paragraph()
    _run(heading, "二、工作要求", font="黑体")
    _run(
        document.add_paragraph(),
        "　　请各责任单位按照政务舆情回应要求，在48小时内作出回应；"
        "重大突发事件5小时内发布权威信息、24小时内举行新闻发布。",
    )
    sign = document.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(sign, f"{bureau_name}\n{chinese_date(day)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
