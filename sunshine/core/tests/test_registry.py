"""What apps register for core's pages (core.registry): the workbench menu, the home
page's panels, the dashboard tiles. Core names no module: these tests register their own
entries on core's pages and check that what is registered, and only that, is shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sunshine.core import registry
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(monkeypatch):
    """Empty registries for the test (the apps' own registrations come back after it)."""
    for name in ("_workbench", "_home", "_tiles"):
        monkeypatch.setattr(registry, name, {})
    return registry


def test_the_workbench_menu_is_what_was_registered_in_order_and_for_whom(fresh):
    fresh.register_workbench_entry("Z 最后", "core:search", order=50)
    fresh.register_workbench_entry("A 首页", "core:workbench", order=0)
    fresh.register_workbench_entry(
        "审计专用", "core:audit-list", order=10, visible=lambda user: user.username.startswith("nobody")
    )
    client, _user = client_for(Role.PRINCIPAL)
    body = client.get(reverse("core:workbench")).content.decode()
    nav = body[body.index('class="wb-nav"') : body.index("</nav>")]
    assert nav.index("A 首页") < nav.index("Z 最后")
    assert f'href="{reverse("core:workbench")}" aria-current="page"' in nav
    assert "审计专用" not in nav  # not visible to this user


def test_home_panels_fill_their_sections_and_an_empty_section_says_so(fresh, client):
    fresh.register_home_panel(
        "test-links", lambda: ["甲", "乙"], template="core/tests/home_panel.html", section="services", order=2
    )
    fresh.register_home_panel("test-first", template="core/tests/home_panel.html", section="services", order=1)
    body = client.get(reverse("core:home")).content.decode()
    services = body[body.index('id="services"') : body.index('id="interaction"')]
    assert services.index('id="panel-test-first"') < services.index('id="panel-test-links"')
    assert "甲、乙" in services
    interaction = body[body.index('id="interaction"') : body.index('id="news"')]
    assert "empty" in interaction
    with pytest.raises(ValueError):
        fresh.register_home_panel("bad", template="x.html", section="no-such-section")


def test_dashboard_tiles_show_for_whom_they_are_meant_and_when_they_have_a_value(fresh):
    fresh.register_dashboard_tile("test-count", lambda user: 7, label="待办件数", url_name="core:search")
    fresh.register_dashboard_tile("test-silent", lambda user: None, label="无话可说")
    fresh.register_dashboard_tile("test-hidden", lambda user: 1, label="别人的", visible=lambda user: False)
    client, _user = client_for(Role.PRINCIPAL)
    body = client.get(reverse("core:workbench")).content.decode()
    assert 'id="tile-test-count"' in body and "待办件数" in body and f'href="{reverse("core:search")}"' in body
    assert "无话可说" not in body and "别人的" not in body


def test_without_tiles_the_workbench_shows_no_empty_tile_panel(fresh):
    client, _user = client_for(Role.PRINCIPAL)
    assert 'id="tiles-heading"' not in client.get(reverse("core:workbench")).content.decode()
