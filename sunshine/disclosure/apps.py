from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "sunshine.disclosure"
    label = "disclosure"
    verbose_name = _("Disclosure and FOI requests")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.scheduler import register_periodic
        from sunshine.core.seams import register_home_provider
        from sunshine.core.search import search_register
        from sunshine.core.uploads import register_file_access
        from sunshine.disclosure import access, services
        from sunshine.disclosure.demo import build_disclosure_demo
        from sunshine.disclosure.selectors import bulletins_latest

        search_register(services.SEARCH_PUBLIC, label=_("Disclosure"))
        search_register(services.SEARCH_DRAFT, label=_("Disclosure working copy"), check=access.search_hit_visible)
        register_file_access(services.ATTACHMENT_PURPOSE, access.attachment_readable)
        register_periodic("disclosure-publish-due", "sunshine.disclosure.tasks.documents_publish_due_task", 60)
        register_demo_builder("disclosure", build_disclosure_demo, order=40)
        register_home_provider("bulletins", bulletins_latest)
        from sunshine.core.supervision import register_supervised
        from sunshine.disclosure.models import FoiRequest

        register_supervised(FoiRequest, url=FoiRequest.get_absolute_url, label=_("FOI request"))
