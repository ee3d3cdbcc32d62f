from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionConfig(AppConfig):
    name = "sunshine.opinion"
    label = "opinion"
    verbose_name = _("Public-opinion monitoring")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.scheduler import register_periodic
        from sunshine.opinion import figures
        from sunshine.opinion.access import brief_readable, may_issue_brief
        from sunshine.opinion.brief import BRIEF_DOCUMENT
        from sunshine.opinion.demo import build_opinion_demo

        register_document_kind(
            BRIEF_DOCUMENT,
            label=_("daily opinion brief"),
            number_prefix="",
            number_pattern="〔{year}〕第{sequence}期",
            may_read=brief_readable,
            may_issue=may_issue_brief,
        )
        register_periodic("opinion-fetch", "sunshine.opinion.tasks.opinion_fetch_task", 300)
        register_demo_builder("opinion", build_opinion_demo, order=60)
        figures.register()
