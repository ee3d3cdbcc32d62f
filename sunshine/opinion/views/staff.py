"""Staff pages of opinion monitoring (舆情监测): workbench, sources, posts, events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from sunshine.core.forms import PrivacyReviewForm, privacy_review_context
from sunshine.core.issued import document_get
from sunshine.core.privacy import PersonalDataFound
from sunshine.core.seams import SeamUnavailable
from sunshine.core.supervision import supervision_rag
from sunshine.core.views.files import issued_document_response
from sunshine.opinion import access, services
from sunshine.opinion.brief import BRIEF_DOCUMENT, brief_figures
from sunshine.opinion.forms import EventAssignForm, EventMergeForm, EventPetitionForm, EventReplyForm, EventTextForm
from sunshine.opinion.models import Event, Source, Stance, Topic
from sunshine.opinion.rules import unit_suggested, units_accused

RISING_POSTS = 3  # posts within 24 hours that make an event "rising"


class MonitorMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self) -> bool:
        return access.can_monitor(self.request.user)  # type: ignore[attr-defined]


def _bars(rows: list[tuple[str, int]], width: int = 320) -> list[dict[str, Any]]:
    top = max((n for _label, n in rows), default=0) or 1
    return [
        {"label": label, "count": n, "width": max(2, round(width * n / top)), "y": i * 26}
        for i, (label, n) in enumerate(rows)
    ]


class WorkbenchView(MonitorMixin, TemplateView):
    """舆情工作台: today's posts and events, trends by topic and school, rising-event
    alerts and the daily brief."""

    template_name = "opinion/staff/workbench.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        posts = access.posts_visible_to(user)
        events = access.events_visible_to(user)
        since = now - timedelta(days=14)
        topic_rows = (
            posts.filter(education=True, published_at__gte=since).values("topic").annotate(n=Count("pk")).order_by("-n")
        )
        labels = dict(Topic.choices)
        school_rows = (
            posts.filter(education=True, published_at__gte=since, organizations__isnull=False)
            .values("organizations__name")
            .annotate(n=Count("pk"))
            .order_by("-n")[:10]
        )
        live = events.filter(status__in=list(Event.LIVE)).order_by("-severity", "-last_seen")[:30]
        rising = (
            events.filter(status__in=list(Event.LIVE))
            .annotate(recent=Count("posts", filter=Q(posts__published_at__gte=now - timedelta(hours=24))))
            .filter(Q(recent__gte=RISING_POSTS) | Q(severity__gte=services.alert_severity()))
            .order_by("-severity")[:10]
        )
        # The daily brief's figures for today, from the same function and the same posts
        # and events the brief of today reads: the two always agree.
        context.update(
            {
                "today": {
                    key.removeprefix("opinion.brief."): value
                    for key, value in brief_figures(day=timezone.localdate(now), posts=posts, events=events).items()
                },
                "to_review": access.posts_to_review(user).count(),
                "live_events": [(e, _rags(e, now)) for e in live],
                "rising": rising,
                "topic_bars": _bars([(str(labels.get(r["topic"], r["topic"])), r["n"]) for r in topic_rows]),
                "school_bars": _bars([(r["organizations__name"], r["n"]) for r in school_rows]),
                "failing_sources": access.sources_visible_to(user).exclude(last_error=""),
            }
        )
        context["topic_height"] = len(context["topic_bars"]) * 26
        context["school_height"] = len(context["school_bars"]) * 26
        return context


def _rags(event: Event, now: Any) -> list[tuple[Any, str]]:
    return [(s, supervision_rag(s, now)) for s in services.event_supervisions(event)]


class BriefListView(MonitorMixin, TemplateView):
    """舆情日报: the briefs issued, and issuing today's (again, when the day has moved on)."""

    template_name = "opinion/staff/briefs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["briefs"] = services.briefs_of(self.request.user)
        context["today"] = timezone.localdate()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        bureaus = access.bureaus_of(request.user)
        if not bureaus:
            raise PermissionDenied
        document = services.brief_issue(bureau=bureaus[0], day=timezone.localdate(), actor=request.user)
        messages.success(request, _("The daily brief %(number)s is issued.") % {"number": document.number})
        return HttpResponseRedirect(reverse("opinion:brief"))


class BriefDownloadView(MonitorMixin, View):
    """An issued brief: the recorded bytes, as the units received it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        document = document_get(user=request.user, pk=pk)
        if document.kind != BRIEF_DOCUMENT:
            raise Http404
        return issued_document_response(document, actor=request.user)


class SourceListView(MonitorMixin, ListView):
    template_name = "opinion/staff/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.sources_visible_to(self.request.user).annotate(n_posts=Count("posts"))

    def post(self, request: HttpRequest) -> HttpResponse:
        bureaus = access.bureaus_of(request.user)
        try:
            source = services.source_create(
                actor=request.user,
                name=request.POST.get("name", "").strip(),
                kind=request.POST.get("kind", ""),
                url=request.POST.get("url", "").strip(),
                bureau=bureaus[0] if bureaus else None,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Source “%(name)s” added.") % {"name": source.name})
        return HttpResponseRedirect(reverse("opinion:source-list"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = Source.Kind.choices
        return context


class SourceFetchView(MonitorMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(access.sources_visible_to(request.user), pk=pk)
        if source.kind not in Source.FETCHED_KINDS:
            messages.error(request, _("Only feeds and web pages are fetched."))
        else:
            outcome = services.source_fetch(source=source, actor=request.user)
            if outcome.ok:
                messages.success(
                    request,
                    _("Fetched: %(added)s new posts, %(dups)s already stored.")
                    % {"added": outcome.added, "dups": outcome.duplicates},
                )
            else:
                messages.error(request, _("The source failed: %(error)s") % {"error": outcome.error})
        return HttpResponseRedirect(reverse("opinion:source-list"))


class SourceImportView(MonitorMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(access.sources_visible_to(request.user), pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            try:
                batch = services.posts_import(
                    source=source, filename=upload.name or "", body=upload.read(), actor=request.user
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("Imported: %(added)s new, %(dups)s already stored, %(refused)s refused.")
                    % {"added": batch.added, "dups": batch.duplicates, "refused": batch.refused},
                )
                for error in batch.errors[:10]:
                    messages.warning(request, error)
        return HttpResponseRedirect(reverse("opinion:source-list"))


class PostListView(MonitorMixin, ListView):
    """Posts, newest first: about education only, every post (``all=1``), or those still
    to be reviewed with the least sure first (``review=1``)."""

    template_name = "opinion/staff/post_list.html"
    context_object_name = "posts"
    paginate_by = 50

    def mode(self) -> str:
        if self.request.GET.get("review") == "1":
            return "review"
        return "all" if self.request.GET.get("all") == "1" else ""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = self.request.user
        if self.mode() == "review":
            posts = access.posts_to_review(user)
        elif self.mode() == "all":
            posts = access.posts_visible_to(user).order_by("-published_at", "-pk")
        else:
            posts = access.posts_visible_to(user).filter(education=True).order_by("-published_at", "-pk")
        return posts.select_related("source", "event", "reviewed_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "topics": Topic.choices,
                "stances": Stance.choices,
                "mode": self.mode(),
                "here": self.request.get_full_path(),
                "to_review": access.posts_to_review(self.request.user).count(),
            }
        )
        return context


class PostReviewView(MonitorMixin, View):
    """A monitor confirms or corrects a post's judgements; back to where they were."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        post = get_object_or_404(access.posts_visible_to(request.user), pk=pk)
        education = request.POST.get("education") == "1"
        try:
            services.post_review(
                post=post,
                actor=request.user,
                education=education,
                topic=request.POST.get("topic", ""),
                stance=request.POST.get("stance", ""),
            )
            messages.success(request, _("Review saved."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = reverse("opinion:post-list")
        return HttpResponseRedirect(back)


class EventDetailView(LoginRequiredMixin, DetailView):
    template_name = "opinion/staff/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.events_visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event: Event = self.object
        user = self.request.user
        now = timezone.now()
        other_events = list(
            access.events_visible_to(user)
            .filter(status__in=[Event.Status.NEW, Event.Status.ASSIGNED])
            .exclude(pk=event.pk)[:50]
        )
        units = access.units_assignable(event)
        accused, suggested = units_accused(event), unit_suggested(event)
        context["forms"] = {
            "assign": EventAssignForm(units=units, suggested=suggested),
            "instruct": EventTextForm(key="instruct", label=_("Leader's instruction")),
            "inform": EventTextForm(key="inform", label=_("Authoritative information released (5 h)")),
            "statement": EventTextForm(key="statement", label=_("Press statement issued (24 h)")),
            "investigate": EventTextForm(
                key="investigate", label=_("Investigation note"), name="note", initial_text=event.investigation
            ),
            "reply": EventReplyForm(),
            "petition": EventPetitionForm(),
            "merge": EventMergeForm(others=access.events_visible_to(user).filter(pk__in=[e.pk for e in other_events])),
        }
        context.update(
            {
                "posts": event.posts.select_related("source").order_by("published_at"),
                "supervisions": _rags(event, now),
                "instructions": [i for s in services.event_supervisions(event) for i in s.instructions.all()],
                "can_monitor": access.can_monitor(user),
                "can_lead": access.can_lead(user),
                "may_handle": access.may_handle(user, event),
                "named": event.organizations.all(),
                "accused": accused,
                "suggested": suggested,
                "other_events": other_events,
            }
        )
        return context


class EventActionView(LoginRequiredMixin, View):
    """POST actions on an event: assign, instruct, investigate, reply, close, petition,
    merge, split. Refusals come back as messages; nothing changes."""

    MONITOR_ONLY = frozenset({"assign", "close", "petition", "merge", "split"})

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        event = get_object_or_404(access.events_visible_to(request.user), pk=pk)
        user = request.user
        data = request.POST
        if not access.may_handle(user, event) or (action in self.MONITOR_ONLY and not access.can_monitor(user)):
            raise PermissionDenied
        target = event
        try:
            if action == "assign":
                # Any unit of the bureau: the service refuses an accused one and names its superior.
                unit = get_object_or_404(access.units_of_bureau(event), pk=data.get("organization") or 0)
                services.event_assign(event=event, organization=unit, actor=user, major=data.get("major") == "on")
                messages.success(request, _("Assigned to %(unit)s under supervision.") % {"unit": unit.name})
            elif action == "instruct":
                services.event_instruct(event=event, author=user, text=data.get("text", ""))
                messages.success(request, _("Instruction recorded."))
            elif action in ("inform", "statement"):
                act = services.event_inform if action == "inform" else services.event_statement
                act(event=event, actor=user, text=data.get("text", ""))
                messages.success(request, _("Recorded; its clock has stopped."))
            elif action == "investigate":
                services.event_investigate(event=event, actor=user, note=data.get("note", ""))
                messages.success(request, _("Investigation note saved."))
            elif action == "reply":
                public = data.get("public") == "on"
                review_form = PrivacyReviewForm(data)
                (text,), review = review_form.take_redaction(data.get("text", ""))
                try:
                    services.event_reply(event=event, actor=user, text=text, public=public, review=review)
                except PersonalDataFound as found:
                    return self._reply_refused(request, event, found, text=text, review_form=review_form)
                messages.success(request, _("Formal reply recorded; the clock has stopped."))
            elif action == "close":
                services.event_close(event=event, actor=user, reason=data.get("reason", ""))
                messages.success(request, _("Event closed."))
            elif action == "petition":
                services.event_to_petition(
                    event=event, actor=user, kind=data.get("kind", "complaint"), request=data.get("request", "")
                )
                messages.success(request, _("Turned into a petition case."))
            elif action == "merge":
                others = list(access.events_visible_to(user).filter(pk__in=data.getlist("events")))
                services.event_merge(target=event, others=others, actor=user)
                messages.success(request, _("Events merged."))
            elif action == "split":
                posts = list(access.posts_visible_to(user).filter(event=event, pk__in=data.getlist("posts")))
                target = services.event_split(event=event, posts=posts, actor=user)
                messages.success(request, _("Posts moved to a new event."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except SeamUnavailable:
            messages.error(request, _("The petitions module is not installed; the case could not be registered."))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."))
        return HttpResponseRedirect(reverse("opinion:event-detail", kwargs={"pk": target.pk}))

    def _reply_refused(
        self, request: HttpRequest, event: Event, found: PersonalDataFound, *, text: str, review_form: PrivacyReviewForm
    ) -> HttpResponse:
        """The event's page again, with the gate's findings and the reviewer's choices
        (core/privacy/review.html) above the reply as written; nothing was recorded."""
        page = EventDetailView()
        page.setup(request, pk=event.pk)
        page.object = event
        context = page.get_context_data(object=event)
        context["forms"]["reply"] = EventReplyForm(request.POST)
        review = review_form.review()
        context.update(
            privacy_review_context(
                found,
                form=PrivacyReviewForm(request.POST, found=found),
                preview=[(pgettext("publication part", "reply"), review.redact(text))],
                carry=[("text", text), ("public", "on")],
            )
        )
        return render(request, EventDetailView.template_name, context, status=400)
