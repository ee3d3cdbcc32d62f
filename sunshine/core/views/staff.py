from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from sunshine.core.models import Notification, Supervision
from sunshine.core.notifications import notifications_unread
from sunshine.core.registry import dashboard_tiles
from sunshine.core.rules import rule_label
from sunshine.core.supervision import SupervisionLink, supervision_link, supervision_list_for, supervision_rag
from sunshine.orgs.access import is_staff_user, organizations_of, staff_roles_of
from sunshine.orgs.models import Role


def identity_of(user: Any) -> dict[str, Any]:
    """Display name, role labels and organisations of a signed-in user (empty otherwise)."""
    if not getattr(user, "is_authenticated", False):
        return {"name": "", "roles": [], "organizations": []}
    roles = sorted(staff_roles_of(user))
    return {
        "name": str(user),
        "roles": [Role(role).label if role in Role.values else role for role in roles],
        "organizations": list(organizations_of(user).order_by("path")),
    }


# How many items of each kind the workbench lists per module (the counts cover them all).
WORKBENCH_SHOWN = 10
WORKBENCH_READ = 500


@dataclass
class SupervisedRow:
    """One supervised item as the workbench shows it: what it is and where (``link``),
    what is asked (the clock's name) and by when (``due_at``), its colour."""

    item: Supervision
    rag: Any
    link: SupervisionLink
    asked: str
    due_at: datetime


@dataclass
class ModuleGroup:
    """The to-dos and supervised items of one module, with their counts."""

    key: str
    label: str
    notifications: list[Notification] = field(default_factory=list)
    supervised: list[SupervisedRow] = field(default_factory=list)
    notification_count: int = 0
    supervised_count: int = 0
    overdue_count: int = 0

    @property
    def count(self) -> int:
        return self.notification_count + self.supervised_count


OTHER_MODULE = "core"


def _module_label(key: str) -> str:
    if key == OTHER_MODULE or not apps.is_installed(f"sunshine.{key}"):
        return str(_("General"))
    return str(apps.get_app_config(key).verbose_name)


def _notification_module(note: Notification, supervision_modules: dict[int, str]) -> str:
    """The module a notice belongs to: its supervision's item, else the page it links to."""
    if note.supervision_id is not None and note.supervision_id in supervision_modules:
        return supervision_modules[note.supervision_id]
    if note.url:
        try:
            namespace = resolve(note.url.split("?", 1)[0]).namespace.split(":", 1)[0]
        except Resolver404:
            namespace = ""
        if namespace and apps.is_installed(f"sunshine.{namespace}"):
            return namespace
    return OTHER_MODULE


def workbench_groups(user: Any, now: datetime) -> list[ModuleGroup]:
    """The user's unread notices and open supervised items grouped by module (the app
    of the supervised item, or of the page a notice links to), with counts; each
    supervised item says what is asked (``rule_label`` of its clock) and by when."""
    groups: dict[str, ModuleGroup] = {}

    def group(key: str) -> ModuleGroup:
        if key not in groups:
            groups[key] = ModuleGroup(key=key, label=_module_label(key))
        return groups[key]

    open_items = (
        supervision_list_for(user)
        .filter(status=Supervision.Status.OPEN)
        .select_related("content_type", "organization")
        .order_by("due_at", "pk")[:WORKBENCH_READ]
    )
    modules: dict[int, str] = {}
    for item in open_items:
        key = item.content_type.app_label
        modules[item.pk] = key
        g = group(key)
        g.supervised_count += 1
        rag = supervision_rag(item, now)
        if str(rag) == "red":
            g.overdue_count += 1
        if len(g.supervised) < WORKBENCH_SHOWN:
            g.supervised.append(
                SupervisedRow(
                    item=item,
                    rag=rag,
                    link=supervision_link(item),
                    asked=rule_label(item.rule_id),
                    due_at=item.due_at,
                )
            )
    for note in notifications_unread(user).select_related("supervision")[:WORKBENCH_READ]:
        g = group(_notification_module(note, modules))
        g.notification_count += 1
        if len(g.notifications) < WORKBENCH_SHOWN:
            g.notifications.append(note)
    return sorted(groups.values(), key=lambda g: (g.key == OTHER_MODULE, -g.overdue_count, -g.count, g.label))


class WorkbenchView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """工作台: the staff home page, for users holding an organisation role (anonymous
    visitors go to the login page; a public account gets 403): to-dos and supervised
    items grouped by module with their counts, and the dashboard tiles the modules
    register (``core.registry``)."""

    template_name = "core/staff/workbench.html"

    def test_func(self) -> bool:
        return is_staff_user(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity"] = identity_of(self.request.user)
        context["groups"] = workbench_groups(self.request.user, timezone.now())
        context["tiles"] = dashboard_tiles(self.request.user)
        return context
