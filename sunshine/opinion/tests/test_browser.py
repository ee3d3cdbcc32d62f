"""The opinion flow in a real Chromium: a local feed is fetched, its posts classified
and grouped into an event, which is assigned (OPN-1), answered and turned into a
petition (a stand-in intake handler, as petitions may not be installed)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.accounts.tests.conftest import PASSWORD, SECRET
from sunshine.core.models import AuditEntry, Supervision
from sunshine.opinion import services
from sunshine.opinion.fetch import DEMO_DIR
from sunshine.opinion.models import Event, Source
from sunshine.orgs.models import Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SCREENSHOT = "/tmp/sunshine-opinion-event.png"  # noqa: S108 (a fixed path people look at)


@pytest.fixture
def opinion_staff(db: None) -> Any:
    bureau = BureauFactory(name="示范区教育局")
    SchoolFactory(parent=bureau, name="示范区第一中学", level="junior")
    SchoolFactory(parent=bureau, name="示范区第二中学", level="junior")
    office = DepartmentFactory(parent=bureau, name="办公室")
    user = UserFactory(username="yuqing")
    membership_grant(actor=None, user=user, organization=office, role=Role.DEPARTMENT_STAFF)
    totp_device_set(user=user, secret_base32=SECRET, actor=None)
    services.source_create(
        actor=user, name="本地演示源", kind=Source.Kind.FEED, url=(DEMO_DIR / "feed.xml").as_uri(), bureau=bureau
    )
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_feed_to_event_to_petition(live_server: Any, opinion_staff: Any, chromium: Any) -> None:
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "yuqing")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/accounts/login/verify/")
        page.fill("input[name=code]", totp_now(SECRET))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/workbench/")

        page.goto(f"{live_server.url}/opinion/staff/sources/")
        page.locator("form[action$='/fetch/'] button").first.click()
        page.wait_for_url("**/opinion/staff/sources/")
        page.goto(f"{live_server.url}/opinion/staff/")
        page.get_by_role("link", name="示范区第一中学食堂问题家长群都在说").first.click()
        page.wait_for_url("**/opinion/staff/events/*/")
        assert "示范区第一中学" in page.locator("main").inner_text()

        page.locator("#form-assign button").click()
        page.wait_for_url("**/opinion/staff/events/*/")
        assert page.locator("#event-status").get_attribute("data-status") == "assigned"
        page.fill("#form-reply textarea[name=text]", "经核查，已责令学校整改食堂管理。")
        page.check("#form-reply input[name=public]")
        page.locator("#form-reply button").click()
        page.wait_for_url("**/opinion/staff/events/*/")
        assert page.locator("#event-status").get_attribute("data-status") == "answered"
        page.fill("#form-petition textarea[name=request]", "请求查处食堂问题")
        page.locator("#form-petition button").click()
        page.wait_for_url("**/opinion/staff/events/*/")
        handed = AuditEntry.objects.get(action="opinion.event_to_petition")  # the real petitions module
        assert page.locator("#event-petition").inner_text() == handed.data["case_number"]
        page.screenshot(path=SCREENSHOT, full_page=True)
    finally:
        context.close()
    event = Event.objects.get(title="示范区第一中学食堂问题家长群都在说")
    assert event.posts_count == 3 and event.status == Event.Status.ANSWERED
    assert Supervision.objects.get(rule_id="OPN-1", object_id=str(event.pk)).status == Supervision.Status.ANSWERED
    assert handed.target_id == str(event.pk)
