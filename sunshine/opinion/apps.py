from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionConfig(AppConfig):
    name = "sunshine.opinion"
    label = "opinion"
    verbose_name = _("Public-opinion monitoring")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_dashboard_tile, register_home_panel, register_workbench_entry
        from sunshine.core.scheduler import register_periodic
        from sunshine.opinion import figures
        from sunshine.opinion.access import brief_readable, can_monitor, may_issue_brief, posts_to_review
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
        register_workbench_entry(_("Opinion monitoring"), "opinion:workbench", order=40, visible=can_monitor)
        register_home_panel("opinion-replies", template="opinion/home/replies.html", section="interaction", order=20)
        register_dashboard_tile(
            "opinion-to-review",
            lambda user: posts_to_review(user).count(),
            label=_("Posts waiting for review"),
            url_name="opinion:post-list",
            visible=can_monitor,
        )
        register_periodic(
            "opinion-fetch", "sunshine.opinion.tasks.opinion_fetch_task", 300, label=_("Fetch public-opinion sources")
        )
        register_demo_builder("opinion", build_opinion_demo, order=60)
        figures.register()

        from sunshine.core.supervision import register_supervised, register_supervision_exclusion
        from sunshine.opinion.models import Event
        from sunshine.opinion.rules import accused_exclusion

        register_supervised(Event, url=Event.get_absolute_url, label=_("Opinion event"))
        # OPN-1: the unit the posts accuse steps aside from the event's clocks.
        register_supervision_exclusion(Event, accused_exclusion)
