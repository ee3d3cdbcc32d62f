"""In a real Chromium: a leader opens the dashboard, every chart is drawn by ECharts from
the page's JSON block (no inline script), and each chart's drill-down leads to the
records' page."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, MembershipFactory, SchoolFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery"


@pytest.fixture
def leader(db: None) -> Any:
    bureau = BureauFactory(name="示范区教育局")
    SchoolFactory(parent=bureau, name="第一实验小学")
    membership = MembershipFactory(user__username="leader", organization=bureau, role=Role.LEADER)
    totp_device_set(user=membership.user, secret_base32=SECRET, actor=None)
    return membership.user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_leader_sees_every_chart_drawn_with_its_drilldown(live_server: Any, leader: Any, chromium: Any) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.url
    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", leader.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/accounts/login/verify/")
        page.fill("input[name=code]", totp_now(SECRET))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/workbench/")
        page.goto(f"{base}/reports/staff/?year=2026")
        charts = page.locator("[data-chart]")
        # Every chart of the JSON block has its box: each section's figures and each breakdown
        # (by channel, by school, by colour, the funds' months...) drawn by ECharts.
        listed = page.evaluate("JSON.parse(document.getElementById('report-charts').textContent).map(c => c.id)")
        assert charts.count() == len(listed) >= 12
        assert {"petitions-by-channel", "funds-schedule-by-month", "oversight-rag-counts"} <= set(listed)

        def every_chart_drawn() -> None:
            for i in range(charts.count()):
                assert charts.nth(i).locator("canvas").count() == 1, listed[i]  # drawn by ECharts

        every_chart_drawn()
        # Each breakdown has its table beside the chart (the map of schools: tiles or its table).
        assert page.locator("table.breakdown-table").count() == page.locator(".breakdown").count() >= 8
        assert not errors, errors  # the CSP let the chart script run, nothing refused
        page.screenshot(path="/tmp/sunshine-reports-dashboard.png", full_page=True)  # noqa: S108
        # High contrast, switched on the page: every chart is drawn again, white and yellow on black.
        page.locator("button[data-display-toggle][value=contrast]").first.click()
        page.wait_for_function("document.documentElement.classList.contains('contrast-high')")
        every_chart_drawn()
        assert not errors, errors
        page.locator("button[data-display-toggle][value=contrast]").first.click()
        page.locator(".report-links a", has_text="查看明细").first.click()
        page.wait_for_load_state()
        assert "/petitions/" in page.url and "org=" in page.url
    finally:
        context.close()
