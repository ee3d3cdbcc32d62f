"""School fees (收费): the catalogue, declarations (申报 → 审批 → 备案), fee notices
(收费公示), ledgers of actual collections (收费台账), audit findings (违规收费),
refund orders (清退) and the annual veto (一票否决). Rules FEE-1 … FEE-6.

Money is integer fen everywhere. Status changes go through
``sunshine.core.transitions.transition()`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunshine.core.models import StatefulModel, StoredFile
from sunshine.orgs.models import Organization, Term


class Category(models.TextChoices):
    """FEE-2: the three lawful categories of an education fee."""

    ADMINISTRATIVE = "administrative", _("administrative fee")
    SERVICE = "service", _("service fee")
    ON_BEHALF = "on_behalf", _("fee collected on behalf")


class Restriction(models.TextChoices):
    NONE = "none", _("chargeable when filed")
    PROHIBITED = "prohibited", _("prohibited under any name")
    NOT_IN_COMPULSORY = "not_in_compulsory", _("not chargeable in compulsory education")


class Unit(models.TextChoices):
    TERM = "term", _("per term")
    YEAR = "year", _("per school year")
    MONTH = "month", _("per month")
    ITEM = "item", _("per item")


class CatalogueItem(models.Model):
    """One item of the bureau's fee catalogue for one term (the catalogue is versioned
    by term: ``catalogue_copy`` carries it to the next term). Prohibited items (FEE-3)
    and the tuition / miscellaneous fees of compulsory education (FEE-1) are in the
    catalogue too, with their synonyms, so that declarations and ledgers naming them are
    recognised and refused or flagged."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_catalogue")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    synonyms = models.CharField(
        _("other names"), max_length=400, blank=True, help_text=_("Other names of the same item, separated by “、”.")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, blank=True)
    restriction = models.CharField(
        _("restriction"), max_length=20, choices=Restriction.choices, default=Restriction.NONE
    )
    is_accommodation = models.BooleanField(_("accommodation fee"), default=False)
    is_tuition = models.BooleanField(
        _("tuition or miscellaneous fee"), default=False
    )  # FEE-2: no service or on-behalf fee may be bundled with it
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["term", "restriction", "category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["term", "code"], name="fees_catalogue_term_code"),
            models.UniqueConstraint(fields=["term", "name"], name="fees_catalogue_term_name"),
            models.CheckConstraint(
                condition=Q(restriction="prohibited") | ~Q(category=""), name="fees_catalogue_chargeable_has_category"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        """The item's name and every synonym."""
        return [self.name, *[s.strip() for s in self.synonyms.replace(",", "、").split("、") if s.strip()]]


class FeeDeclaration(StatefulModel):
    """One fee item a school declares for one term (申报), reviewed (审批) and filed (备案)
    by the fee reviewer. Only filed declarations appear on the notice (FEE-4, FEE-5)."""

    class Status(models.TextChoices):
        DECLARED = "declared", _("declared")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        FILED = "filed", _("filed")

    ALLOWED = {
        Status.DECLARED: frozenset({Status.APPROVED, Status.REJECTED}),
        Status.APPROVED: frozenset({Status.FILED, Status.REJECTED}),
        Status.REJECTED: frozenset(),
        Status.FILED: frozenset(),
    }

    class Scope(models.TextChoices):
        ALL = "all", _("all students")
        BOARDING = "boarding", _("boarding students")
        DAY = "day", _("day students")

    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_declarations"
    )
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_declarations")
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="declarations"
    )
    standard_fen = models.PositiveBigIntegerField(_("standard (fen)"))
    unit = models.CharField(_("unit of charge"), max_length=8, choices=Unit.choices, default=Unit.TERM)
    grades = models.CharField(_("grades"), max_length=60, default="", blank=True)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.ALL)
    reductions = models.CharField(_("reductions and exemptions"), max_length=300, blank=True)
    approving_body = models.CharField(_("approving body"), max_length=100, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    actual_cost_fen = models.PositiveBigIntegerField(
        _("actual cost per student (fen)"), null=True, blank=True, help_text=_("On-behalf fees: settled cost.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DECLARED)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    resembles = models.CharField(
        _("resembles the prohibited item"), max_length=60, blank=True, editable=False
    )  # FEE-3: held for the reviewer until cleared
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee declaration")
        verbose_name_plural = _("fee declarations")
        ordering = ["school", "term", "item__code"]
        constraints = [
            # One live declaration per item, school and term: two clerks cannot race a duplicate in.
            models.UniqueConstraint(
                fields=["school", "term", "item"], condition=~Q(status="rejected"), name="fees_declaration_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.term} · {self.item}"


class FeeNotice(StatefulModel):
    """The school's fee notice (收费公示 / 校长收费公告) for one term, generated from its
    filed declarations with every field of FEE-4; published before registration and
    kept up at least the FEE-5-notice days."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ALLOWED = {
        Status.DRAFT: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset({Status.WITHDRAWN}),
        Status.WITHDRAWN: frozenset(),
    }

    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_notices"
    )
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_notices")
    number = models.CharField(_("document number"), max_length=60)
    lines = models.JSONField(_("lines"), default=list)
    hotline = models.CharField(_("complaint hotline"), max_length=32)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    late_reason = models.CharField(
        _("reason for publishing after registration"), max_length=300, blank=True
    )  # FEE-5: a late notice needs it and is a finding
    disclosure_url = models.CharField(
        _("in the disclosure catalogue"), max_length=200, blank=True, editable=False
    )  # set when the disclosure seam published it (DIS-2 "fees")

    class Meta:
        verbose_name = _("fee notice")
        verbose_name_plural = _("fee notices")
        ordering = ["-term__starts_on", "school__code"]
        constraints = [models.UniqueConstraint(fields=["school", "term"], name="fees_notice_school_term")]

    def __str__(self) -> str:
        return f"{self.school} · {self.term}"


class LedgerMapping(models.Model):
    """The column headings a school's system writes, remembered after a good import."""

    school = models.OneToOneField(
        Organization, verbose_name=_("school"), on_delete=models.CASCADE, related_name="fee_ledger_mapping"
    )
    columns = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ledger column mapping")
        verbose_name_plural = _("ledger column mappings")

    def __str__(self) -> str:
        return str(self.school)


class LedgerUpload(models.Model):
    """One imported ledger file (all of its rows, or none)."""

    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_ledgers"
    )
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_ledgers")
    stored_file = models.ForeignKey(
        StoredFile, verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee ledger")
        verbose_name_plural = _("fee ledgers")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.school} · {self.term} · {self.original_name}"


class LedgerRow(models.Model):
    """One collection: narrow, integer-keyed, indexed by (school, term) for the audit
    (a district writes about 200k rows a year; rows go in with bulk_create in batches)."""

    upload = models.ForeignKey(LedgerUpload, on_delete=models.CASCADE, related_name="rows")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    row_no = models.PositiveIntegerField()
    student_no = models.CharField(max_length=32)
    student_name = models.CharField(max_length=50, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    item_code = models.CharField(max_length=40)
    item_name = models.CharField(max_length=60)
    amount_fen = models.BigIntegerField()
    collected_on = models.DateField()
    receipt_no = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("ledger row")
        verbose_name_plural = _("ledger rows")
        indexes = [models.Index(fields=["school", "term"], name="fees_ledgerrow_school_term")]

    def __str__(self) -> str:
        return f"{self.upload_id}:{self.row_no}"


class Finding(StatefulModel):
    """An audit finding (违规收费). Unique by kind, school, term, student and item, so
    re-running the audit adds nothing new."""

    class Kind(models.TextChoices):
        NOT_FILED = "not_filed", _("item not filed")
        ABOVE_STANDARD = "above_standard", _("amount above the filed standard")
        PROHIBITED = "prohibited", _("prohibited item")
        COMPULSORY = "compulsory", _("tuition or miscellaneous fee in compulsory education")
        OUTSIDE_WINDOW = "outside_window", _("collected outside the term-start window")
        BEFORE_FILING = "before_filing", _("collected before the item was filed")
        LATE_NOTICE = "late_notice", _("fee notice published after registration")
        DUPLICATE = "duplicate", _("charged twice to one student")
        BUNDLED = "bundled", _("service fee bundled with tuition or accommodation")
        SURPLUS = "surplus", _("on-behalf fee above actual cost")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    ALLOWED = {
        Status.OPEN: frozenset({Status.CONFIRMED, Status.DISMISSED}),
        Status.CONFIRMED: frozenset(),
        Status.DISMISSED: frozenset(),
    }

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    rule_id = models.CharField(_("rule"), max_length=8)
    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_findings"
    )
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_findings")
    upload = models.ForeignKey(
        LedgerUpload,
        verbose_name=_("ledger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    student_no = models.CharField(_("student number"), max_length=32)
    student_name = models.CharField(_("student"), max_length=50, blank=True)
    item_code = models.CharField(_("item code"), max_length=40)
    item_name = models.CharField(_("item"), max_length=60)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    first_row = models.PositiveIntegerField(_("first row"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["school", "kind", "student_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "school", "term", "student_no", "item_code"], name="fees_finding_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.school} · {self.item_name}"

    @property
    def audit_label(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class RefundOrder(StatefulModel):
    """A refund order (清退) from confirmed findings: issued by the fee reviewer, the school
    records what it paid back, the reviewer verifies (FEE-1, FEE-2)."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        REPORTED = "reported", _("refunds reported")
        VERIFIED = "verified", _("verified")

    ALLOWED = {
        Status.ISSUED: frozenset({Status.REPORTED}),
        Status.REPORTED: frozenset({Status.VERIFIED, Status.ISSUED}),
        Status.VERIFIED: frozenset(),
    }

    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_refunds"
    )
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="fee_refunds")
    number = models.CharField(_("document number"), max_length=60, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund order")
        verbose_name_plural = _("refund orders")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number


class RefundLine(models.Model):
    """What one student is owed under one finding, and what the school paid back."""

    order = models.ForeignKey(RefundOrder, on_delete=models.CASCADE, related_name="lines")
    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="refund_line")
    student_no = models.CharField(_("student number"), max_length=32)
    student_name = models.CharField(_("student"), max_length=50, blank=True)
    amount_fen = models.BigIntegerField(_("amount ordered (fen)"))
    refunded_fen = models.BigIntegerField(_("amount refunded (fen)"), default=0)
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        ordering = ["order", "student_no"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_fen__gte=0), name="fees_refund_line_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.student_no}"


class SchoolYearVeto(models.Model):
    """FEE-6 (LOCAL): a confirmed illegal fee vetoes the school's "advanced" rating for
    the school year. Oversight reads this table (OVS-2)."""

    school = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_vetoes"
    )
    school_year = models.CharField(_("school year"), max_length=9)
    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("school-year veto")
        verbose_name_plural = _("school-year vetoes")
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="fees_veto_school_year")]

    def __str__(self) -> str:
        return f"{self.school} · {self.school_year}"
