"""In a real Chromium: a clerk declares a fee, the fee reviewer approves and files it,
the clerk publishes the notice, and it appears on the public site with its poster."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.accounts.tests.conftest import PASSWORD, SECRET
from sunshine.fees.models import FeeDeclaration, FeeNotice
from sunshine.fees.services import fee_notice_generate, fee_notice_publish

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT = "/tmp/sunshine-fees-notice.png"  # noqa: S108 (a fixed path people look at)

SHANGHAI = ZoneInfo("Asia/Shanghai")


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
        if clerk.locator("input[name=late_reason]").count():  # FEE-5: registration has passed
            clerk.fill("input[name=late_reason]", "开学前未能及时公示")
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


@pytest.fixture
def notice(world: Any) -> Any:
    world.file(world.primary, "meals", 90000)
    world.file(world.primary, "uniform", 25000)
    before_registration = datetime.combine(world.term.registration_date - timedelta(days=10), time(9), SHANGHAI)
    return fee_notice_publish(
        notice=fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk),
        actor=world.clerk,
        now=before_registration,
    )


# The contrast of each text element against the first painted background behind it (WCAG 2).
CONTRASTS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ground = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) { return c.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  const out = [];
  const texts = "main th, main td, main p, main h1, main h2, main a, main dt, main dd, main li";
  document.querySelectorAll(texts).forEach((el) => {
    if (!el.textContent.trim() || !el.getClientRects().length) { return; }
    const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(ground(el));
    out.push([(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), el.tagName, el.textContent.trim().slice(0, 20)]);
  });
  return out;
}"""

CELLS = """() => Array.from(document.querySelectorAll("main table td"))
  .filter((el) => el.getClientRects().length)
  .map((el) => [el.getBoundingClientRect().width / parseFloat(getComputedStyle(el).fontSize), el.textContent.trim()])"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fee_notice_reads_on_a_phone_and_in_high_contrast(live_server: Any, notice: Any, chromium: Any) -> None:
    """The fee table at 390 px: no cell narrower than three characters, nothing wider than
    the screen. In high contrast every text has at least 7:1 against what is behind it.
    No page raises a CSP violation (htmx included)."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))
        url = f"{live_server.url}/fees/schools/{notice.school.code}/"
        page.goto(url)
        cells = page.evaluate(CELLS)
        assert cells and min(width for width, _text in cells) >= 3, cells
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        context.add_cookies([{"name": "sunshine_display", "value": "contrast", "url": live_server.url}])
        page.goto(url)
        assert "contrast-high" in page.evaluate("document.documentElement.className")
        low = [(round(ratio, 1), tag, text) for ratio, tag, text in page.evaluate(CONTRASTS) if ratio < 7]
        assert not low, low
        assert not [text for text in console if "Content Security Policy" in text], console
    finally:
        context.close()
