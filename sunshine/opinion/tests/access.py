"""Opinion's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The bureau's monitors (department staff, discipline inspectors, leaders) watch every
source, post and event; an event handed to school A is also seen and answered by
school A's clerk and principal — never by school B's clerk."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sunshine.core.testing import POST, VISITORS, District, Rule
from sunshine.opinion import services
from sunshine.opinion.models import Event, Post, Source
from sunshine.orgs.models import Role

MONITORS = frozenset({Role.DEPARTMENT_STAFF, Role.DISCIPLINE_INSPECTOR, Role.LEADER})
SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})


def source(d: District) -> Source:
    return d.once(
        "opinion.source",
        lambda d: services.source_create(
            actor=d.user(Role.DEPARTMENT_STAFF), name="人工录入", kind=Source.Kind.MANUAL, bureau=d.bureau
        ),
    )


def post(d: District) -> Post:
    return d.once(
        "opinion.post",
        lambda d: services.post_create_manual(
            source=source(d),
            actor=d.user(Role.DEPARTMENT_STAFF),
            # A suggestion to school A (not a complaint about it): school A answers (OPN-1).
            title=f"{d.school.name}门口接送车辆乱停",
            text=f"{d.school.name}门口早晚接送时车辆乱停乱放，建议学校设置护学岗和临时停车区。",
        ),
    )


def event(d: District) -> Event:
    """The post's event, not yet handed to anyone."""
    return d.once("opinion.event", lambda d: Event.objects.get(pk=post(d).event_id))


def assigned(d: District) -> Event:
    """The event handed to school A (OPN-1)."""

    def build(d: District) -> Event:
        services.event_assign(event=event(d), organization=d.school, actor=d.user(Role.DEPARTMENT_STAFF))
        return Event.objects.get(pk=event(d).pk)

    return d.once("opinion.assigned", build)


def replied(d: District) -> Event:
    def build(d: District) -> Event:
        services.event_reply(event=assigned(d), actor=d.user(Role.PRINCIPAL), text="已责令整改并清退。", public=True)
        return Event.objects.get(pk=event(d).pk)

    return d.once("opinion.replied", build)


def brief(d: District) -> Any:
    """Today's brief of the bureau, issued (not published): a core document record."""
    return d.once(
        "opinion.brief",
        lambda d: services.brief_issue(bureau=d.bureau, day=timezone.localdate(), actor=d.user(Role.DEPARTMENT_STAFF)),
    )


def _event_status(d: District) -> str:
    return Event.objects.get(pk=event(d).pk).status


ACCESS = [
    Rule("opinion:reply-list", frozenset(VISITORS), setup=replied),
    Rule("opinion:workbench", MONITORS, setup=assigned),
    Rule("opinion:brief", MONITORS, setup=assigned),
    Rule("opinion:brief-download", MONITORS, kwargs=lambda d: {"pk": brief(d).pk}),
    # core's download of an issued document: an unpublished brief is its bureau's monitors' only
    Rule("core:document-download", MONITORS, kwargs=lambda d: {"pk": brief(d).pk}),
    Rule("opinion:source-list", MONITORS, setup=source),
    Rule(
        "opinion:source-list",
        MONITORS,
        method=POST,
        data={"name": "区论坛", "kind": "feed", "url": "https://bbs.example.cn/feed"},
        ok_status=302,
        state=lambda d: Source.objects.count(),
        done=lambda d: Source.objects.filter(name="区论坛").exists(),
        label="add a source",
    ),
    # A manual source is never fetched: the request is answered without the network.
    Rule("opinion:source-fetch", MONITORS, method=POST, kwargs=lambda d: {"pk": source(d).pk}, ok_status=302),
    Rule(
        "opinion:source-import",
        MONITORS,
        method=POST,
        kwargs=lambda d: {"pk": source(d).pk},
        data=lambda d: {"file": SimpleUploadedFile("posts.csv", "标题,正文\n测试,测试正文\n".encode())},
        ok_status=302,
        state=lambda d: Post.objects.count(),
    ),
    Rule("opinion:post-list", MONITORS, setup=post),
    Rule(
        "opinion:post-review",
        MONITORS,
        method=POST,
        kwargs=lambda d: {"pk": post(d).pk},
        data={"education": "1", "topic": "fees", "stance": "complaint"},
        ok_status=302,
        state=lambda d: Post.objects.get(pk=post(d).pk).reviewed_at,
        done=lambda d: Post.objects.get(pk=post(d).pk).reviewed_at is not None,
    ),
    Rule("opinion:event-detail", frozenset({*MONITORS, *SCHOOL_A}), kwargs=lambda d: {"pk": assigned(d).pk}),
    Rule("opinion:event-detail", MONITORS, kwargs=lambda d: {"pk": event(d).pk}, label="not handed over"),
    Rule(
        "opinion:event-action",
        MONITORS,
        method=POST,
        kwargs=lambda d: {"pk": event(d).pk, "action": "assign"},
        data=lambda d: {"organization": d.school.pk},
        ok_status=302,
        state=_event_status,
        done=lambda d: _event_status(d) == Event.Status.ASSIGNED,
        label="assign",
    ),
    Rule(
        "opinion:event-action",
        frozenset({*MONITORS, *SCHOOL_A}),
        method=POST,
        kwargs=lambda d: {"pk": assigned(d).pk, "action": "reply"},
        data={"text": "已责令学校清退违规收费。", "public": "on"},
        ok_status=302,
        state=_event_status,
        done=lambda d: _event_status(d) == Event.Status.ANSWERED,
        label="reply",
    ),
]
