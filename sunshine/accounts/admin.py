"""The system administrator's page for user accounts (roles are memberships in orgs).

三员分立: the system administrator manages who has an account, never how anyone signs
in. There is no password field, no password-change form and no page of second
factors here: a new account gets no usable password, and the security administrator
issues the one-time enrolment link (``/accounts/security/``) with which the person
sets a password and an authenticator. django-otp's device pages (which would show
TOTP keys and recovery codes) are removed from the admin, and the platform's own
``Authenticator`` (its key encrypted at rest) is never registered. Every change is audited
(``AuditedModelAdmin``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunshine.accounts.models import User
from sunshine.core.admin.audited import AuditedModelAdmin

for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class UserCreateForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new account: who the person is, no password (they set it through the link)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):  # type: ignore[misc]
    list_display = ["username", "full_name", "phone", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_form = UserCreateForm
    add_form_template = None
    add_fieldsets = ((None, {"fields": ("username", "full_name", "phone", "email")}),)
    readonly_fields = ["last_login", "date_joined"]

    def get_urls(self) -> list[URLPattern]:
        # Django's UserAdmin adds "<id>/password/": the system administrator never sets a password.
        return admin.ModelAdmin.get_urls(self)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
