"""Public pages of opinion: the formal replies published to opinion events."""

from __future__ import annotations

from django.views.generic import ListView

from sunshine.opinion import access


class ReplyListView(ListView):
    """舆情回应: replies the bureau chose to publish (OPN-1)."""

    template_name = "opinion/public/reply_list.html"
    context_object_name = "events"
    paginate_by = 20

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.events_replied_public().order_by("-replied_at", "-pk")
