from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "sunshine.petitions"
    label = "petitions"
    verbose_name = _("Petitions and reports")

    def ready(self) -> None:
        """Wire petitions into core: the intake seam, the workbench menu and home panels, file
        access, the reply as an issued document, the daily job, the demo, the PET-10 figures."""
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.core.scheduler import register_periodic
        from sunshine.core.seams import petition_intake
        from sunshine.core.uploads import register_file_access
        from sunshine.orgs.access import is_staff_user
        from sunshine.petitions import figures
        from sunshine.petitions.access import attachment_access, reply_document_access
        from sunshine.petitions.demo import build_petitions_demo
        from sunshine.petitions.documents import REPLY_DOCUMENT
        from sunshine.petitions.selectors import petition_public_summary
        from sunshine.petitions.services import ATTACHMENT_PURPOSE, petition_intake_receive
        from sunshine.petitions.views.staff import may_use_workbench

        petition_intake.register(petition_intake_receive, pages={"receipt": "petitions:receipt"})
        register_workbench_entry(_("Petitions and reports"), "petitions:workbench", order=10, visible=may_use_workbench)
        register_home_panel(
            "petitions-letters", template="petitions/home/letters.html", section="interaction", order=10
        )
        register_home_panel(
            "petitions-figures", petition_public_summary, template="petitions/home/figures.html", section="figures"
        )
        register_file_access(ATTACHMENT_PURPOSE, attachment_access, label=_("Petition attachment"))
        # The reply is issued in the bureau's name by whoever handles the case (a school's
        # clerk included): ``petition_reply`` checks that right; its readers follow PET-9.
        register_document_kind(
            REPLY_DOCUMENT,
            label=_("written reply"),
            number_prefix="{initial}教信",
            may_read=reply_document_access,
            may_issue=lambda actor, organization: is_staff_user(actor),
        )
        register_periodic(
            "petitions-daily",
            "sunshine.petitions.tasks.petitions_daily_task",
            24 * 3600,
            label=_("Daily petition checks"),
        )
        register_demo_builder("petitions", build_petitions_demo, order=20)
        figures.register()

        from django.urls import reverse

        from sunshine.core.supervision import register_supervised, register_supervision_exclusion
        from sunshine.petitions.access import supervision_exclusion
        from sunshine.petitions.models import Petition

        register_supervised(Petition, url=lambda p: reverse("petitions:case", kwargs={"pk": p.pk}), label=_("Petition"))
        register_supervision_exclusion(Petition, supervision_exclusion)
