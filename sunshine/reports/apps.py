from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sunshine.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.reports.access import can_see_dashboard, summary_may_issue
        from sunshine.reports.demo import build_reports_demo
        from sunshine.reports.summary import SUMMARY_DOCUMENT

        register_workbench_entry(_("Leadership dashboard"), "reports:dashboard", order=5, visible=can_see_dashboard)
        register_home_panel(
            "reports-statistics", template="reports/home/statistics.html", section="disclosure", order=90
        )
        register_document_kind(
            SUMMARY_DOCUMENT,
            label=_("annual work summary"),
            number_prefix="{short_name}总结",
            may_issue=summary_may_issue,
        )
        register_demo_builder("reports", build_reports_demo, order=90)
