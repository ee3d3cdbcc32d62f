from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "sunshine.funds"
    label = "funds"
    verbose_name = _("Special funds")

    def ready(self) -> None:
        from django.urls import reverse

        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_dashboard_tile, register_home_panel, register_workbench_entry
        from sunshine.core.scheduler import register_periodic
        from sunshine.core.seams import fund_project_open, fund_project_pay, fund_project_status
        from sunshine.core.supervision import register_supervised
        from sunshine.core.uploads import register_file_access
        from sunshine.funds import figures, receivers
        from sunshine.funds.access import (
            alerts_visible_to,
            can_use_workbench,
            evidence_file_access,
            import_file_access,
            statement_may_issue,
            statement_may_read,
        )
        from sunshine.funds.demo import build_funds_demo, build_funds_projects_demo
        from sunshine.funds.models import Allocation
        from sunshine.funds.services import EVIDENCE_PURPOSE, IMPORT_PURPOSE
        from sunshine.funds.statement import STATEMENT_DOCUMENT

        register_workbench_entry(_("Special funds"), "funds:workbench", order=35, visible=can_use_workbench)
        register_home_panel("funds-schools", template="funds/home/schools.html", section="disclosure", order=30)
        register_dashboard_tile(
            "funds-lagging",
            lambda user: alerts_visible_to(user).filter(cleared_on__isnull=True).count(),
            label=_("Allocations lagging their time schedule"),
            url_name="funds:workbench",
            order=35,
            visible=can_use_workbench,
        )
        register_file_access(EVIDENCE_PURPOSE, evidence_file_access, label=_("Evidence of project progress"))
        register_file_access(IMPORT_PURPOSE, import_file_access, label=_("Disbursement import"))
        register_document_kind(
            STATEMENT_DOCUMENT,
            label=_("funds statement"),
            number_prefix="{short_name}经费",
            may_read=statement_may_read,
            may_issue=statement_may_issue,
        )
        register_supervised(
            Allocation, url=lambda allocation: reverse("funds:allocation", args=[allocation.pk]), label=_("allocation")
        )
        register_periodic(
            "funds-lag",
            "sunshine.funds.tasks.funds_lag_task",
            86_400,
            label=_("Check funds against their time schedule"),
        )
        fund_project_open.register(receivers.project_open)
        fund_project_pay.register(receivers.project_pay)
        fund_project_status.register(receivers.project_status)
        register_demo_builder("funds", build_funds_demo, order=45)
        register_demo_builder("funds-projects", build_funds_projects_demo, order=65)
        figures.register()
