"""A petition walked end to end in a real Chromium (PET-1 … PET-6, PET-10 rating):
a person files an anonymous report and gets a receipt code; a discipline inspector
(password + TOTP) accepts it and assigns it to a school; the school's clerk replies;
the person follows the case with the receipt code, reads the reply and rates it.
Screenshots: /tmp/sunshine-petitions-{form,receipt,queue,case,track}.png."""

from __future__ import annotations

import os
from base64 import b32encode
from typing import Any

import pytest

from sunshine.accounts.services import totp_device_set, totp_now
from sunshine.core.testing import user_with_role
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory
from sunshine.petitions.models import Petition

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

PASSWORD = "correct horse battery"  # UserFactory's password
SECRET = b32encode(b"sunshine-petitions-1").decode()
SHOTS = "/tmp/sunshine-petitions"  # noqa: S108 (fixed paths people look at)


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    bureau = BureauFactory(code="BRW", name="浏览区教育局")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    school = SchoolFactory(parent=bureau, name="浏览区实验小学")
    inspector = user_with_role(Role.DISCIPLINE_INSPECTOR, organization=discipline)
    clerk = user_with_role(Role.SCHOOL_CLERK, organization=school)
    for user in (inspector, clerk):
        totp_device_set(user=user, secret_base32=SECRET, actor=None)
    return {"bureau": bureau, "school": school, "inspector": inspector, "clerk": clerk}


def staff_login(browser: Any, base: str, user: Any) -> Any:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/verify/")
    page.fill("input[name=code]", totp_now(SECRET))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/workbench/")
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anonymous_report_from_filing_to_rating(live_server: Any, people: dict[str, Any], chromium: Any) -> None:
    base = live_server.url
    # 1. The person writes anonymously (zh-Hans by default) and gets the receipt code.
    public = chromium.new_context(locale="zh-CN", viewport={"width": 412, "height": 900})  # a phone
    page = public.new_page()
    page.goto(f"{base}/petitions/write/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#identity-fields").is_hidden()  # JS hides the identity while anonymous
    page.check("input[name=kind][value=report]")
    page.select_option("select[name=subject_organization]", label="浏览区实验小学")
    page.fill("input[name=title]", "教师有偿补课")
    page.fill("textarea[name=facts]", "五年级某老师在校外组织有偿补课,每人每月收费八百元。")
    page.fill("textarea[name=request]", "请求查处。")
    page.fill("textarea[name=reasons]", "在职教师不得有偿补课。")
    page.check("input[name=privacy]")
    page.screenshot(path=f"{SHOTS}-form.png", full_page=True)
    page.locator("button.button-primary").click()
    page.wait_for_url("**/petitions/write/receipt/")
    grouped = page.locator(".receipt-code").inner_text()
    code = grouped.replace(" ", "")
    assert len(code) == 16 and code.isdigit() and len(grouped.split()) == 4
    page.screenshot(path=f"{SHOTS}-receipt.png", full_page=True)
    page.reload()
    assert page.locator(".receipt-code").count() == 0  # shown once only
    petition = Petition.objects.get()
    assert petition.named is False

    # 2. The discipline inspector (password + TOTP) accepts and assigns it.
    staff, desk = staff_login(chromium, base, people["inspector"])
    desk.goto(f"{base}/petitions/staff/")
    desk.screenshot(path=f"{SHOTS}-queue.png", full_page=True)
    desk.locator(f"a:text('{petition.number}')").click()
    desk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    desk.locator("#action-accept button[type=submit]").click()
    desk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    # PET-9: the report names nobody on the staff; triage confirms that before assigning.
    desk.goto(f"{base}/petitions/staff/cases/{petition.pk}/accused/")
    desk.locator("#accused-confirm button[type=submit]").click()
    desk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    desk.select_option("#action-assign select[name=assign-organization]", label="浏览区实验小学")
    desk.locator("#action-assign button[type=submit]").click()
    desk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ASSIGNED and petition.assigned_to == people["school"]
    desk.screenshot(path=f"{SHOTS}-case.png", full_page=True)
    staff.close()

    # 3. The school's clerk reports to the bureau, then replies with the PET-6 fields.
    unit, clerk = staff_login(chromium, base, people["clerk"])
    clerk.goto(f"{base}/petitions/staff/cases/{petition.pk}/")
    assert "方可出具书面答复" in clerk.locator("#action-reply").inner_text()
    clerk.fill("textarea[name=unit_report-findings]", "经查,该教师确有组织有偿补课行为。")
    clerk.fill("textarea[name=unit_report-actions]", "已约谈该教师，责令退还补课费用。")
    clerk.locator("#action-unit_report button[type=submit]").click()
    clerk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    clerk.screenshot(path=f"{SHOTS}-unit-report.png", full_page=True)
    # The reply starts from the facts the unit reported.
    assert clerk.input_value("textarea[name=reply-facts]") == "经查,该教师确有组织有偿补课行为。"
    clerk.fill("textarea[name=reply-request_summary]", "请求查处有偿补课。")
    clerk.fill("textarea[name=reply-reasons]", "违反《中小学教师违反职业道德行为处理办法》。")
    clerk.select_option("select[name=reply-decision]", "supported")
    clerk.fill("textarea[name=reply-legal_basis]", "《中小学教师违反职业道德行为处理办法》第四条")
    clerk.locator("#action-reply button[type=submit]:not([formaction])").click()
    clerk.wait_for_url(f"**/petitions/staff/cases/{petition.pk}/")
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ANSWERED
    unit.close()

    # 4. The person follows the case with the code, reads the reply and rates it.
    page.goto(f"{base}/petitions/follow/")
    page.fill("input[name=code]", grouped)
    page.locator("button.button-primary").click()
    page.wait_for_url("**/petitions/follow/case/")
    body = page.locator("main").inner_text()
    assert "经查,该教师确有组织有偿补课行为。" in body
    assert "《中小学教师违反职业道德行为处理办法》第四条" in body
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("textarea[name=comment]", "处理及时。")
    page.screenshot(path=f"{SHOTS}-track.png", full_page=True)
    page.locator("form[action$='/follow/case/rating/'] button[type=submit]").click()
    page.wait_for_url("**/petitions/follow/case/")
    petition.refresh_from_db()
    assert petition.status == Petition.Status.RATED and petition.satisfaction == "satisfied"
    public.close()
