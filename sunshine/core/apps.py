from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sunshine.core"
    label = "core"
    verbose_name = _("Platform settings and records")

    def ready(self) -> None:
        # The empty choice of every select box, in forms and in the admin alike (Django
        # lets an app's ready() set it): a label the catalogue translates.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("Please choose")
