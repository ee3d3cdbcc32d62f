"""Enrollment seasons, their five disclosures (ENR-4), applications and the lottery
(ENR-1). A child's identity is personal data: encrypted, read only by the bureau's
enrollment staff, never published; the lottery knows an application only by its
pseudonymous entry id (docs/lottery.md)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.fields import EncryptedTextField
from sunshine.core.transitions import StatefulModel
from sunshine.orgs.models import Organization


class Season(StatefulModel):
    """An enrollment season of one level in one bureau's district."""

    class Level(models.TextChoices):
        PRIMARY = "primary", _("primary school entry")
        JUNIOR = "junior", _("junior secondary entry")
        SENIOR = "senior", _("senior secondary entry")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("season", "in preparation")
        OPEN = "open", pgettext_lazy("season", "taking applications")
        CLOSED = "closed", pgettext_lazy("season", "applications closed")
        DECIDED = "decided", pgettext_lazy("season", "results decided")

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.OPEN}),
        Status.OPEN: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset({Status.DECIDED}),
        Status.DECIDED: frozenset(),
    }

    bureau = models.ForeignKey(Organization, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("season key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    year = models.PositiveIntegerField(_("year"))
    applications_open = models.DateField(_("applications open"))
    applications_close = models.DateField(_("applications close"))
    decided_on = models.DateField(_("results decided on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        verbose_name = _("enrollment season")
        verbose_name_plural = _("enrollment seasons")
        ordering: ClassVar = ["-year", "level"]

    def __str__(self) -> str:
        return self.name


class Disclosure(models.Model):
    """One of the five disclosures (五公开) of a season, as published."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("enrollment policy")
        PLAN = "plan", _("enrollment plan")
        RULES = "rules", _("exam and admission rules")
        CUTOFFS = "cutoffs", _("cutoff lines")
        RESULTS = "results", _("admission results")

    BEFORE_OPENING: ClassVar = frozenset({Kind.POLICY, Kind.PLAN})  # ENR-4-advance
    AFTER_DECISION: ClassVar = frozenset({Kind.CUTOFFS, Kind.RESULTS})  # ENR-4-results

    season = models.ForeignKey(
        Season, verbose_name=pgettext_lazy("enrollment", "season"), on_delete=models.CASCADE, related_name="disclosures"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    url = models.CharField(_("catalogue address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("enrollment disclosure")
        verbose_name_plural = _("enrollment disclosures")
        constraints: ClassVar = [models.UniqueConstraint(fields=["season", "kind"], name="enrollment_disclosure_once")]

    def __str__(self) -> str:
        return self.title


class PlanSchool(models.Model):
    """A school's line of the season's plan: seats, priority groups, and for the senior
    level its admission line and quota seats."""

    season = models.ForeignKey(Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="plan")
    school = models.ForeignKey(
        Organization, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("school code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    seats = models.PositiveIntegerField(_("seats"))
    by_lottery = models.BooleanField(_("admits by lottery when over-subscribed"), default=False)
    groups = models.JSONField(_("priority groups, first admitted first"), default=list, blank=True)
    line = models.PositiveIntegerField(_("admission line"), null=True, blank=True)
    quota_seats = models.PositiveIntegerField(_("quota seats"), default=0)

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["season", "code"], name="enrollment_plan_code_once")]

    def __str__(self) -> str:
        return self.name


class Application(StatefulModel):
    """A family's application. The identity fields are encrypted; ``child_index`` is a
    blind index of the identity number (one application per child and season)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("application", "submitted")
        RETURNED = "returned", pgettext_lazy("application", "returned for correction")
        ACCEPTED = "accepted", pgettext_lazy("application", "accepted")
        REJECTED = "rejected", pgettext_lazy("application", "not accepted")

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.RETURNED, Status.REJECTED}),
        Status.RETURNED: frozenset({Status.SUBMITTED}),
        Status.ACCEPTED: frozenset({Status.RETURNED}),
        Status.REJECTED: frozenset(),
    }

    season = models.ForeignKey(
        Season,
        verbose_name=pgettext_lazy("enrollment", "season"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    number = models.CharField(_("application number"), max_length=32, unique=True)
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    entry_id = models.CharField(_("lottery entry"), max_length=16, editable=False)
    child_name = EncryptedTextField(_("child's name"))
    child_id_number = EncryptedTextField(_("child's identity number"))
    child_index = models.CharField(max_length=64, editable=False)
    guardian_name = EncryptedTextField(_("guardian's name"))
    guardian_phone = EncryptedTextField(_("guardian's telephone"))
    residence = EncryptedTextField(_("household and residence evidence"))
    choices = models.JSONField(_("choices"), default=list)
    groups_claimed = models.JSONField(_("priority groups claimed"), default=dict, blank=True)
    groups_confirmed = models.JSONField(_("priority groups confirmed"), default=dict, blank=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering: ClassVar = ["number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["season", "child_index"], name="enrollment_one_application_per_child"),
            models.UniqueConstraint(fields=["season", "entry_id"], name="enrollment_entry_once"),
        ]

    def __str__(self) -> str:
        return self.number


class Lottery(StatefulModel):
    """The season's lottery (ENR-1): frozen list and announced sources, then the draw,
    then the published bundle."""

    class Status(models.TextChoices):
        FROZEN = "frozen", pgettext_lazy("lottery", "list frozen, sources announced")
        DRAWN = "drawn", pgettext_lazy("lottery", "drawn")
        PUBLISHED = "published", pgettext_lazy("lottery", "result published")

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        Status.FROZEN: frozenset({Status.DRAWN}),
        Status.DRAWN: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
    }

    season = models.OneToOneField(Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="lottery")
    draw_on = models.DateField(_("draw date"))
    sources = models.JSONField(_("seed sources, in announced order"), default=list)
    frozen = models.TextField(_("frozen list"), editable=False)
    root = models.CharField(_("Merkle root"), max_length=64, editable=False)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    seed = models.CharField(_("seed"), max_length=64, blank=True, editable=False)
    bundle = models.TextField(_("bundle"), blank=True, editable=False)
    bundle_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    frozen_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    url = models.CharField(_("catalogue address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FROZEN)

    class Meta:
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")

    def __str__(self) -> str:
        return str(self.season)


class Placement(models.Model):
    """One application's lottery outcome, written under the lottery's row lock: one row
    per application, so a second draw of the same school cannot be written."""

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="placements")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="placement")
    school = models.ForeignKey(PlanSchool, null=True, blank=True, on_delete=models.PROTECT, related_name="placements")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("lottery placement")
        verbose_name_plural = _("lottery placements")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["school", "order"], name="enrollment_one_seat_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.school or '-'}"


# --- Teacher recruitment (ENR-3) -------------------------------------------------------------


class Recruitment(models.Model):
    """A public recruitment of teachers: every stage's list is published."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    appointed_at = models.DateTimeField(_("appointed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recruitment")
        verbose_name_plural = _("recruitments")
        ordering: ClassVar = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title


class RecruitmentList(models.Model):
    """One published version of a stage's list; a revision keeps the earlier version and
    records what changed (rows added, removed, changed, by candidate number)."""

    class Stage(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("announcement")
        REGISTRATION = "registration", _("registration review")
        WRITTEN = "written", _("written test scores")
        INTERVIEW = "interview", _("interview scores")
        PHYSICAL = "physical", _("physical check")
        PROPOSED = "proposed", _("proposed appointees")

    recruitment = models.ForeignKey(Recruitment, on_delete=models.CASCADE, related_name="lists")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.TextField(_("note"), blank=True)
    rows = models.JSONField(_("rows"), default=list)  # [[number, name, score, result], ...]
    changes = models.JSONField(
        _("changes"), default=dict, blank=True
    )  # {"added": [...], "removed": [...], "changed": [...]}
    document = models.ForeignKey(
        "core.IssuedDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("recruitment list")
        verbose_name_plural = _("recruitment lists")
        ordering: ClassVar = ["published_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["recruitment", "stage", "version"], name="enrollment_list_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.recruitment} · {self.get_stage_display()}"


class Objection(models.Model):
    """An objection received during the publicity period, and its answer."""

    list = models.ForeignKey(RecruitmentList, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"))
    contact = EncryptedTextField(_("contact"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering: ClassVar = ["received_at"]

    def __str__(self) -> str:
        return self.text[:30]


# --- Senior-high admission (ENR-2) -----------------------------------------------------------


class AdmissionRun(models.Model):
    """One run of senior-high admission on the season's plan (lines, seats, quota seats)
    and the students' file; inputs and placements kept, so every explanation can be
    given again and the run re-done by anyone with ``manage.py admission_run``."""

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="admission_runs")
    students = models.JSONField(default=list)  # [{id, junior, score, choices, quota_choice, ties}]
    placements = models.JSONField(default=dict)  # {student id: [school, stage, choice rank]}
    cutoffs = models.JSONField(default=dict)  # {school code: lowest admitted score}
    overflow = models.JSONField(default=dict)  # {school code: seats beyond the plan from ties}
    quota_shares = models.JSONField(default=dict)  # {school code: {junior school: seats}}
    floor_margin = models.IntegerField(default=20)
    tiebreak = models.JSONField(default=list)
    ran_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("admission run")
        verbose_name_plural = _("admission runs")
        ordering: ClassVar = ["-ran_at"]

    def __str__(self) -> str:
        return str(self.season)
