from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "sunshine.fees"
    label = "fees"
    verbose_name = _("School fees")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.core.uploads import register_file_access
        from sunshine.fees import figures
        from sunshine.fees.access import (
            can_use_workbench,
            ledger_file_access,
            refund_document_may_issue,
            refund_document_may_read,
        )
        from sunshine.fees.demo import build_fees_demo
        from sunshine.fees.poster import NOTICE_DOCUMENT
        from sunshine.fees.refund_notice import REFUND_DOCUMENT

        register_workbench_entry(_("Fee management"), "fees:workbench", order=20, visible=can_use_workbench)
        register_home_panel("fees-notices", template="fees/home/notices.html", section="services", order=10)
        register_file_access("fees.ledger", ledger_file_access, label=_("Fee ledger"))
        register_document_kind(NOTICE_DOCUMENT, label=_("fee notice"), number_prefix="{short_name}收费公告")
        register_document_kind(
            REFUND_DOCUMENT,
            label=_("refund order"),
            number_prefix="{short_name}清退",
            may_read=refund_document_may_read,
            may_issue=refund_document_may_issue,
        )
        register_demo_builder("fees", build_fees_demo, order=30)
        figures.register()
        from django.urls import reverse

        from sunshine.core.supervision import register_supervised
        from sunshine.fees.models import FeeNotice

        register_supervised(
            FeeNotice,
            url=lambda notice: reverse("fees:notice-staff", args=[notice.school_id, notice.term_id]),
            label=_("fee notice"),
        )
