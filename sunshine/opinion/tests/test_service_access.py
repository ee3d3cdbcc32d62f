"""Every opinion write checks the actor's right inside the service: called directly (as a
command or a task would), another bureau's monitor, a school's clerk who is not the
responsible unit's, the public and a forgotten ``None`` are refused with
PermissionDenied and nothing changes; the system (``core.actors.SYSTEM``) only fetches
and hands over automatically."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from sunshine.core.actors import SYSTEM
from sunshine.core.models import AuditEntry, IssuedDocument, Supervision
from sunshine.core.testing import user_with_role
from sunshine.opinion import services
from sunshine.opinion.fetch import Item
from sunshine.opinion.models import Event, ImportBatch, Post, Source
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(district: dict[str, Any]) -> dict[str, Any]:
    """A manual and an import source, a new event, and an event handed to school 1."""
    monitor = district["monitor"]
    manual = services.source_create(actor=monitor, name="人工", kind=Source.Kind.MANUAL, bureau=district["bureau"])
    imports = services.source_create(actor=monitor, name="导入", kind=Source.Kind.IMPORT, bureau=district["bureau"])
    now = timezone.now()
    posts, _ = services.posts_ingest(
        source=manual,
        items=[
            Item(
                guid="1", url="", title="测试区第二中学乱收资料费", text="测试区第二中学收资料费300元", published_at=now
            ),
            Item(
                guid="2",
                url="",
                title="测试区第一中学周边交通",
                text="建议测试区第一中学门口设置护学岗",
                published_at=now,
            ),
            Item(guid="3", url="", title="测试区第二中学食堂差", text="测试区第二中学食堂饭菜难吃", published_at=now),
        ],
        actor=SYSTEM,
    )
    by_guid = {p.guid: p for p in posts}
    new, handled = by_guid["1"].event, by_guid["2"].event
    services.event_assign(event=handled, organization=district["school1"], actor=monitor)
    return {
        "manual": manual,
        "imports": imports,
        "new": new,
        "other": by_guid["3"].event,
        "handled": Event.objects.get(pk=handled.pk),
        "post": by_guid["1"],
    }


MONITOR = "monitor"
HANDLER = "handler"  # the monitors and the responsible unit's staff
SYSTEM_MAY = frozenset({"posts_ingest", "source_fetch", "event_assign"})


def _fetcher(*args: Any, **kwargs: Any) -> Any:
    from sunshine.opinion.fetch import FetchResult

    return FetchResult(status=304, body=b"", content_type="", etag="", last_modified="")


CALLS: list[tuple[str, str, Callable[[dict[str, Any], dict[str, Any], Any], Any]]] = [
    ("source_create", MONITOR, lambda d, o, a: services.source_create(
        actor=a, name="新源", kind=Source.Kind.MANUAL, bureau=d["bureau"])),
    ("source_fetch", MONITOR, lambda d, o, a: services.source_fetch(source=o["manual"], actor=a, fetcher=_fetcher)),
    ("posts_ingest", MONITOR, lambda d, o, a: services.posts_ingest(source=o["manual"], actor=a, items=[
        Item(guid="9", url="", title="测试区第三中学乱收费", text="收费", published_at=timezone.now())])),
    ("post_create_manual", MONITOR, lambda d, o, a: services.post_create_manual(
        source=o["manual"], actor=a, title="测试区第三中学宿舍漏水", text="宿舍漏水")),
    ("posts_import", MONITOR, lambda d, o, a: services.posts_import(
        source=o["imports"], filename="p.csv", body="标题,正文\n测试,测试正文\n".encode(), actor=a)),
    ("post_review", MONITOR, lambda d, o, a: services.post_review(
        post=o["post"], actor=a, education=False, topic="", stance="praise")),
    ("event_assign", MONITOR, lambda d, o, a: services.event_assign(
        event=o["new"], organization=d["office"], actor=a)),
    ("event_merge", MONITOR, lambda d, o, a: services.event_merge(target=o["new"], others=[o["other"]], actor=a)),
    ("event_close", MONITOR, lambda d, o, a: services.event_close(event=o["new"], actor=a)),
    ("event_to_petition", MONITOR, lambda d, o, a: services.event_to_petition(
        event=o["new"], actor=a, request="请求查处")),
    ("event_investigate", HANDLER, lambda d, o, a: services.event_investigate(
        event=o["handled"], actor=a, note="核实")),
    ("event_reply", HANDLER, lambda d, o, a: services.event_reply(
        event=o["handled"], actor=a, text="已整改", public=True)),
    ("event_instruct", HANDLER, lambda d, o, a: services.event_instruct(event=o["handled"], author=a, text="请核实")),
    ("brief_issue", MONITOR, lambda d, o, a: services.brief_issue(
        bureau=d["bureau"], day=timezone.localdate(), actor=a)),
]  # fmt: skip


def _snapshot() -> tuple[Any, ...]:
    return (
        AuditEntry.objects.count(),
        Source.objects.count(),
        sorted(Post.objects.values_list("pk", "event_id", "stance", "reviewed_at")),
        sorted(Event.objects.values_list("pk", "status", "responsible_id", "investigation", "reply", "petition_label")),
        Supervision.objects.count(),
        ImportBatch.objects.count(),
        IssuedDocument.objects.count(),
    )


def _outsiders(district: dict[str, Any], allowed: str) -> dict[str, Any]:
    other_bureau = BureauFactory()
    refused = {
        "monitor of another bureau": user_with_role(
            Role.DEPARTMENT_STAFF, organization=DepartmentFactory(parent=other_bureau)
        ),
        "clerk of a school not responsible": user_with_role(Role.SCHOOL_CLERK, organization=district["school2"]),
        "public": UserFactory(),
        "None": None,
        "system": SYSTEM,
    }
    if allowed == MONITOR:
        refused["the responsible school's clerk"] = user_with_role(Role.SCHOOL_CLERK, organization=district["school1"])
    return refused


@pytest.mark.parametrize(("name", "allowed", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_a_write_refuses_whoever_has_no_right_to_it(district, objects, name, allowed, call):
    refused = _outsiders(district, allowed)
    if name in SYSTEM_MAY:
        del refused["system"]
    for label, actor in refused.items():
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            call(district, objects, actor)
        assert _snapshot() == before, f"{name} changed data for {label}"


def test_the_responsible_school_writes_its_note_and_reply(district, objects):
    clerk = user_with_role(Role.SCHOOL_CLERK, organization=district["school1"])
    services.event_investigate(event=objects["handled"], actor=clerk, note="已核实")
    services.event_reply(event=objects["handled"], actor=clerk, text="已设置护学岗。", public=True)
    assert Event.objects.get(pk=objects["handled"].pk).status == Event.Status.ANSWERED


def test_the_system_fetches_and_hands_over_but_never_does_a_monitors_step(district, objects):
    assert services.sources_fetch_due(actor=SYSTEM, now=timezone.now() + timedelta(days=1)) == {
        "fetched": 0,
        "failed": 0,
        "added": 0,
    }
    for actor in (None, district["monitor"]):
        with pytest.raises(PermissionDenied):
            services.sources_fetch_due(actor=actor)
    services.event_assign(event=objects["new"], organization=district["bureau"], actor=SYSTEM)
    assert Event.objects.get(pk=objects["new"].pk).responsible == district["bureau"]


def test_the_refusal_is_in_chinese(district, objects):
    with override("zh-hans"), pytest.raises(PermissionDenied) as caught:
        services.event_close(event=objects["new"], actor=UserFactory())
    assert "无权" in str(caught.value) or "监测人员" in str(caught.value)
