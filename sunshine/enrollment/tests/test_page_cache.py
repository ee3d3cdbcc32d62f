"""The lottery and admission look-up pages may be kept by the city's shared cache (the
same for every visitor: no CSRF token in their form), the family's or the student's own
answer never; a look-up posted from another site is refused (core.origin)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sunshine.core.testing import District
from sunshine.enrollment.tests import factories as f

pytestmark = pytest.mark.django_db

PUBLIC = f"public, max-age={settings.SUNSHINE_PUBLIC_CACHE_SECONDS}"


def _pages(d: District) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("enrollment:lottery", args=[f.published_lottery(d).pk]), {"code": "1234567890123456"}),
        (reverse("enrollment:admission", args=[f.senior_run(d).season_id]), {"student_id": "K04", "score": "630"}),
    ]


def test_the_look_up_pages_are_shared_and_their_answers_never_kept() -> None:
    d = District()
    for url, data in _pages(d):
        page = Client().get(url)
        assert page.status_code == 200, url
        assert page["Cache-Control"] == PUBLIC, url
        assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies, url
        answer = Client().post(url, data, HTTP_ORIGIN="http://testserver")
        assert answer.status_code in (200, 404), url
        assert "no-store" in answer["Cache-Control"], url


def test_a_look_up_posted_from_another_site_is_refused() -> None:
    d = District()
    for url, data in _pages(d):
        refused = Client().post(url, data, HTTP_ORIGIN="https://evil.example")
        assert refused.status_code == 403, url
    # From this site, the student's own result.
    url, data = _pages(d)[1]
    found = Client().post(url, data, HTTP_REFERER=f"http://testserver{url}")
    assert found.status_code == 200 and "K04" in found.content.decode()
