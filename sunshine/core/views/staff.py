from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.utils import timezone
from django.views.generic import TemplateView

from sunshine.core.models import Supervision
from sunshine.core.notifications import notifications_unread
from sunshine.core.registry import dashboard_tiles
from sunshine.core.supervision import supervision_link, supervision_list_for, supervision_rag
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


class WorkbenchView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """工作台: the staff home page, for users holding an organisation role (anonymous
    visitors go to the login page; a public account gets 403): to-dos, supervised items,
    and the dashboard tiles the modules register (``core.registry``)."""

    template_name = "core/staff/workbench.html"

    def test_func(self) -> bool:
        return is_staff_user(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity"] = identity_of(self.request.user)
        user = self.request.user
        now = timezone.now()
        context["notifications"] = list(notifications_unread(user)[:20])
        open_items = supervision_list_for(user).filter(status=Supervision.Status.OPEN)[:20]
        context["supervision_items"] = [
            (item, supervision_rag(item, now), supervision_link(item)) for item in open_items
        ]
        context["tiles"] = dashboard_tiles(user)
        return context
