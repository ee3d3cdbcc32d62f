"""In a real Chromium: a clerk publishes, a citizen finds it by a Chinese query and reads
the previous version; a citizen files an FOI request and follows it to a reply."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.disclosure import services
from sunshine.disclosure.models import Category, Document, FoiRequest
from sunshine.disclosure.services import categories_ensure
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, MembershipFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery"


@pytest.fixture
def office_clerk(db: None) -> Any:
    categories_ensure()
    bureau = BureauFactory(name="示范区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室", handles_foi=True)
    membership = MembershipFactory(user__username="office-clerk", organization=office, role=Role.DEPARTMENT_STAFF)
    totp_device_set(user=membership.user, secret_base32=SECRET, actor=None)
    return membership.user


@pytest.fixture
def office_head(office_clerk: Any) -> Any:
    """A second person of the office who approves (four eyes)."""
    office = office_clerk.memberships.get().organization
    membership = MembershipFactory(user__username="office-head", organization=office, role=Role.DEPARTMENT_STAFF)
    totp_device_set(user=membership.user, secret_base32=SECRET, actor=None)
    return membership.user


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/verify/")
    page.fill("input[name=code]", totp_now(SECRET))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/workbench/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_publishes_citizen_finds_it_and_reads_the_previous_version(
    live_server: Any, office_clerk: Any, office_head: Any, chromium: Any
) -> None:
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    head = chromium.new_context(locale="zh-CN").new_page()
    base = live_server.url
    try:
        _login(page, base, office_clerk)
        _login(head, base, office_head)
        page.goto(f"{base}/disclosure/staff/documents/new/")
        page.select_option("select[name=organization]", index=1)
        page.select_option("select[name=category]", str(Category.objects.get(code="admin-fees").pk))
        page.fill("input[name=title]", "普通高中住宿费收费标准公示")
        page.fill("input[name=info_date]", timezone.localdate().isoformat())
        page.fill("textarea[name=body]", "<p>普通高中住宿费每生每学期600元，经物价部门批准。</p>")
        page.locator("main form.form button[value=save]").click()
        page.locator("button[value=submit]").click()
        head.goto(page.url)
        head.locator("button[value=publish]").click()
        assert Document.objects.get().status == Document.Status.PUBLISHED
        page.reload()
        # A revision: the new standard; version 1 stays readable.
        page.locator("button[value=revise]").click()
        page.fill("textarea[name=body]", "<p>普通高中住宿费每生每学期500元，经物价部门批准。</p>")
        page.fill("input[name=change_note]", "住宿费标准下调")
        page.locator("button[value=save]").click()
        page.locator("button[value=submit]").click()
        head.goto(page.url)
        head.locator("button[value=publish]").click()
        assert Document.objects.get().versions.count() == 2

        citizen = context.browser.new_context(locale="zh-CN").new_page()
        citizen.goto(f"{base}/disclosure/")
        citizen.fill("#dc-q", "住宿费 公示")
        citizen.press("#dc-q", "Enter")
        citizen.wait_for_url("**/disclosure/search/**")
        assert citizen.locator("article mark").first.inner_text() in ("住宿费", "公示")
        citizen.locator("article h2 a").first.click()
        assert "500元" in citizen.locator(".dc-body").inner_text()
        citizen.locator("a[href$='/v1/']").click()
        assert "600元" in citizen.locator(".dc-body").inner_text()
        citizen.screenshot(path="/tmp/sunshine-disclosure-version.png", full_page=True)  # noqa: S108
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_files_an_foi_request_and_follows_it_to_a_reply(
    live_server: Any, office_clerk: Any, chromium: Any
) -> None:
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    try:
        page.goto(f"{base}/disclosure/foi/")
        page.select_option("select[name=applicant_kind]", "person")
        page.fill("input[name=applicant_name]", "市民张先生")
        page.fill("input[name=contact]", "13800000000")
        page.fill("textarea[name=description]", "2026年本区普通高中住宿费标准的批复文件")
        page.select_option("select[name=form]", "electronic")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/foi/done/")
        code = page.locator("#receipt-code").inner_text().replace(" ", "")
        assert len(code) == 16

        request = FoiRequest.objects.get()
        services.foi_confirm(actor=office_clerk, request=request)
        services.foi_reply(
            actor=office_clerk, request=request, reply_type="disclosed", text="批复文件已随本答复提供，请查收。"
        )

        page.goto(f"{base}/disclosure/foi/track/")
        page.fill("input[name=code]", code)
        page.locator("main form button[type=submit]").click()
        assert "批复文件已随本答复提供" in page.locator("#foi-reply").inner_text()
        page.screenshot(path="/tmp/sunshine-disclosure-foi.png", full_page=True)  # noqa: S108
    finally:
        context.close()
