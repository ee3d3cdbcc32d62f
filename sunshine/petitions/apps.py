from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "sunshine.petitions"
    label = "petitions"
    verbose_name = _("Petitions and reports")

    def ready(self) -> None:
        """Wire petitions into core: the intake seam, file access, the daily job, the demo."""
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.scheduler import register_periodic
        from sunshine.core.seams import register_home_provider, register_petition_intake
        from sunshine.core.uploads import register_file_access
        from sunshine.petitions.access import attachment_access
        from sunshine.petitions.demo import build_petitions_demo
        from sunshine.petitions.selectors import petition_public_summary
        from sunshine.petitions.services import ATTACHMENT_PURPOSE, petition_intake_handler

        register_petition_intake(petition_intake_handler)
        register_home_provider("figures", petition_public_summary)
        register_file_access(ATTACHMENT_PURPOSE, attachment_access)
        register_periodic("petitions-daily", "sunshine.petitions.tasks.petitions_daily_task", 24 * 3600)
        register_demo_builder("petitions", build_petitions_demo, order=20)

        from django.urls import reverse

        from sunshine.core.supervision import register_supervised, register_supervision_exclusion
        from sunshine.petitions.access import supervision_exclusion
        from sunshine.petitions.models import Petition

        register_supervised(Petition, url=lambda p: reverse("petitions:case", kwargs={"pk": p.pk}), label=_("Petition"))
        register_supervision_exclusion(Petition, supervision_exclusion)
