"""The security administrator's page: key status, login policy, unlocking (三员分立)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from sunshine.core.models import AuditEntry
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def _locked(username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=5,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )


def test_security_admin_sees_key_status_and_unlocks_an_account(settings):
    client, admin_user = client_for(Role.SECURITY_ADMIN)
    _locked("clerk07")
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "clerk07" in body
    assert "demo1" in body  # the key id in force, never the key itself
    assert settings.SUNSHINE_FIELD_KEYS.split(":", 1)[1] not in body
    assert page.context["canary"].ok

    response = client.post(reverse("accounts:security-unlock"), {"username": "clerk07"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk07").exists()
    entry = AuditEntry.objects.get(action="accounts.lockout_reset")
    assert entry.actor == admin_user and entry.data["username"] == "clerk07"


def test_a_wrong_key_set_shows_an_alarm(settings):
    client, _user = client_for(Role.SECURITY_ADMIN)
    client.get(reverse("accounts:security"))  # the canary is written under the demo key
    settings.SUNSHINE_FIELD_KEYS = "other:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert not page.context["canary"].ok


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.LEADER])
def test_other_roles_cannot_unlock(role):
    client, _user = client_for(role)
    _locked("clerk07")
    assert client.post(reverse("accounts:security-unlock"), {"username": "clerk07"}).status_code == 403
    assert AccessAttempt.objects.filter(username="clerk07").exists()
