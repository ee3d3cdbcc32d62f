"""Login: password step, the staff second factor, enrolment, recovery codes, lockout,
logout and the audit trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from sunshine.accounts.models import Authenticator
from sunshine.accounts.services import recovery_code_digest, recovery_codes_generate, totp_now
from sunshine.core.models import AuditEntry

from .conftest import Person

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp-verify")
ENROL = reverse("accounts:otp-enrol")
WORKBENCH = reverse("core:workbench")


def password_step(client: Client, person: Person, password: str | None = None):
    return client.post(LOGIN, {"username": person.user.username, "password": password or person.password})


def actions(user=None) -> list[str]:
    entries = AuditEntry.objects.order_by("pk")
    if user is not None:
        entries = entries.filter(actor=user)
    return list(entries.values_list("action", flat=True))


def test_public_user_logs_in_with_password_only(client: Client, public_person: Person) -> None:
    response = password_step(client, public_person)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert "_auth_user_id" in client.session
    # A page that needs a login opens with no second factor asked of the public.
    assert client.get(reverse("accounts:password-change")).status_code == 200
    assert client.get(VERIFY).status_code == 302  # and the 2FA pages send them away


def test_wrong_password_is_refused(client: Client, public_person: Person) -> None:
    response = password_step(client, public_person, password="not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="accounts.login_fail")
    assert entry.data["username"] == "citizen"
    assert "not the password" not in str(entry.data)


def test_staff_password_step_leads_to_verify_and_nothing_else(client: Client, staff_person: Person) -> None:
    response = password_step(client, staff_person)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    # Unverified staff: everything else redirects to the verify step.
    response = client.get(WORKBENCH)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.get(reverse("accounts:password-change"))["Location"].startswith(VERIFY)
    # The verify page itself and the language switch stay reachable.
    assert client.get(VERIFY).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": VERIFY}).status_code == 302


def test_wrong_totp_is_refused(client: Client, staff_person: Person) -> None:
    password_step(client, staff_person)
    good = totp_now(staff_person.secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "口令无效" in response.content.decode()  # the page speaks zh-Hans by default
    assert client.get(WORKBENCH).status_code == 302
    assert "accounts.otp_fail" in actions(staff_person.user)
    assert "accounts.otp_verify" not in actions()


def test_right_totp_lets_staff_reach_the_workbench(client: Client, staff_person: Person) -> None:
    first_key = (password_step(client, staff_person), client.session.session_key)[1]
    code = totp_now(staff_person.secret)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == WORKBENCH
    assert client.session.session_key != first_key  # rotated again on the privilege step
    assert client.get(WORKBENCH).status_code == 200
    # The same code cannot be replayed in another session.
    other = Client()
    password_step(other, staff_person)
    assert other.post(VERIFY, {"code": code}).status_code == 200  # the very same code, even in a new time step
    assert other.get(WORKBENCH).status_code == 302


def test_verify_keeps_a_safe_next_and_drops_a_foreign_one(client: Client, staff_person: Person) -> None:
    client.post(LOGIN + "?next=/workbench/?tab=1", {"username": "clerk", "password": staff_person.password})
    assert client.post(VERIFY, {"code": totp_now(staff_person.secret)})["Location"] == "/workbench/?tab=1"
    other = Client()
    password_step(other, staff_person)
    code = totp_now(staff_person.secret, at=timezone.now() + timedelta(seconds=30))
    assert other.post(VERIFY, {"code": code, "next": "https://evil.example/"})["Location"] == WORKBENCH


def test_recovery_code_works_exactly_once(client: Client, staff_person: Person) -> None:
    codes = recovery_codes_generate(user=staff_person.user, actor=None)
    password_step(client, staff_person)
    response = client.post(VERIFY, {"code": f"{codes[0][:4]}-{codes[0][4:]}"})  # shown grouped, accepted so
    assert response.status_code == 302
    assert client.get(WORKBENCH).status_code == 200
    assert StaticToken.objects.filter(device__user=staff_person.user).count() == 9
    assert actions(staff_person.user).count("accounts.recovery_code_use") == 1

    client.post(reverse("accounts:logout"))
    password_step(client, staff_person)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(WORKBENCH).status_code == 302


def test_unverified_staff_redirected_from_admin(client: Client, system_admin_person: Person) -> None:
    password_step(client, system_admin_person)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_verified_system_admin_enters_admin(client: Client, system_admin_person: Person) -> None:
    password_step(client, system_admin_person)
    client.post(VERIFY, {"code": totp_now(system_admin_person.secret)})
    assert client.get("/admin/").status_code == 200


def test_non_system_admin_staff_cannot_enter_admin_even_verified(client: Client, staff_person: Person) -> None:
    staff_person.user.is_staff = True  # even with Django's flag
    staff_person.user.save()
    password_step(client, staff_person)
    assert client.get("/admin/").status_code == 403
    client.post(VERIFY, {"code": totp_now(staff_person.secret)})
    assert client.get(WORKBENCH).status_code == 200
    assert client.get("/admin/").status_code == 403


def test_admin_sends_the_anonymous_to_our_login_and_refuses_the_public(client: Client, public_person: Person) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    password_step(client, public_person)
    assert client.get("/admin/").status_code == 403


def test_lockout_after_five_failures_refuses_even_the_right_password(client: Client, public_person: Person) -> None:
    for _ in range(4):
        assert password_step(client, public_person, password="wrong password").status_code == 200
    response = password_step(client, public_person, password="wrong password")
    assert response.status_code == 429 or response.status_code == 403
    page = response.content.decode()
    assert "账号已锁定" in page
    assert re.search(r"请于\d{4}-\d{2}-\d{2} \d{2}:\d{2}之后重试", page)
    # The sixth attempt, with the right password, is still refused.
    response = password_step(client, public_person)
    assert response.status_code in (403, 429)
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="citizen").failures_since_start >= 5
    assert "accounts.lockout" in actions()


def test_a_new_address_does_not_get_new_guesses(client: Client, public_person: Person) -> None:
    """Lockout is per account, whatever the address: moving to another address (or
    many) gains a guesser nothing."""
    for n in range(5):
        other = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        password_step(other, public_person, password="wrong password")
    fresh = Client(REMOTE_ADDR="10.9.9.9")
    response = password_step(fresh, public_person)  # the right password, from a new address
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in fresh.session


def test_each_further_lockout_makes_the_wait_longer(settings, public_person: Person) -> None:
    from datetime import timedelta

    from sunshine.accounts.lockout import lockout_cool_off_for

    base = timedelta(minutes=settings.SUNSHINE_LOGIN_COOLOFF_MINUTES)
    assert lockout_cool_off_for("citizen") == base
    for n in range(6):
        password_step(Client(REMOTE_ADDR=f"10.0.1.{n + 1}"), public_person, password="wrong password")
    waits = []
    for n in range(3):
        password_step(Client(REMOTE_ADDR=f"10.0.2.{n + 1}"), public_person, password="wrong password")
        waits.append(lockout_cool_off_for("citizen"))
    assert base < waits[0] < waits[1] < waits[2] <= timedelta(days=1)
    assert lockout_cool_off_for("someone-else") == base


def test_wrong_codes_count_towards_lockout(client: Client, staff_person: Person) -> None:
    password_step(client, staff_person)
    good = totp_now(staff_person.secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code in (403, 429)
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    assert password_step(client, staff_person).status_code in (403, 429)


def test_logout_requires_post(client: Client, public_person: Person) -> None:
    password_step(client, public_person)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert actions(public_person.user)[-1] == "accounts.logout"


def test_audit_trail_of_a_staff_login_holds_no_secret(client: Client, staff_person: Person) -> None:
    code = totp_now(staff_person.secret)
    password_step(client, staff_person)
    client.post(VERIFY, {"code": code})
    client.post(reverse("accounts:logout"))
    assert actions(staff_person.user)[-3:] == ["accounts.login", "accounts.otp_verify", "accounts.logout"]
    dumped = str(list(AuditEntry.objects.values_list("data", flat=True)))
    assert staff_person.password not in dumped
    assert code not in dumped


def test_staff_without_an_authenticator_cannot_enrol_one_on_first_use(
    client: Client, unenrolled_staff_person: Person
) -> None:
    """No trust on first use: knowing the password is not enough to set up the second
    factor; the page asks for the security administrator's one-time link."""
    response = password_step(client, unenrolled_staff_person)
    assert response["Location"] == ENROL
    assert client.get(WORKBENCH)["Location"].startswith(ENROL)
    page = client.get(ENROL).content.decode()
    assert "<svg" not in page and "otpauth" not in page
    assert not Authenticator.objects.filter(user=unenrolled_staff_person.user).exists()
    assert client.post(ENROL, {"code": "123456"}).status_code == 405


def test_regenerating_recovery_codes_needs_a_fresh_totp_code(client: Client, staff_person: Person) -> None:
    old = recovery_codes_generate(user=staff_person.user, actor=None)
    password_step(client, staff_person)
    client.post(VERIFY, {"code": totp_now(staff_person.secret)})
    url = reverse("accounts:recovery-codes")
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "000000" if totp_now(staff_person.secret) != "000000" else "111111"})
    assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=staff_person.user, token=recovery_code_digest(old[0])).exists()
    Authenticator.objects.get(user=staff_person.user).throttle_reset()

    fresh = totp_now(staff_person.secret, at=timezone.now() + timedelta(seconds=30))
    response = client.post(url, {"code": fresh})
    new = re.findall(r"<code>([a-z2-7]{4})-([a-z2-7]{4})</code>", response.content.decode())
    assert len(new) == 10
    assert not StaticToken.objects.filter(device__user=staff_person.user, token=recovery_code_digest(old[0])).exists()
    assert StaticToken.objects.filter(device__user=staff_person.user).count() == 10


def test_password_change_is_audited_without_the_password(client: Client, public_person: Person) -> None:
    password_step(client, public_person)
    new_password = "a much longer new secret 42"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": public_person.password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    public_person.user.refresh_from_db()
    assert public_person.user.check_password(new_password)
    assert client.get(reverse("accounts:password-change")).status_code == 200  # this session survives
    entry = AuditEntry.objects.get(action="accounts.password_change")
    assert new_password not in str(entry.data)


@pytest.mark.django_db
def test_login_page_shows_the_site_identity_not_the_host_name(settings) -> None:
    """Django's login view calls the host "site"; the page keeps the site's own name and
    sponsor in its masthead and title, and draws its fields with the site's one form style."""
    settings.SUNSHINE_SITE = {**settings.SUNSHINE_SITE, "name": "阳光测试平台", "sponsor": "测试区教育局"}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "sunshine.example.org"]
    page = Client().get(reverse("accounts:login"), HTTP_HOST="sunshine.example.org")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span class="brand-name">阳光测试平台</span>' in html and "测试区教育局" in html
    assert "<title>登录 · 阳光测试平台</title>" in html
    assert "sunshine.example.org" not in html
    assert 'class="field-label" for="id_username"' in html and 'class="required"' in html
