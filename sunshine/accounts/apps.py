from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sunshine.accounts"
    label = "accounts"
    verbose_name = _("Accounts and sign-in")
    default = True

    def ready(self) -> None:
        from sunshine.accounts import receivers

        receivers.connect()


class SunshineAdminConfig(admin_apps.AdminConfig):
    """Use in INSTALLED_APPS instead of "django.contrib.admin": the admin site then
    admits only OTP-verified system administrators."""

    default = False
    default_site = "sunshine.accounts.admin_site.SunshineAdminSite"
