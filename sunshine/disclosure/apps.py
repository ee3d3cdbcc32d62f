from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "sunshine.disclosure"
    label = "disclosure"
    verbose_name = _("Disclosure and FOI requests")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.core.scheduler import register_periodic
        from sunshine.core.seams import disclosure_entry_publish
        from sunshine.core.search import search_register
        from sunshine.core.uploads import register_file_access
        from sunshine.disclosure import access, figures, services
        from sunshine.disclosure.demo import build_disclosure_demo
        from sunshine.disclosure.letters import FOI_REPLY_DOCUMENT
        from sunshine.disclosure.selectors import bulletins_latest

        disclosure_entry_publish.register(services.entry_publish_receive)
        search_register(services.SEARCH_PUBLIC, label=_("Disclosure"))
        search_register(services.SEARCH_DRAFT, label=_("Disclosure working copy"), check=access.search_hit_visible)
        register_file_access(
            services.ATTACHMENT_PURPOSE, access.attachment_readable, label=_("Attachment of a disclosed document")
        )
        register_document_kind(
            FOI_REPLY_DOCUMENT,
            label=_("FOI reply letter"),
            number_prefix="{short_name}依申请公开",
            may_read=access.foi_letter_readable,
            may_issue=lambda actor, organization: access.foi_bureaus_of(actor).filter(pk=organization.pk).exists(),
        )
        register_periodic(
            "disclosure-publish-due",
            "sunshine.disclosure.tasks.documents_publish_due_task",
            60,
            label=_("Publish documents whose time has come"),
        )
        register_periodic(
            "disclosure-annual-report",
            "sunshine.disclosure.tasks.foi_reports_prepare_task",
            86400,
            label=_("Annual disclosure reports prepared in January"),
        )
        from sunshine.disclosure.report import ANNUAL_REPORT_DOCUMENT

        register_document_kind(
            ANNUAL_REPORT_DOCUMENT,
            label=_("annual disclosure report"),
            number_prefix="{short_name}政务公开年报",
            may_issue=lambda actor, organization: access.foi_bureaus_of(actor).filter(pk=organization.pk).exists(),
        )
        register_demo_builder("disclosure", build_disclosure_demo, order=40)
        register_workbench_entry(
            _("Government disclosure"), "disclosure:workbench", order=30, visible=access.may_use_workbench
        )
        register_home_panel("disclosure-catalogue", template="disclosure/home/catalogue.html", section="disclosure")
        register_home_panel("disclosure-foi", template="disclosure/home/foi.html", section="services", order=20)
        register_home_panel(
            "disclosure-bulletins", bulletins_latest, template="disclosure/home/bulletins.html", section="news"
        )
        figures.register()
        from sunshine.core.supervision import register_supervised
        from sunshine.disclosure.models import Document, FoiRequest

        register_supervised(FoiRequest, url=FoiRequest.get_absolute_url, label=_("FOI request"))
        register_supervised(
            Document,
            url=lambda document: reverse("disclosure:staff-document", kwargs={"pk": document.pk}),
            label=_("information to disclose"),
        )
        from sunshine.disclosure.models import AnnualReport

        register_supervised(AnnualReport, url=AnnualReport.get_absolute_url, label=_("annual disclosure report"))
