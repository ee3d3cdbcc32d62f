"""Special funds (经费): funds with their budget approval, allocations per school or
project, disbursements (下拨) with vouchers, certified project progress, remembered
import mappings and lag alerts. Rules FND-1 (time schedule and lag), FND-2 (project
funds paid against certified progress) and FND-3 (transfer within 30 or 60 days).

Money is integer fen; progress and shares are basis points (10000 = 100 %)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.models import StoredFile
from sunshine.orgs.models import Organization

FULL_BP = 10_000


class Fund(models.Model):
    class Source(models.TextChoices):
        CENTRAL = "central", _("central government")
        PROVINCIAL = "provincial", _("provincial government")
        CITY = "city", _("city government")
        DISTRICT = "district", _("district government")

    class Purpose(models.TextChoices):
        GENERAL = "general", _("general transfer")
        SPECIAL = "special", _("special-purpose transfer")

    class Mode(models.TextChoices):
        MONTHLY = "monthly", _("time schedule by month")
        DAILY = "daily", _("time schedule by day")
        CURVE = "curve", _("time schedule by planned curve")
        PROJECT = "project", _("certified project progress")

    bureau = models.ForeignKey(Organization, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="funds")
    name = models.CharField(_("name"), max_length=80)
    source_level = models.CharField(_("source level"), max_length=16, choices=Source.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    year = models.PositiveIntegerField(_("year"))
    approved_on = models.DateField(_("budget approved on"))
    approval_document = models.CharField(_("budget approval document"), max_length=80)
    total_fen = models.BigIntegerField(_("total (fen)"))
    mode = models.CharField(_("management mode"), max_length=16, choices=Mode.choices)
    # CURVE: twelve cumulative shares in basis points, at the end of each month.
    curve_bp = models.JSONField(_("planned curve"), default=list, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ("-year", "position", "pk")
        constraints = [
            models.UniqueConstraint(fields=("bureau", "year", "name"), name="funds_fund_unique_name"),
            models.CheckConstraint(condition=models.Q(total_fen__gte=0), name="funds_fund_total_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def is_project(self) -> bool:
        return self.mode == self.Mode.PROJECT

    @property
    def transfer_rule(self) -> str:
        """FND-3: the clock of this fund's transfers."""
        return "FND-3-general" if self.purpose == self.Purpose.GENERAL else "FND-3-special"


class Allocation(models.Model):
    """A fund's share for one school, or one project (of a school or of the bureau)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="allocations")
    organization = models.ForeignKey(
        Organization, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="fund_allocations"
    )
    title = models.CharField(pgettext_lazy("allocation", "project"), max_length=120, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    transfer_due = models.DateField(_("transfer due"))
    certifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("progress certifier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_label = models.CharField(pgettext_lazy("seam", "source"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Kept by the writes (``funds.lag.allocation_totals_refresh``, in the transaction that
    # records the money) from the disbursements, which stay the record: the money arrived
    # in all and its first and last day, so a city's figures read 90,000 allocations
    # instead of adding up a million disbursements (``funds.lag.paid_up_to``).
    paid_fen = models.BigIntegerField(_("disbursed (fen)"), default=0, editable=False)
    first_paid_on = models.DateField(_("first money arrived on"), null=True, blank=True, editable=False)
    last_paid_on = models.DateField(_("last money arrived on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ("fund", "organization__name", "title", "pk")
        constraints = [
            models.UniqueConstraint(fields=("fund", "organization", "title"), name="funds_allocation_unique"),
            models.UniqueConstraint(
                fields=("source_label",), condition=~models.Q(source_label=""), name="funds_allocation_source_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="funds_allocation_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.fund.name} · {self.title or self.organization.name}"


class Disbursement(models.Model):
    """Money that arrived (下拨): the date, the amount and the finance voucher."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="disbursements"
    )
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    voucher = models.CharField(_("voucher number"), max_length=60, unique=True)
    batch = models.ForeignKey(
        "DisbursementImport",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ("paid_on", "pk")
        indexes = [models.Index(fields=("allocation", "paid_on", "amount_fen"), name="funds_disb_alloc_day")]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="funds_disb_positive")]

    def __str__(self) -> str:
        return self.voucher


class ProgressCertification(models.Model):
    """FND-2: the project's certifier states its construction progress, with evidence."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="certifications"
    )
    progress_bp = models.PositiveIntegerField(_("progress (basis points)"))
    certified_on = models.DateField(_("certified on"))
    certifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("certifier"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.ForeignKey(StoredFile, verbose_name=_("evidence"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress certification")
        verbose_name_plural = _("progress certifications")
        ordering = ("certified_on", "pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress_bp__lte=FULL_BP), name="funds_cert_at_most_full")
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id}: {self.progress_bp / 100:g}%"


class ImportMapping(models.Model):
    """The columns of a finance system's export, remembered per fund or per organisation:
    {field: column heading}."""

    fund = models.OneToOneField(
        Fund, verbose_name=_("fund"), null=True, blank=True, on_delete=models.CASCADE, related_name="import_mapping"
    )
    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fund_import_mapping",
    )
    columns = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")

    def __str__(self) -> str:
        return str(self.fund or self.organization)


class DisbursementImport(models.Model):
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="imports")
    stored_file = models.ForeignKey(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(_("rows"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement import")
        verbose_name_plural = _("disbursement imports")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.fund} · {self.rows}"


class LagAlert(models.Model):
    """FND-1: an allocation lagging behind its time schedule by more than the LOCAL
    threshold. Open until the lag falls back under it."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="lag_alerts"
    )
    raised_on = models.DateField(_("raised on"))
    schedule_bp = models.IntegerField(_("schedule (basis points)"))
    actual_bp = models.IntegerField(_("actual (basis points)"))
    threshold_pp = models.FloatField(_("threshold (percentage points)"))
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    rectification_sent_at = models.DateTimeField(_("rectification ordered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lag alert")
        verbose_name_plural = _("lag alerts")
        ordering = ("-raised_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("allocation",), condition=models.Q(cleared_on__isnull=True), name="funds_one_open_alert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} · {self.raised_on}"

    @property
    def lag_pp(self) -> float:
        return (self.schedule_bp - self.actual_bp) / 100
