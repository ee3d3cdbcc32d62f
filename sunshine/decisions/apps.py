from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "sunshine.decisions"
    label = "decisions"
    verbose_name = _("Major decisions")

    def ready(self) -> None:
        from django.urls import reverse

        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_dashboard_tile, register_home_panel, register_workbench_entry
        from sunshine.core.supervision import register_supervised
        from sunshine.core.uploads import register_file_access
        from sunshine.decisions import figures
        from sunshine.decisions.access import (
            can_see_red_flags,
            can_use_workbench,
            material_file_access,
            minutes_may_issue,
            minutes_may_read,
            report_may_read,
        )
        from sunshine.decisions.demo import build_decisions_demo
        from sunshine.decisions.models import Consultation, Task, TitleRound
        from sunshine.decisions.paperwork import MINUTES_DOCUMENT, REPORT_DOCUMENT
        from sunshine.decisions.selectors import open_consultations, red_flag_count
        from sunshine.decisions.services import MATERIAL_PURPOSE

        register_workbench_entry(_("Major decisions"), "decisions:workbench", order=40, visible=can_use_workbench)
        register_dashboard_tile(
            "decisions-red-flags",
            red_flag_count,
            label=_("Red flags of tenders and purchases"),
            url_name="decisions:red-flags",
            visible=can_see_red_flags,
        )
        register_home_panel(
            "decisions-consultations",
            open_consultations,
            template="decisions/home/consultations.html",
            section="interaction",
            order=30,
        )
        register_file_access(MATERIAL_PURPOSE, material_file_access, label=_("Decision material"))
        register_document_kind(
            MINUTES_DOCUMENT,
            label=_("meeting minutes"),
            number_prefix="{short_name}纪要",
            may_read=minutes_may_read,
            may_issue=minutes_may_issue,
        )
        register_document_kind(
            REPORT_DOCUMENT,
            label=_("consultation report"),
            number_prefix="{short_name}征求意见",
            may_read=report_may_read,
            may_issue=minutes_may_issue,
        )
        register_supervised(
            Consultation,
            url=lambda c: reverse("decisions:consultation", args=[c.pk]),
            label=_("public consultation"),
        )
        register_supervised(Task, url=lambda t: reverse("decisions:item", args=[t.item_id]), label=_("decision task"))
        register_supervised(
            TitleRound, url=lambda r: reverse("decisions:round", args=[r.pk]), label=_("promotion or title round")
        )
        register_demo_builder("decisions", build_decisions_demo, order=60)
        figures.register()
