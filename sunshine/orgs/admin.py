"""The system administrator's pages for organisations, memberships and terms.

Memberships are granted through ``membership_grant`` so that 三员分立, the
role/organisation fit and the second-person approval of identity roles are enforced
here exactly as everywhere else, and audited. Every admin write is in the audit log
(``AuditedModelAdmin``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.admin.display import machine_text
from sunshine.orgs.models import Membership, Organization, Term
from sunshine.orgs.services import membership_check, membership_grant, membership_revoke


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "code_text", "kind", "parent", "level", "ownership", "boarding", "handles_foi", "is_active"]
    list_filter = ["kind", "level", "ownership", "boarding", "is_active"]
    search_fields = ["name", "code", "short_name"]
    autocomplete_fields = ["parent"]
    exclude = ["path"]

    @admin.display(description=_("code"), ordering="code")
    def code_text(self, obj: Organization) -> SafeString | str:
        return machine_text(obj.code)


class MembershipForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "title", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        instance = self.instance
        if instance.pk is None and all(data.get(key) for key in ("user", "organization", "role")):
            membership_check(user=data["user"], organization=data["organization"], role=data["role"])
        elif instance.pk is not None and data.get("is_active") and "is_active" in self.changed_data:
            membership_check(user=instance.user, organization=instance.organization, role=instance.role)
        return data


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    form = MembershipForm
    list_display = ["user", "organization", "role", "title", "is_active", "pending", "approved_by", "created"]
    list_filter = ["role", "is_active", "pending"]
    search_fields = ["user__username", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj: Membership) -> Any:
        return obj.created_at

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            # Only is_active is editable on an existing membership: revoking and
            # re-granting go through the services (checked, approved, audited).
            if "is_active" in form.changed_data:
                if obj.is_active:
                    membership_grant(
                        actor=request.user, user=obj.user, organization=obj.organization, role=obj.role, title=obj.title
                    )
                else:
                    membership_revoke(actor=request.user, membership=obj)
            return
        saved = membership_grant(
            actor=request.user, user=obj.user, organization=obj.organization, role=obj.role, title=obj.title
        )
        obj.pk = saved.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "organization", "role", "title", "pending", "requested_by", "approved_by", "approved_at"]

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> Any:
        fields = ["user", "organization", "role", "title"]
        if obj is None:
            return fields
        return [*fields, "is_active", "pending", "requested_by", "approved_by", "approved_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # revoke instead: the history of who held a role stays


@admin.register(Term)
class TermAdmin(AuditedModelAdmin):
    list_display = ["bureau", "school_year", "season", "starts_on", "ends_on", "registration_date"]
    list_filter = ["season", "school_year"]
