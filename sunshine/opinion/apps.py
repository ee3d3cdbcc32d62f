from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionConfig(AppConfig):
    name = "sunshine.opinion"
    label = "opinion"
    verbose_name = _("Public-opinion monitoring")

    def ready(self) -> None:
        from sunshine.core.demo import register_demo_builder
        from sunshine.core.scheduler import register_periodic
        from sunshine.opinion.demo import build_opinion_demo

        register_periodic("opinion-fetch", "sunshine.opinion.tasks.opinion_fetch_task", 300)
        register_demo_builder("opinion", build_opinion_demo, order=60)

        from sunshine.core.supervision import register_supervised
        from sunshine.opinion.models import Event

        register_supervised(Event, url=Event.get_absolute_url, label=_("Opinion event"))
