"""Supervision and evaluation (监督考评): rectification orders (整改), social supervisors and
their inspections (监督员, 明查暗访), the scored evaluation with its bulletin (考评通报, OVS-1),
the annual advanced-unit list with the one-vote veto (OVS-2, FEE-6), circulated documents
(文件转发, OVS-5) and admonishment talks and sanctions (告诫谈话, 处分)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.fields import EncryptedTextField
from sunshine.core.models import StatefulModel, StoredFile
from sunshine.orgs.models import Organization

# --- Rectification (整改, OVS-4) -------------------------------------------------------------


class RectificationOrder(models.Model):
    """An order (整改通知) from ``issuer`` to ``organization`` to put items right, because of
    ``source_label`` (an inspection finding, a fee audit, a petition, an overdue fund, an
    evaluation). One order per source: a repeated request adds nothing."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("supervisor's inspection")
        FEES = "fees", _("fee audit")
        PETITIONS = "petitions", _("petition")
        FUNDS = "funds", _("overdue fund")
        EVALUATION = "evaluation", _("evaluation")
        DISCLOSURE = "disclosure", _("disclosure inspection")
        OTHER = "other", pgettext_lazy("source", "other")

    organization = models.ForeignKey(
        Organization, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rectification_orders"
    )
    issuer = models.ForeignKey(Organization, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="+")
    source_label = models.CharField(pgettext_lazy("seam", "source"), max_length=100, unique=True)
    source = models.CharField(_("source kind"), max_length=16, choices=Source.choices, default=Source.OTHER)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class RectificationItem(StatefulModel):
    """One thing to put right. Only a verified item is closed: "reported" is the school's
    word, never the fact (OVS-4)."""

    class Status(models.TextChoices):
        OPEN = "open", _("to be rectified")
        REPORTED = "reported", _("reported, awaiting verification")
        VERIFIED = "verified", _("verified as rectified")

    ALLOWED = {
        Status.OPEN: frozenset({Status.REPORTED}),
        Status.REPORTED: frozenset({Status.VERIFIED, Status.OPEN}),
        Status.VERIFIED: frozenset({Status.OPEN}),
    }

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("what to put right"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    report = models.TextField(_("school's report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    evidence = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_on_time = models.BooleanField(_("rectified on time"), default=False)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["order", "position"]

    def __str__(self) -> str:
        return f"{self.order} ({self.position})"


# --- Social supervisors and inspections (监督员) ----------------------------------------------


class SupervisorAppointment(models.Model):
    """A social supervisor's appointment (聘任): a term and the schools in scope."""

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    schools = models.ManyToManyField(Organization, verbose_name=_("schools in scope"), related_name="+")

    class Meta:
        verbose_name = _("supervisor appointment")
        verbose_name_plural = _("supervisor appointments")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="ovs_term_order")]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on}–{self.ends_on}"


class Inspection(StatefulModel):
    """An open (明查) or covert (暗访) inspection of one school. A covert one stays out of
    the school's sight until its report is filed."""

    class Mode(models.TextChoices):
        OPEN = "open", _("open inspection")
        COVERT = "covert", _("covert visit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("in progress")
        FILED = "filed", _("report filed")

    ALLOWED = {Status.DRAFT: frozenset({Status.FILED}), Status.FILED: frozenset()}

    appointment = models.ForeignKey(SupervisorAppointment, on_delete=models.PROTECT, related_name="inspections")
    school = models.ForeignKey(Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    visited_on = models.DateField(_("visited on"))
    items_checked = models.TextField(_("items checked"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.visited_on}"


class InspectionFinding(models.Model):
    """A finding of an inspection, with photos; sealed when the report is filed
    (SHA-256 of its text and its photos' hashes)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    photos = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    seal = models.CharField(_("seal"), max_length=64, blank=True)
    order = models.OneToOneField(
        RectificationOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="finding"
    )

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]


# --- Evaluation (考评, OVS-1) ----------------------------------------------------------------


class IndicatorSet(models.Model):
    """The indicators of one period (``2026`` or ``2026-Q3``) of a bureau's evaluation."""

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [models.UniqueConstraint(fields=["bureau", "period"], name="ovs_one_set_per_period")]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """One indicator: fed from a registered figure or scored by hand with evidence.

    Points: ``rate`` and ``score`` take a value out of 100 (weight × value / 100);
    ``deduct`` takes ``per_unit`` points off the weight for each unit counted (never
    below zero)."""

    class Method(models.TextChoices):
        RATE = "rate", _("share of 100")
        DEDUCT = "deduct", _("points off per case")

    MANUAL = "manual"

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("indicator"), max_length=60)
    source = models.CharField(_("source"), max_length=64)  # a figure key, or "manual"
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    per_unit = models.DecimalField(_("points per case"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["indicator_set", "position"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "name"], name="ovs_indicator_name_unique")]

    def __str__(self) -> str:
        return self.name

    def source_label(self) -> str:
        """The figure's name, or "scored by hand"."""
        from sunshine.core.figures import figure_get

        if self.source == self.MANUAL:
            return str(_("scored by hand with evidence"))
        try:
            return str(figure_get(self.source).label)
        except KeyError:
            return str(_("a figure no longer reported"))


class Evaluation(StatefulModel):
    """An evaluation of every school of a bureau for one indicator set; computed, then
    issued as a bulletin (通报) and published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("bulletin issued")

    ALLOWED = {Status.DRAFT: frozenset({Status.ISSUED}), Status.ISSUED: frozenset()}

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    green_min = models.PositiveSmallIntegerField(_("green at least"), default=0)
    amber_min = models.PositiveSmallIntegerField(_("amber at least"), default=0)
    school_year = models.CharField(_("school year"), max_length=9, blank=True)  # annual: the advanced list's year

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return str(self.indicator_set)


class IndicatorValue(models.Model):
    """The raw value of one indicator for one school: collected from the figure or
    entered by hand (with its evidence)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    raw = models.DecimalField(_("raw value"), max_digits=10, decimal_places=2)
    note = models.CharField(_("evidence"), max_length=200, blank=True)  # names the evidence of a hand score

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator", "school"], name="ovs_one_value_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}:{self.school_id}"


class SchoolScore(models.Model):
    """A school's score with its working (indicator, raw value, weight, points), its
    colour and rank."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    rag = models.CharField(_("colour"), max_length=8)
    rank = models.PositiveIntegerField(_("rank"))
    working = models.JSONField(default=list)  # [[raw value or None, points], …] in the indicators' order

    class Meta:
        verbose_name = _("school score")
        verbose_name_plural = _("school scores")
        ordering = ["evaluation", "rank", "school__name"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "school"], name="ovs_one_score_per_school")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.score}"

    def lines(self, indicators: list[Indicator]) -> list[dict[str, object]]:
        """The working, line by line: indicator, raw value, weight, points."""
        return [
            {"indicator": ind.name, "raw": raw, "weight": ind.weight, "points": points}
            for ind, (raw, points) in zip(indicators, self.working, strict=False)
        ]

    def rag_label(self) -> str:
        from sunshine.core.clocks import Rag

        return str(Rag(self.rag).label)


# --- Annual advanced units and the one-vote veto (OVS-2, FEE-6) ------------------------------


class Veto(StatefulModel):
    """The one-vote veto of a school's advanced rating for a school year, with its reason
    and evidence. One per school and year; the school may appeal within OVS-2-appeal."""

    class Reason(models.TextChoices):
        ILLEGAL_FEE = "illegal_fee", _("illegal fee confirmed")
        LAST_PLACE = "last_place", _("ranked last in the annual conduct evaluation")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        APPEALED = "appealed", _("appealed")
        UPHELD = "upheld", _("upheld on appeal")
        LIFTED = "lifted", _("lifted on appeal")

    ALLOWED = {
        Status.IN_FORCE: frozenset({Status.APPEALED}),
        Status.APPEALED: frozenset({Status.UPHELD, Status.LIFTED}),
        Status.UPHELD: frozenset(),
        Status.LIFTED: frozenset(),
    }

    school = models.ForeignKey(Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("school year"), max_length=9)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    evidence = models.CharField(_("evidence"), max_length=300)
    source_label = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_FORCE)
    created_at = models.DateTimeField(auto_now_add=True)
    appeal_due_on = models.DateField(_("appeal due on"))
    appeal_text = models.TextField(_("appeal"), blank=True)
    decision = models.TextField(_("decision on appeal"), blank=True)

    class Meta:
        verbose_name = _("veto")
        verbose_name_plural = _("vetoes")
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="ovs_one_veto_per_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year}"


class AdvancedList(models.Model):
    """The published list of advanced units of a school year, from an annual evaluation."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="advanced_list")
    school_year = models.CharField(_("school year"), max_length=9)
    places = models.PositiveSmallIntegerField(_("places"))
    schools = models.JSONField(default=list)  # [{"school": id, "name", "score", "rank"}]
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("advanced-unit list")
        verbose_name_plural = _("advanced-unit lists")

    def __str__(self) -> str:
        return self.school_year


# --- Circulars (文件转发, OVS-5) --------------------------------------------------------------


class Circular(models.Model):
    """A document the bureau issues or forwards to schools, with its 文号; revised
    documents reopen every school's confirmations."""

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("document number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("summary"), blank=True)
    forwarded = models.BooleanField(_("forwarded from a higher authority"), default=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("circulated document")
        verbose_name_plural = _("circulated documents")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class CircularConfirmation(models.Model):
    """One school's receipt and study of one version of a circular."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="confirmations")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(default=1)
    received_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    studied_on = models.DateField(_("studied on"), null=True, blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    studied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("circular confirmation")
        verbose_name_plural = _("circular confirmations")
        constraints = [models.UniqueConstraint(fields=["circular", "school"], name="ovs_one_confirmation")]

    def __str__(self) -> str:
        return f"{self.circular_id}:{self.school_id}"


# --- Admonishment talks and sanctions (告诫谈话, 处分) -------------------------------------------


class Talk(models.Model):
    """An admonishment talk or a sanction: who, when, by whom, why, linked cases and the
    signed record. Read by discipline inspectors and leaders only."""

    class Kind(models.TextChoices):
        TALK = "talk", _("admonishment talk")
        SANCTION = "sanction", _("disciplinary sanction")

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    person = EncryptedTextField(_("person"))  # a staff member's name: encrypted at rest
    unit = models.ForeignKey(Organization, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    held_by = models.CharField(_("held by"), max_length=100)
    reason = models.TextField(_("reason"))
    linked = models.CharField(_("linked cases and findings"), max_length=200, blank=True)
    record = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("talk or sanction")
        verbose_name_plural = _("talks and sanctions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


# --- Campaigns: pledges, warning education, self-inspection ---------------------------------------


class Campaign(models.Model):
    """A campaign sent to every school: a pledge (承诺书) to sign, a warning-education
    session (警示教育) to attend, or a self-inspection checklist (自查) to answer."""

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("pledge")
        WARNING = "warning", _("warning education")
        SELF_INSPECTION = "self_check", _("self-inspection")

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), help_text=_("The pledge, the session's material, or the checklist (one question a line).")
    )
    held_on = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def questions(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class CampaignReturn(models.Model):
    """One school's part in a campaign: the pledge signed (online or the signed paper),
    the attendance at the session, or the self-inspection's answers and the bureau's
    spot check against them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="returns")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=50, blank=True)
    paper = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    answers = models.JSONField(default=list)  # [{"question", "ok": bool, "note"}]
    spot_checked_at = models.DateTimeField(_("spot-checked at"), null=True, blank=True)
    spot_check_matches = models.BooleanField(_("answers match the spot check"), null=True)
    spot_check_note = models.TextField(_("spot-check note"), blank=True)

    class Meta:
        verbose_name = _("campaign return")
        verbose_name_plural = _("campaign returns")
        constraints = [models.UniqueConstraint(fields=["campaign", "school"], name="ovs_one_return")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.school_id}"
