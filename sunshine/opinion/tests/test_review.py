"""Monitors confirm or correct the classifier: the post's labels change (audited), its
event follows, the review queue shows the least sure first, and reviewed posts leave
as training data for the next model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from sunshine.core.models import AuditEntry
from sunshine.core.testing import client_for, user_with_role
from sunshine.opinion import services
from sunshine.opinion.models import Event, Post
from sunshine.orgs.models import Role

from .test_events import _ingest

pytestmark = pytest.mark.django_db


def _monitor(district: dict[str, Any]) -> Any:
    return user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])


def test_a_post_corrected_to_not_education_leaves_its_event(district):
    (post,) = _ingest(district, ("1", "测试区第一中学食堂饭菜有异物", "孩子吃了肚子疼，请教育局调查"))
    post.refresh_from_db()
    event = post.event
    assert post.education and event is not None and event.status == Event.Status.NEW
    monitor = _monitor(district)
    services.post_review(post=post, actor=monitor, education=False, topic="food", stance="complaint")
    post.refresh_from_db()
    event.refresh_from_db()
    assert (post.education, post.topic, post.event_id) == (False, "", None)
    assert post.reviewed_by == monitor and post.education_confidence == 1.0
    assert event.status == Event.Status.CLOSED  # its only post is gone
    entry = AuditEntry.objects.get(action="opinion.post_review")
    assert entry.data["before"]["education"] is True and entry.data["after"]["education"] is False


def test_a_post_corrected_to_education_joins_an_event(district):
    (post,) = _ingest(district, ("1", "城南路口的路灯坏了一个月", "晚上走路很不安全"))
    post.refresh_from_db()
    assert not post.education and post.event is None
    services.post_review(post=post, actor=_monitor(district), education=True, topic="safety", stance="complaint")
    post.refresh_from_db()
    assert post.education and post.topic == "safety" and post.event is not None
    assert post.event.topic == "safety"


def test_bad_review_is_refused_and_changes_nothing(district):
    (post,) = _ingest(district, ("1", "测试区第一中学乱收资料费", "每人收三百元"))
    post.refresh_from_db()
    before = (post.education, post.topic, post.stance, post.reviewed_at)
    monitor = _monitor(district)
    with pytest.raises(ValidationError):
        services.post_review(post=post, actor=monitor, education=True, topic="", stance="complaint")
    with pytest.raises(ValidationError):
        services.post_review(post=post, actor=monitor, education=True, topic="fees", stance="angry")
    clerk = user_with_role(Role.SCHOOL_CLERK, organization=district["school1"])
    with pytest.raises(PermissionDenied):
        services.post_review(post=post, actor=clerk, education=False, topic="", stance="praise")
    post.refresh_from_db()
    assert (post.education, post.topic, post.stance, post.reviewed_at) == before
    assert not AuditEntry.objects.filter(action="opinion.post_review").exists()


def test_the_last_post_of_an_event_being_handled_cannot_be_marked_away(district):
    (post,) = _ingest(district, ("1", "测试区第一中学食堂饭菜有异物", "孩子吃了肚子疼"))
    post.refresh_from_db()
    monitor = _monitor(district)
    services.event_assign(event=post.event, organization=district["office"], actor=monitor)
    with pytest.raises(ValidationError, match="close the event"):
        services.post_review(post=post, actor=monitor, education=False, topic="", stance="complaint")


def test_review_queue_and_form(district):
    posts = _ingest(
        district,
        ("1", "测试区第一中学食堂饭菜有异物", "孩子吃了肚子疼，请教育局调查"),
        ("2", "嗯", "看看"),
    )
    client, _monitor_user = client_for(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    page = client.get(reverse("opinion:post-list") + "?review=1").content.decode()
    sure, unsure = (Post.objects.get(pk=p.pk) for p in posts)
    assert min(unsure.education_confidence, unsure.stance_confidence) < min(
        sure.education_confidence, sure.stance_confidence
    )
    assert page.index(f'id="post-{unsure.pk}"') < page.index(f'id="post-{sure.pk}"')  # least sure first
    response = client.post(
        reverse("opinion:post-review", kwargs={"pk": sure.pk}),
        {"education": "1", "topic": "food", "stance": "request", "next": "/opinion/staff/posts/?review=1"},
    )
    assert response.status_code == 302 and response["Location"] == "/opinion/staff/posts/?review=1"
    assert Post.objects.get(pk=sure.pk).stance == "request"
    page = client.get(reverse("opinion:post-list") + "?review=1").content.decode()
    assert f'id="post-{sure.pk}"' not in page  # reviewed posts leave the queue
    # an outside address in "next" is not followed
    response = client.post(
        reverse("opinion:post-review", kwargs={"pk": sure.pk}),
        {"education": "1", "topic": "food", "stance": "request", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("opinion:post-list")


def test_reviewed_posts_are_exported_for_training(district, tmp_path):
    (post, _other) = _ingest(
        district, ("1", "测试区第一中学乱收资料费", "每人收三百元"), ("2", "城南路灯坏了", "一个月没人修")
    )
    services.post_review(post=post, actor=_monitor(district), education=True, topic="fees", stance="complaint")
    out = tmp_path / "reviewed.jsonl"
    call_command("opinion_export_reviewed", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {
            "title": "测试区第一中学乱收资料费",
            "text": "每人收三百元",
            "education": 1,
            "topic": "fees",
            "stance": "complaint",
        }
    ]
