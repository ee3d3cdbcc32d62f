"""Which answers a shared cache may keep (the city's nginx micro-cache honours them):
``public, max-age`` only on a page that is the same for every anonymous visitor with the
same language and display cookies; ``no-store`` on everything personal; ``private`` on
any other answer (a form with a CSRF token, a page that set a cookie, a POST)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db

PUBLIC = f"public, max-age={settings.SUNSHINE_PUBLIC_CACHE_SECONDS}"


def test_an_anonymous_public_page_may_be_kept_by_a_shared_cache_and_varies_on_the_cookies():
    for url in (reverse("core:home"), reverse("core:search") + "?q=收费", reverse("disclosure:index")):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PUBLIC, url
        assert "Cookie" in response["Vary"], url
        # Nothing of one visitor in it: no cookie set, no CSRF token, no nonce.
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
        assert "nonce-" not in response["Content-Security-Policy"], url


def test_the_language_and_display_cookies_keep_a_page_shareable_but_change_it():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.cookies["sunshine_display"] = "contrast"
    response = client.get(reverse("core:home"))
    assert response["Cache-Control"] == PUBLIC
    html = response.content.decode()
    assert '<html lang="en"' in html and "contrast-high" in html
    assert response["Content-Language"] == "en"


def test_a_visitor_with_any_other_cookie_gets_a_private_page():
    client = Client()
    client.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32
    assert client.get(reverse("core:home"))["Cache-Control"] == "private"
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    assert client.get(reverse("core:home"))["Cache-Control"] == "private"


def test_a_page_with_a_csrf_form_is_private():
    """The request form for disclosure carries the visitor's own CSRF token: never shared."""
    response = Client().get(reverse("disclosure:foi"))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert response["Cache-Control"] in ("private", "no-store") or "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_posts_htmx_fragments_and_errors_are_never_public():
    client = Client()
    assert "public" not in client.post(reverse("core:search")).get("Cache-Control", "")
    assert "public" not in client.get(reverse("core:home"), HTTP_HX_REQUEST="true")["Cache-Control"]
    missing = client.get("/disclosure/documents/999999999/")
    assert missing.status_code == 404 and "public" not in missing["Cache-Control"]


def test_a_filers_own_case_and_its_code_form_are_never_stored():
    client = Client()
    assert "no-store" in client.get(reverse("petitions:track"))["Cache-Control"]
    assert "no-store" in client.get(reverse("petitions:track-case"))["Cache-Control"]


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.DISCIPLINE_INSPECTOR])
def test_signed_in_pages_are_never_stored_even_public_ones(role):
    client, _user = client_for(role)
    for url in (reverse("core:home"), reverse("disclosure:index"), reverse("core:search") + "?q=x"):
        assert client.get(url)["Cache-Control"] == "no-store", url


def test_the_switches_refuse_a_post_from_another_site_and_accept_one_from_this_site():
    client = Client()
    for url, data in (
        (reverse("set_language"), {"language": "en", "next": "/"}),
        (reverse("core:display"), {"toggle": "contrast", "next": "/"}),
    ):
        refused = client.post(url, data, HTTP_ORIGIN="https://evil.example")
        assert refused.status_code == 403, url
        assert not refused.cookies, url
        assert client.post(url, data, HTTP_ORIGIN="null").status_code == 403, url
        accepted = client.post(url, data, HTTP_ORIGIN="http://testserver")
        assert accepted.status_code == 302 and accepted.cookies, url
        by_referer = Client().post(url, data, HTTP_REFERER="http://testserver/disclosure/")
        assert by_referer.status_code == 302, url
    # The cookies the switches set are the ones the page is cached by.
    page = client.get(reverse("core:home"))
    assert page["Cache-Control"] == PUBLIC
    assert re.search(r'<html lang="en" class="[^"]*contrast-high', page.content.decode())
