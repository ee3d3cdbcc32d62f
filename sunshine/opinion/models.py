"""Public-opinion monitoring (网上舆情监测): sources, posts, events.

A :class:`Source` is fetched on a schedule (``services.source_fetch``); each item it
yields becomes one :class:`Post`, stored once (unique ``key`` = hash of source and the
item's guid or URL). Every post is classified (``classify.py``: education, topic,
stance, each with a confidence) and grouped into an :class:`Event` with its
near-duplicates (``grouping.py``). An event is handled under supervision with the
OPN-1 clock (``services.event_assign``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sunshine.core.models import StatefulModel


class Topic(models.TextChoices):
    FEES = "fees", _("fees")
    ENROLLMENT = "enrollment", _("enrollment")
    CONDUCT = "conduct", _("teachers' conduct")
    BURDEN = "burden", _("study burden")
    SAFETY = "safety", _("safety")
    FOOD = "food", _("school food")
    STAFF = "staff", _("teachers' pay and staffing")
    FACILITIES = "facilities", _("facilities")
    OTHER = "other", _("other")


class Stance(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    REQUEST = "request", _("request")
    SUGGESTION = "suggestion", _("suggestion")
    PRAISE = "praise", _("praise")


class Source(models.Model):
    """Where posts come from (信息源)."""

    class Kind(models.TextChoices):
        FEED = "feed", _("RSS / Atom feed")
        PAGE = "page", _("web page")
        IMPORT = "import", _("import (CSV / JSON / Excel)")
        MANUAL = "manual", _("manual entry")

    FETCHED_KINDS = frozenset({Kind.FEED, Kind.PAGE})

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    url = models.CharField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("http(s):// address, or file:// for a feed shipped with the product."),
    )
    bureau = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="opinion_sources",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    interval_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=60)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last fetched without error"), null=True, blank=True)
    next_fetch_at = models.DateTimeField(_("next fetch"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        return bool(self.last_error)


class Event(StatefulModel):
    """A group of posts about one matter (舆情事件)."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")
        MERGED = "merged", _("merged")

    ALLOWED = {
        Status.NEW: frozenset({Status.ASSIGNED, Status.CLOSED, Status.MERGED}),
        Status.ASSIGNED: frozenset({Status.ANSWERED, Status.MERGED}),
        Status.ANSWERED: frozenset({Status.ASSIGNED, Status.CLOSED}),
        Status.CLOSED: frozenset(),
        Status.MERGED: frozenset(),
    }
    LIVE = frozenset({Status.NEW, Status.ASSIGNED, Status.ANSWERED})

    bureau = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="opinion_events",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, blank=True)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices, blank=True)
    first_seen = models.DateTimeField(_("first seen"), db_index=True)
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    posts_count = models.PositiveIntegerField(_("posts"), default=0)
    sources_count = models.PositiveIntegerField(_("sources"), default=0)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    severity = models.PositiveIntegerField(_("severity"), default=0)
    major = models.BooleanField(_("major incident"), default=False)
    organizations = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("schools and departments named"), blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_events_responsible",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    investigation = models.TextField(_("investigation note"), blank=True)
    # OPN-1, major incident: each act stops its own clock.
    information = models.TextField(_("authoritative information"), blank=True)
    informed_at = models.DateTimeField(_("information released at"), null=True, blank=True)
    statement = models.TextField(_("press statement"), blank=True)
    stated_at = models.DateTimeField(_("statement issued at"), null=True, blank=True)
    reply = models.TextField(_("formal reply"), blank=True)
    reply_public = models.BooleanField(_("reply published"), default=False)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    petition_label = models.CharField(_("petition case"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opinion event")
        verbose_name_plural = _("opinion events")
        ordering = ["-severity", "-last_seen", "pk"]
        indexes = [models.Index(fields=["status", "last_seen"], name="opinion_event_status_seen")]
        constraints = [
            models.CheckConstraint(condition=Q(last_seen__gte=models.F("first_seen")), name="opinion_event_seen"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opinion:event-detail", kwargs={"pk": self.pk})


class Post(models.Model):
    """One item from a source, stored once (``key``), classified and grouped."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="posts")
    key = models.CharField(max_length=64, unique=True, editable=False)
    guid = models.CharField(_("item identifier"), max_length=500, blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.CharField(_("author"), max_length=100, blank=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    published_at = models.DateTimeField(_("published"), db_index=True)
    fetched_at = models.DateTimeField(_("fetched"), auto_now_add=True)
    education = models.BooleanField(_("about education"), default=False)
    education_confidence = models.FloatField(default=0.0)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, blank=True)
    topic_confidence = models.FloatField(default=0.0)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices, blank=True)
    stance_confidence = models.FloatField(default=0.0)
    simhash = models.BigIntegerField(default=0)
    # A monitor's review of the three judgements (confirmed or corrected): kept for
    # retraining (``opinion_export_reviewed``) and never overwritten by the classifier.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    organizations = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("schools and departments named"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "pk"]
        indexes = [models.Index(fields=["education", "published_at"], name="opinion_post_edu_time")]

    def __str__(self) -> str:
        return self.title or self.text[:40]

    @property
    def confidence(self) -> float:
        return min(self.education_confidence, self.topic_confidence or 1.0, self.stance_confidence or 1.0)


class ImportBatch(models.Model):
    """One file imported into an import source: what was added, skipped, refused."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(_("file"), max_length=200)
    added = models.PositiveIntegerField(_("added"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename
