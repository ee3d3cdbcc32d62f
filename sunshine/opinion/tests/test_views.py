"""Staff and public pages: the workbench, event actions (allowed and denied), the brief."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.core import seams
from sunshine.core.actors import SYSTEM
from sunshine.core.models import AuditEntry, Supervision
from sunshine.core.rules import RULE_ID
from sunshine.core.testing import client_for, login_verified, user_with_role
from sunshine.opinion import services
from sunshine.opinion.fetch import Item
from sunshine.opinion.models import Event, Post, Source
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def _event(
    district: dict[str, Any], title: str = "测试区第一中学食堂饭菜有异物", text: str = "孩子吃了肚子疼"
) -> Event:
    source = services.source_create(
        actor=district["monitor"], name="t", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    posts, _ = services.posts_ingest(
        source=source,
        items=[
            Item(
                guid="1",
                url="",
                title=title,
                text=text,
                published_at=timezone.now(),
            )
        ],
        actor=SYSTEM,
    )
    return posts[0].event


def test_workbench_shows_events_and_charts(district):
    event = _event(district)
    client, _user = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    response = client.get(reverse("opinion:workbench"))
    assert response.status_code == 200
    body = response.content.decode()
    assert event.title in body and "<svg" in body and "测试区第一中学" in body
    assert 'style="' not in body.split("<main", 1)[1]  # CSP: no inline styles
    waiting = Post.objects.filter(reviewed_at__isnull=True).count()
    assert waiting and f"待人工校核 ({waiting})" in body  # the review queue, with its count


def test_monitor_walks_an_event_through_its_actions(district):
    event = _event(district)
    client, _staff = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    url = reverse("opinion:event-detail", kwargs={"pk": event.pk})
    assert client.get(url).status_code == 200

    def act(action: str, **data: Any) -> Any:
        return client.post(reverse("opinion:event-action", kwargs={"pk": event.pk, "action": action}), data)

    act("assign", organization=district["office"].pk)
    event.refresh_from_db()
    assert event.status == Event.Status.ASSIGNED and Supervision.objects.filter(rule_id="OPN-1").exists()
    act("investigate", note="属实")
    act("reply", text="已整改", public="on")
    event.refresh_from_db()
    assert event.status == Event.Status.ANSWERED and event.investigation == "属实"
    # The published reply is on the public page.
    assert "已整改" in client_for("anonymous")[0].get(reverse("opinion:reply-list")).content.decode()
    with seams.petition_intake.absent():
        response = act("petition", kind="complaint")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.petition_label == ""  # no petitions module: a clear message, nothing changed
    act("petition", kind="complaint")  # petitions refuses a case without the citizen's request (PET-2)
    event.refresh_from_db()
    assert event.petition_label == ""
    act("petition", kind="complaint", request="请求查处食堂问题")
    event.refresh_from_db()
    handed = AuditEntry.objects.get(action="opinion.event_to_petition")
    assert event.petition_label == handed.data["case_number"] != ""


def test_school_sees_only_its_assigned_event_and_cannot_assign(district):
    # A suggestion to the school (not a complaint about it): the school itself answers.
    event = _event(district, "测试区第一中学周边交通", "建议测试区第一中学门口设置护学岗")
    clerk = user_with_role(Role.SCHOOL_CLERK, organization=district["school1"])
    other = user_with_role(Role.SCHOOL_CLERK, organization=district["school2"])
    client, _ = client_for("anonymous")
    login_verified(client, clerk)
    url = reverse("opinion:event-detail", kwargs={"pk": event.pk})
    assert client.get(url).status_code == 404  # not assigned yet
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    services.event_assign(event=event, organization=district["school1"], actor=staff)
    assert client.get(url).status_code == 200
    response = client.post(reverse("opinion:event-action", kwargs={"pk": event.pk, "action": "close"}))
    assert response.status_code == 403
    client.post(reverse("opinion:event-action", kwargs={"pk": event.pk, "action": "investigate"}), {"note": "核实中"})
    event.refresh_from_db()
    assert event.investigation == "核实中"  # the responsible unit writes its note
    other_client, _ = client_for("anonymous")
    login_verified(other_client, other)
    assert other_client.get(url).status_code == 404


def test_daily_brief_is_issued_as_a_numbered_record(district):
    import hashlib

    from docx import Document

    from sunshine.core.models import IssuedDocument

    event = _event(district)
    client, leader = client_for(Role.LEADER, organization=district["bureau"])
    assert client.get(reverse("opinion:brief")).status_code == 200
    response = client.post(reverse("opinion:brief"))
    assert response.status_code == 302
    brief = IssuedDocument.objects.get(kind="opinion.brief")
    year = timezone.localdate().year
    assert brief.number == f"〔{year}〕第1期" and brief.organization == district["bureau"]
    assert brief.period_start == brief.period_end == timezone.localdate() and brief.issued_by == leader
    assert brief.figures["opinion.brief.events"] == 1 and brief.figures["opinion.brief.posts"] >= 1
    assert brief.number in client.get(reverse("opinion:brief")).content.decode()
    download = client.get(reverse("opinion:brief-download", args=[brief.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == brief.sha256
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "舆情日报" in text and event.title in text and "测试区教育局" in text and brief.number in text
    assert not RULE_ID.search(text)  # the brief a person reads names no rule ID (OPN-1)
    # Issued again the same day: a new version under the same number, the first kept.
    client.post(reverse("opinion:brief"))
    versions = list(IssuedDocument.objects.filter(kind="opinion.brief").order_by("version"))
    assert [(d.number, d.version) for d in versions] == [(brief.number, 1), (brief.number, 2)]
    assert versions[0].superseded_at is not None and versions[1].supersedes == versions[0]
    # Not for a school's clerk, nor through core's document page for a non-monitor.
    clerk_client, _ = client_for(Role.SCHOOL_CLERK, organization=district["school1"])
    assert clerk_client.get(reverse("opinion:brief-download", args=[brief.pk])).status_code == 403
    assert clerk_client.get(reverse("core:document-download", args=[brief.pk])).status_code == 404
    assert clerk_client.post(reverse("opinion:brief")).status_code == 403
    assert IssuedDocument.objects.filter(kind="opinion.brief").count() == 2


def test_source_pages_add_and_import(district):
    client, _ = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    client.post(reverse("opinion:source-list"), {"name": "导入源", "kind": "import", "url": ""})
    source = Source.objects.get(name="导入源")
    upload = io.BytesIO("title,text\n测试区第一中学乱收费,收资料费\n".encode())
    upload.name = "a.csv"
    client.post(reverse("opinion:source-import", kwargs={"pk": source.pk}), {"file": upload})
    assert source.posts.count() == 1
    client.post(reverse("opinion:source-list"), {"name": "坏", "kind": "feed", "url": ""})
    assert not Source.objects.filter(name="坏").exists()  # a feed needs its address


def test_opn1_major_acts_and_handing_an_answered_event_on_from_the_page(district):
    """OPN-1: the page records the information and the statement of a major incident,
    and hands an answered event to another unit."""
    event = _event(district)
    client, _staff = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    url = reverse("opinion:event-detail", kwargs={"pk": event.pk})

    def act(action: str, **data: Any) -> Any:
        return client.post(reverse("opinion:event-action", kwargs={"pk": event.pk, "action": action}), data)

    act("assign", organization=district["bureau"].pk, major="on")
    assert 'id="form-inform"' in client.get(url).content.decode()
    act("inform", text="已核实，正在处置。")
    body = client.get(url).content.decode()
    assert 'id="form-inform"' not in body and 'id="form-statement"' in body and "已核实，正在处置。" in body
    info = Supervision.objects.get(rule_id="OPN-1-major-info")
    assert info.status == Supervision.Status.ANSWERED
    assert Supervision.objects.get(rule_id="OPN-1-major-statement").status == Supervision.Status.OPEN
    act("reply", text="已整改", public="on")
    assert 'id="form-assign"' in client.get(url).content.decode()
    act("assign", organization=district["office"].pk)
    event.refresh_from_db()
    assert event.status == Event.Status.ASSIGNED and event.responsible == district["office"]
    live = Supervision.objects.filter(object_id=str(event.pk), status=Supervision.Status.OPEN)
    assert [(s.rule_id, s.organization) for s in live] == [("OPN-1", district["office"])]
