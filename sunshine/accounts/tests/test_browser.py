"""The staff login walked in a real Chromium: password, TOTP code, workbench, then the
language switch from Simplified Chinese (the default) to English."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sunshine.accounts.services import totp_now

from .conftest import Person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

SCREENSHOT = "/tmp/sunshine-login.png"  # noqa: S108 (a fixed path people look at)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_logs_in_with_totp_and_switches_language(live_server: Any, staff_person: Person, chromium: Any) -> None:
    context = chromium.new_context(locale="zh-CN")  # Accept-Language: zh-CN → zh-hans
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        page.fill("input[name=username]", staff_person.user.username)
        page.fill("input[name=password]", staff_person.password)
        page.screenshot(path=SCREENSHOT, full_page=True)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/accounts/login/verify/")

        page.fill("input[name=code]", totp_now(staff_person.secret))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/workbench/")
        assert page.locator("main h1").inner_text() == "工作台"
        assert page.locator("html").get_attribute("lang") == "zh-hans"

        with page.expect_response(lambda r: r.url.endswith("/workbench/")) as landed:
            page.locator("form[action$='/i18n/setlang/'] button[value=en]").first.click()
        page.wait_for_url("**/workbench/")
        assert landed.value.headers.get("content-language") == "en"
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("main h1").inner_text() == "Workbench"
    finally:
        context.close()
