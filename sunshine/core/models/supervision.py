"""Supervision (督办): an assignment to a unit with a deadline, a leader's
instructions on it, and the notifications it sends."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunshine.core.models.transitions import StatefulModel

__all__ = ["Instruction", "Notification", "Supervision", "SupervisionExtension", "SupervisionPause"]


class Supervision(StatefulModel):
    """Oversight of one work item (a petition, an FOI request, …) assigned to a unit.

    ``due_at`` always comes from ``sunshine.core.clocks.deadline(rule_id, started_at,
    extension=extended_by, paused=<its ended pauses>)``. The unit's clock stops when it
    answers (``finished_at``); a leader may send the answer back (answered → open).
    ``paused_since`` is set while a pause (:class:`SupervisionPause`) stops the clock.
    Each extension and pause keeps a row, so the deadline in force at any moment can be
    told afterwards (``supervision.due_in_force``).
    ``escalation_level`` 0 is the responsible unit, 1 its parent, 2 the parent's
    parent…; ``escalated_to`` is the organisation at that level.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    ALLOWED = {
        Status.OPEN: frozenset({Status.ANSWERED, Status.CLOSED, Status.CANCELLED}),
        Status.ANSWERED: frozenset({Status.OPEN, Status.CLOSED}),
        Status.CLOSED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    ACTIVE = frozenset({Status.OPEN, Status.ANSWERED})

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    item = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    rule_id = models.CharField(_("rule"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    extended_by = models.PositiveIntegerField(_("extended by"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    finished_at = models.DateTimeField(_("answered or closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_supervisions",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_supervision_item"),
            models.Index(fields=["status", "due_at"], name="core_supervision_status_due"),
        ]
        constraints = [
            # One live supervision per item and clock: two clerks opening it at once get one.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule_id"],
                condition=Q(status__in=["open", "answered"]),
                name="core_supervision_one_active",
                violation_error_message=_("This item is already under supervision for this rule."),
            ),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("started_at")), name="core_supervision_due"),
        ]

    def __str__(self) -> str:
        return self.title


class SupervisionExtension(models.Model):
    """One extension granted on a supervision (PET-5, FOI-3): the deadline before and
    after, who granted it, when and why. Never changed afterwards."""

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("supervision"), on_delete=models.PROTECT, related_name="extensions"
    )
    units = models.PositiveIntegerField(_("extended by"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"))
    due_before = models.DateTimeField(_("due before"))
    due_after = models.DateTimeField(_("due after"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["granted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.supervision_id}: +{self.units}"


class SupervisionPause(models.Model):
    """A stop of a supervision's clock (FOI-3 third-party consultation, FOI-2 correction
    wait): its days, from ``started_on`` to ``ended_on`` inclusive, do not count.
    ``last_day`` is the cap (the clock runs again after it even if nothing ended the
    pause; ``capped`` then says so); ``due_after`` is the deadline once it ended."""

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("supervision"), on_delete=models.PROTECT, related_name="pauses"
    )
    kind = models.CharField(_("kind"), max_length=32)
    reason = models.CharField(_("reason"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    last_day = models.DateField(_("at the latest until"), null=True, blank=True)
    capped = models.BooleanField(_("ended by its limit"), default=False)
    restart = models.BooleanField(_("restarts the clock"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paused_at = models.DateTimeField(_("paused at"))
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    due_before = models.DateTimeField(_("due before"))
    due_after = models.DateTimeField(_("due after"), null=True, blank=True)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_on", "pk"]
        constraints = [
            # One open pause per supervision.
            models.UniqueConstraint(
                fields=["supervision"], condition=Q(ended_on__isnull=True), name="core_supervision_one_open_pause"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="core_supervision_pause_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervision_id}: {self.kind} {self.started_on}–{self.ended_on or ''}"


class Instruction(models.Model):
    """A leader's written instruction (批示) on a supervision."""

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("supervision"), on_delete=models.PROTECT, related_name="instructions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("instruction"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Notification(models.Model):
    """One message to one person (the in-app inbox; other channels deliver a copy).

    ``key`` makes a supervision's notification unique per recipient and verb
    (e.g. the due date a reminder is for, the escalation level): two sweeps running
    at once can never send the same reminder twice.
    """

    class Verb(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        REMINDER = "reminder", _("reminder")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("escalated")
        INSTRUCTION = "instruction", _("instruction")
        MESSAGE = "message", _("message")  # a note outside supervision: a filer wrote, a reply is ready

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("kind"), max_length=16, choices=Verb.choices)
    supervision = models.ForeignKey(
        Supervision,
        verbose_name=_("supervision"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    key = models.CharField(max_length=64, blank=True, default="")
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "supervision", "verb", "key"],
                condition=Q(supervision__isnull=False),
                name="core_notification_once",
            ),
        ]

    def __str__(self) -> str:
        return self.text
