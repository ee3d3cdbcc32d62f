"""In a real Chromium: a clerk declares a fee, the fee reviewer approves and files it,
the clerk publishes the notice, and it appears on the public site with its poster."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.accounts.tests.conftest import PASSWORD, SECRET
from sunshine.fees.models import FeeDeclaration, FeeNotice

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT = "/tmp/sunshine-fees-notice.png"  # noqa: S108 (a fixed path people look at)


def login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/verify/")
    page.fill("input[name=code]", totp_now(SECRET))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/workbench/")


@pytest.fixture
def people(world: Any) -> Any:
    for user in (world.clerk, world.reviewer):
        totp_device_set(user=user, secret_base32=SECRET, actor=None)
    return world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_declare_approve_file_publish_in_chromium(live_server: Any, people: Any, chromium: Any) -> None:
    world = people
    base = live_server.url
    clerk_ctx = chromium.new_context(locale="zh-CN")
    reviewer_ctx = chromium.new_context(locale="zh-CN")
    try:
        clerk = clerk_ctx.new_page()
        login(clerk, base, world.clerk)
        clerk.goto(f"{base}/fees/staff/declarations/new/")
        clerk.select_option("select[name=item]", str(world.item("meals").pk))
        clerk.fill("input[name=standard]", "900")
        clerk.fill("input[name=grades]", "一至六年级")
        clerk.locator("main form button[type=submit]").click()
        clerk.wait_for_url("**/fees/staff/")
        declaration = FeeDeclaration.objects.get()

        reviewer = reviewer_ctx.new_page()
        login(reviewer, base, world.reviewer)
        reviewer.goto(f"{base}/fees/staff/")
        reviewer.locator(f"a[href$='/fees/staff/declarations/{declaration.pk}/']").click()
        reviewer.fill("input[name=approving_body]", "示范区发展和改革局")
        reviewer.fill("input[name=document_number]", "区发改价〔2026〕41号")
        reviewer.locator("form:has(input[value=approve]) button").click()
        reviewer.locator("form:has(input[value=file]) button").click()
        reviewer.wait_for_selector("form:has(input[value=file])", state="detached")
        declaration.refresh_from_db()
        assert declaration.status == FeeDeclaration.Status.FILED

        clerk.goto(f"{base}/fees/staff/notices/{world.primary.pk}/{world.term.pk}/")
        clerk.locator("form:has(input[value=generate]) button").click()
        clerk.locator("form:has(input[value=publish]) button").click()
        clerk.wait_for_selector("form:has(input[value=publish])", state="detached")
        assert FeeNotice.objects.get().status == FeeNotice.Status.PUBLISHED

        public = chromium.new_context(locale="zh-CN").new_page()
        public.goto(f"{base}/fees/schools/{world.primary.code}/")
        assert "伙食费" in public.locator("main table").inner_text()
        assert "区发改价〔2026〕41号" in public.locator("main table").inner_text()
        public.screenshot(path=SCREENSHOT, full_page=True)
        with public.expect_download() as download:
            public.locator(f"a[href$='/fees/notices/{FeeNotice.objects.get().pk}/poster.docx']").click()
        assert download.value.suggested_filename.endswith(".docx")
        public.context.close()
    finally:
        clerk_ctx.close()
        reviewer_ctx.close()
