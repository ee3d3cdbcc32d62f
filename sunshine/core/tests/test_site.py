"""Public site and workbench shells: language, CSP, accessibility basics, error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import translation

from config.urls import urlpatterns as project_urlpatterns
from sunshine.core.testing import client_for
from sunshine.core.views.staff import WorkbenchView
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)


def html_of(response) -> str:
    return response.content.decode()


def assert_no_inline_styles(html: str) -> None:
    """style-src 'self' only: an inline style attribute or <style> block would be blocked."""
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not STYLE_BLOCK.search(html)


def member_workbench_html(user) -> str:
    """The workbench as a staff member sees it, rendered through the view itself (staff
    sign-in with 2FA is the accounts module's concern and is tested there)."""
    request = RequestFactory().get(reverse("core:workbench"))
    request.user = user
    with translation.override("en"):
        response = WorkbenchView.as_view()(request)
        return response.render().content.decode()


@pytest.fixture
def english(client):
    """Checks of wording run in English, so that they hold once the zh-Hans catalogue is compiled."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_home_is_in_simplified_chinese_by_default_with_the_footer_facts(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="zh-hans"' in html
    site = django_settings.SUNSHINE_SITE
    for key in ("name", "sponsor", "contact_address", "contact_phone", "site_code", "icp", "psb"):
        assert site[key] in html, key
    # A search box with a label on every page, and the skip link to the main content.
    assert f'action="{reverse("core:search")}"' in html
    assert '<label class="visually-hidden" for="site-search">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    for anchor in ("#disclosure", "#services", "#interaction", "#news"):
        assert f'href="/{anchor}"' in html and f'id="{anchor[1:]}"' in html


def test_public_pages_draw_no_csp_nonce_and_run_only_our_own_script_files(client):
    """A public page may come from the city's cache, so it carries no nonce (a nonce is
    valid for one response): every script is a file of our own origin (script-src 'self')."""
    response = client.get(reverse("core:home"))
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "script-src 'self'" in policy
    assert "nonce-" not in policy
    scripts = re.findall(r"<script\b[^>]*>", html_of(response))
    assert any("htmx" in tag for tag in scripts)
    for tag in scripts:
        assert "nonce=" not in tag and 'src="/static/' in tag, tag


def test_csp_header_carries_the_nonce_of_the_workbench_script_tags():
    client, _user = client_for(Role.PRINCIPAL)
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    nonced = [tag for tag in re.findall(r"<script\b[^>]*>", html_of(response)) if "nonce=" in tag]
    assert nonced, "the htmx script carries the nonce"
    for tag in nonced:
        assert f'nonce="{nonce.group(1)}"' in tag


def test_no_inline_styles_on_home_search_and_workbench(client):
    assert_no_inline_styles(html_of(client.get(reverse("core:home"))))
    assert_no_inline_styles(html_of(client.get(reverse("core:search"), {"q": "收费"})))
    member = MembershipFactory(role=Role.PRINCIPAL).user
    assert_no_inline_styles(member_workbench_html(member))


def test_the_language_switch_sets_english_for_the_next_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("core:home")})
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = html_of(client.get(reverse("core:home")))
    assert '<html lang="en"' in html
    # The switch itself is a POST form with a button per language, without a CSRF token
    # (the page stays the same for every visitor); the view checks the origin instead.
    assert 'class="langswitch" method="post"' in html
    assert 'name="language" value="zh-hans"' in html
    assert 'name="csrfmiddlewaretoken"' not in html


def test_the_workbench_requires_login(client):
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_workbench_shows_roles_organisations_and_empty_lists():
    bureau = BureauFactory(name="示范区教育局")
    school = SchoolFactory(name="示范区实验小学", parent=bureau)
    membership = MembershipFactory(organization=school, role=Role.PRINCIPAL)
    html = member_workbench_html(membership.user)
    assert str(Role.PRINCIPAL.label) in html
    assert "示范区实验小学" in html
    assert membership.user.full_name in html
    assert "Nothing waiting for you" in html
    # Logout is a POST form; the menu lists what the installed modules registered, nothing more.
    assert f'method="post" action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("fees:workbench")}"' in html  # a module that registered its entry
    assert "coming soon" not in html  # only what the installed modules registered
    assert f'href="{reverse("core:workbench")}" aria-current="page"' in html


def test_a_public_account_cannot_open_the_workbench(english):
    english.force_login(UserFactory())  # no organisation role
    response = english.get(reverse("core:workbench"))
    assert response.status_code == 403
    assert "You cannot open this page" in html_of(response)
    home = html_of(english.get(reverse("core:home")))  # …and is not offered it
    assert f'href="{reverse("core:workbench")}"' not in home
    assert f'action="{reverse("accounts:logout")}"' in home


def test_search_with_no_hit_says_so(english):
    response = english.get(reverse("core:search"), {"q": "招生"})
    assert response.status_code == 200
    html = html_of(response)
    assert "招生" in html  # the query is shown back


def test_display_switch_without_js_sets_the_cookie_and_the_html_class(client):
    home = reverse("core:home")
    response = client.post(reverse("core:display"), {"toggle": "large", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    html = html_of(client.get(home))
    assert 'class="text-large"' in html
    assert 'value="large" data-display-toggle aria-pressed="true"' in html

    client.post(reverse("core:display"), {"toggle": "contrast", "next": home})
    assert 'class="contrast-high text-large"' in html_of(client.get(home))
    client.post(reverse("core:display"), {"toggle": "large", "next": home})
    client.post(reverse("core:display"), {"toggle": "contrast", "next": home})
    assert '<html lang="zh-hans" class="">' in html_of(client.get(home))


def test_display_switch_refuses_an_offsite_next_and_unknown_options(client):
    response = client.post(reverse("core:display"), {"toggle": "evil", "next": "https://example.com/"})
    assert response["Location"] == reverse("core:home")
    assert 'class=""' in html_of(client.get(reverse("core:home")))


def test_404_page_is_plain_language_inside_the_site_frame(english):
    response = english.get("/no-such-page/")
    assert response.status_code == 404
    html = html_of(response)
    assert "Page not found" in html
    assert django_settings.SUNSHINE_SITE["site_code"] in html


def boom(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [*project_urlpatterns, path("boom/", boom), path("forbidden/", forbidden)]


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_renders_without_request_context():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = html_of(response)
    assert "抱歉，系统出现错误" in html
    # Django renders 500.html with no context processors: the footer still shows the site.
    assert django_settings.SUNSHINE_SITE["sponsor"] in html
    assert django_settings.SUNSHINE_SITE["icp"] in html
    assert "csrfmiddlewaretoken" not in html
    assert_no_inline_styles(html)


@override_settings(ROOT_URLCONF=__name__)
def test_403_page(english):
    response = english.get("/forbidden/")
    assert response.status_code == 403
    assert "You cannot open this page" in html_of(response)


def test_the_stylesheet_is_small_and_hand_written():
    css = Path(__file__).resolve().parent.parent / "static" / "core" / "css" / "site.css"
    assert css.stat().st_size < 20 * 1024


@pytest.mark.django_db
def test_zh_hans_is_the_default_even_for_an_english_browser(client):
    """product.md: zh-Hans is the default language of every face; English only when chosen."""
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in page.content.decode()
    assert "信息公开" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page["Content-Language"] == "en"
    assert "Information disclosure" in page.content.decode()
