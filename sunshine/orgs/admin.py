"""The system administrator's pages for organisations, memberships and terms.

Memberships are granted through ``membership_grant`` so that 三员分立 and the
role/organisation fit are enforced here exactly as everywhere else, and audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sunshine.core.audit import audit_record
from sunshine.orgs.models import Membership, Organization, Term
from sunshine.orgs.services import membership_check, membership_grant, membership_revoke


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every save and delete in the admin goes into the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "change" if change else "create"
        audit_record(
            actor=request.user,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_{action}",
            target=obj,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}_delete", target=obj)
        super().delete_model(request, obj)


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "parent", "level", "ownership", "boarding", "handles_foi", "is_active"]
    list_filter = ["kind", "level", "ownership", "boarding", "is_active"]
    search_fields = ["name", "code", "short_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


class MembershipForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "title", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and all(data.get(key) for key in ("user", "organization", "role")):
            membership_check(user=data["user"], organization=data["organization"], role=data["role"])
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MembershipForm
    list_display = ["user", "organization", "role", "title", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            # Only is_active is editable on an existing membership: revoking is audited.
            if "is_active" in form.changed_data and not obj.is_active:
                membership_revoke(actor=request.user, membership=obj)
            return
        saved = membership_grant(
            actor=request.user, user=obj.user, organization=obj.organization, role=obj.role, title=obj.title
        )
        obj.pk = saved.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["user", "organization", "role", "title"] if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> Any:
        fields = ["user", "organization", "role", "title"]
        return [*fields, "is_active"] if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # revoke instead: the history of who held a role stays


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ["bureau", "school_year", "season", "starts_on", "ends_on", "registration_date"]
    list_filter = ["season", "school_year"]
