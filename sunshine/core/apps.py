from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sunshine.core"
    label = "core"
    verbose_name = _("Platform settings and records")

    def ready(self) -> None:
        """Core's own pieces: issued documents' file access, and its workbench entries: the
        workbench home, and each administrator's page only for the role that holds it (三员分立)."""
        from django.db.models import fields

        from sunshine.core.issued import ISSUED_PURPOSE, issued_file_access
        from sunshine.core.registry import register_workbench_entry
        from sunshine.core.uploads import register_file_access
        from sunshine.orgs.access import can_manage_security, can_manage_users, can_read_audit

        register_file_access(ISSUED_PURPOSE, issued_file_access, label=_("Issued document"))
        register_workbench_entry(_("Workbench home"), "core:workbench", order=0)
        register_workbench_entry(_("System administration"), "admin:index", order=900, visible=can_manage_users)
        register_workbench_entry(
            _("Security administration"), "accounts:security", order=910, visible=can_manage_security
        )
        register_workbench_entry(_("Audit log"), "core:audit-list", order=920, visible=can_read_audit)
        # The empty choice of every select box, in forms and in the admin alike (Django
        # lets an app's ready() set it): a label the catalogue translates.
        fields.BLANK_CHOICE_LABEL = _("Please choose")
