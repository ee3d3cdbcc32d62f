"""What the domain apps add to core's pages, registered in each app's ``AppConfig.ready()``
(the way Wagtail's hooks let apps add to its admin): the workbench menu, the public home
page's panels and the dashboard's tiles. Core names no module; a module that is not
installed simply does not appear.

* ``register_workbench_entry(label, url_name, order=, visible=)`` — a link in the
  workbench's left menu; ``visible(user)`` decides who sees it (default: every staff user).
* ``register_home_panel(key, provider, template=, section=, order=)`` — a panel of the
  public home page, in one of the site's columns (:data:`HOME_SECTIONS`) or the figures
  row; ``template`` is rendered with ``panel`` = ``provider()`` (None without a provider).
* ``register_dashboard_tile(key, provider, label=, url_name=, order=, visible=)`` — a
  figure on the workbench home (and later the reports dashboard): ``provider(user)``
  returns the value, or None when the tile says nothing to this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise
UserCheck = Callable[[Any], bool]


# --- The workbench menu --------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbenchEntry:
    label: Label
    url_name: str
    order: int = 100
    visible: UserCheck | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_workbench: dict[str, WorkbenchEntry] = {}


def register_workbench_entry(
    label: Label, url_name: str, *, order: int = 100, visible: UserCheck | None = None
) -> None:
    """Add ``url_name``'s page to the workbench menu (once per URL name)."""
    _workbench[url_name] = WorkbenchEntry(label=label, url_name=url_name, order=order, visible=visible)


def workbench_entries(user: Any) -> list[WorkbenchEntry]:
    """The menu as ``user`` sees it, in order."""
    return sorted(
        (e for e in _workbench.values() if e.visible is None or e.visible(user)), key=lambda e: (e.order, e.url_name)
    )


def workbench_entry_for(app_label: str) -> WorkbenchEntry | None:
    """The workbench entry of the app ``app_label`` (its URL name is ``<app>:…``), or None."""
    found = sorted(
        (e for e in _workbench.values() if e.url_name.split(":", 1)[0] == app_label),
        key=lambda e: (e.order, e.url_name),
    )
    return found[0] if found else None


# --- The public home page ------------------------------------------------------------------

# The columns of the public site (政府网站发展指引: 政务公开, 办事服务, 互动交流, 新闻动态):
# the site's structure, not its modules. Below them, the "figures" row beside the contact
# box, where each panel brings its own heading.
HOME_SECTIONS: tuple[tuple[str, Label], ...] = (
    ("disclosure", _("Information disclosure")),
    ("services", _("Public services")),
    ("interaction", _("Interaction")),
    ("news", _("News and bulletins")),
)
HOME_FIGURES = "figures"


@dataclass(frozen=True)
class HomePanel:
    key: str
    section: str
    template: str
    provider: Callable[[], Any] | None = None
    order: int = 100


_home: dict[str, HomePanel] = {}


def register_home_panel(
    key: str, provider: Callable[[], Any] | None = None, *, template: str, section: str, order: int = 100
) -> None:
    known = [k for k, _label in HOME_SECTIONS] + [HOME_FIGURES]
    if section not in known:
        raise ValueError(f"unknown home section {section!r}; one of {known}")
    _home[key] = HomePanel(key=key, section=section, template=template, provider=provider, order=order)


def home_panels(section: str) -> list[dict[str, Any]]:
    """The panels of ``section`` in order, each with what its provider returns now:
    ``[{"key", "template", "data"}]``."""
    panels = sorted((p for p in _home.values() if p.section == section), key=lambda p: (p.order, p.key))
    return [{"key": p.key, "template": p.template, "data": p.provider() if p.provider else None} for p in panels]


def home_sections() -> list[dict[str, Any]]:
    """The home page's columns with their panels: ``[{"key", "label", "panels"}]``."""
    return [{"key": key, "label": label, "panels": home_panels(key)} for key, label in HOME_SECTIONS]


# --- Dashboard tiles -----------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardTile:
    key: str
    label: Label
    provider: Callable[[Any], Any]
    url_name: str = ""
    order: int = 100
    visible: UserCheck | None = None


_tiles: dict[str, DashboardTile] = {}


def register_dashboard_tile(
    key: str,
    provider: Callable[[Any], Any],
    *,
    label: Label,
    url_name: str = "",
    order: int = 100,
    visible: UserCheck | None = None,
) -> None:
    _tiles[key] = DashboardTile(
        key=key, label=label, provider=provider, url_name=url_name, order=order, visible=visible
    )


def dashboard_tiles(user: Any) -> list[dict[str, Any]]:
    """The tiles ``user`` may see that have something to say: ``[{"key", "label", "value", "url"}]``."""
    tiles = []
    for tile in sorted(_tiles.values(), key=lambda t: (t.order, t.key)):
        if tile.visible is not None and not tile.visible(user):
            continue
        value = tile.provider(user)
        if value is None:
            continue
        tiles.append(
            {
                "key": tile.key,
                "label": tile.label,
                "value": value,
                "url": reverse(tile.url_name) if tile.url_name else "",
            }
        )
    return tiles
