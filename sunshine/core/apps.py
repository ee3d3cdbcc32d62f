from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sunshine.core"
    label = "core"
    verbose_name = _("Platform settings and records")

    def ready(self) -> None:
        from sunshine.core.issued import ISSUED_PURPOSE, issued_file_access
        from sunshine.core.uploads import register_file_access

        register_file_access(ISSUED_PURPOSE, issued_file_access)
