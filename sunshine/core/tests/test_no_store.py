"""Pages with personal data are never kept by a browser or proxy: Cache-Control: no-store."""

import pytest
from django.test import Client
from django.urls import reverse

from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.DISCIPLINE_INSPECTOR, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
def test_staff_pages_are_no_store(role):
    client, _user = client_for(role)
    for url in (reverse("core:workbench"), "/admin/", reverse("core:audit-list"), reverse("core:home")):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url


def test_public_pages_for_anonymous_visitors_may_be_cached_but_staff_paths_never():
    client = Client()
    assert "no-store" not in client.get(reverse("core:home")).get("Cache-Control", "")
    for url in ("/workbench/", "/admin/", "/accounts/login/", "/staff/audit/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
