from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "sunshine.oversight"
    label = "oversight"
    verbose_name = _("Supervision and evaluation")

    def ready(self) -> None:
        from django.urls import reverse

        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.core.seams import fee_violation_confirmed, rectification_request
        from sunshine.core.supervision import register_supervised
        from sunshine.core.uploads import register_file_access
        from sunshine.oversight import access, figures, services
        from sunshine.oversight.bulletin import BULLETIN_DOCUMENT
        from sunshine.oversight.demo import build_oversight_demo
        from sunshine.oversight.models import Circular, RectificationItem

        rectification_request.subscribe("oversight.rectification", services.rectification_request_receive)
        fee_violation_confirmed.subscribe("oversight.veto", services.fee_violation_receive)
        register_workbench_entry(
            _("Supervision and evaluation"), "oversight:workbench", order=40, visible=access.can_use_workbench
        )
        register_home_panel("oversight-bulletins", template="oversight/home/bulletins.html", section="news", order=50)
        register_file_access("oversight.evidence", access.evidence_file_access, label=_("Rectification evidence"))
        register_file_access("oversight.photo", access.photo_file_access, label=_("Inspection photo"))
        register_file_access("oversight.pledge", access.pledge_file_access, label=_("Signed pledge"))
        register_file_access("oversight.attendance", access.attendance_file_access, label=_("Attendance list"))
        register_file_access("oversight.talk", access.talk_file_access, label=_("Signed record of a talk"))
        register_document_kind(
            BULLETIN_DOCUMENT,
            label=_("evaluation bulletin"),
            number_prefix="{short_name}考评通报",
            may_issue=access.bulletin_may_issue,
        )
        register_supervised(
            RectificationItem,
            url=lambda item: reverse("oversight:order-detail", args=[item.order_id]),
            label=_("rectification item"),
        )
        register_supervised(
            "oversight.circularconfirmation",
            url=lambda c: reverse("oversight:circular-detail", args=[c.circular_id]),
            label=_("circulated document"),
        )
        del Circular
        register_demo_builder("oversight", build_oversight_demo, order=60)
        figures.register()
