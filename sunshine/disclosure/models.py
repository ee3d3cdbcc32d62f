"""Disclosure (政务公开 / 校务公开) and FOI requests (依申请公开).

* :class:`Category` — the catalogue's categories (DIS-2), national ones plus local ones.
* :class:`Document` — one catalogue entry; its working copy lives on the row, every
  publication is frozen as a :class:`DocumentVersion` (every version kept and viewable).
* :class:`Attachment` — an uploaded file of a document, with its extracted text.
* :class:`RequiredItem` — the required-disclosure checklist per organisation kind (DIS-2).
* :class:`Inspection` / :class:`InspectionResult` — the quarterly inspection (季度检查).
* :class:`FoiRequest` — FOI requests (FOI-1 … FOI-4); their reply clock (FOI-3, with its
  extension, the correction wait of FOI-2 and third-party consultation) is a core
  supervision (``services.foi_clock``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sunshine.core.clocks import Rag
from sunshine.core.fields import EncryptedTextField
from sunshine.core.models import StatefulModel, StoredFile
from sunshine.orgs.models import Organization


class Category(models.Model):
    """A catalogue category. ``scope`` says whose catalogue it belongs to (DIS-2);
    ``organization`` is set for a local category a bureau adds for its district."""

    class Scope(models.TextChoices):
        BUREAU = "bureau", _("bureau")
        SCHOOL = "school", _("school")
        BOTH = "both", _("bureau and schools")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    rule = models.CharField(_("rule"), max_length=16, blank=True, help_text="DIS-2, or empty for a local category")
    organization = models.ForeignKey(
        Organization, verbose_name=_("local to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The national categories speak the visitor's language; local ones their own name."""
        return gettext(self.name) if self.rule else self.name

    def applies_to(self, organization: Organization) -> bool:
        kind = "school" if organization.kind == Organization.Kind.SCHOOL else "bureau"
        return self.scope in (kind, self.Scope.BOTH)


class Document(StatefulModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        REVISION = "revision", _("being revised")
        WITHDRAWN = "withdrawn", _("withdrawn")

    S = Status
    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        S.DRAFT: frozenset({S.REVIEW}),
        S.REVIEW: frozenset({S.DRAFT, S.PUBLISHED, S.SCHEDULED, S.REVISION}),
        S.SCHEDULED: frozenset({S.PUBLISHED, S.REVIEW}),
        S.PUBLISHED: frozenset({S.REVISION, S.WITHDRAWN}),
        S.REVISION: frozenset({S.REVIEW, S.WITHDRAWN}),
        S.WITHDRAWN: frozenset(),
    }

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="disclosures"
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    info_date = models.DateField(
        _("information created or changed on"),
        help_text=_("Starts the 20-working-day time limit for proactive disclosure."),
    )
    body = models.TextField(_("text"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=200, blank=True)
    source_label = models.CharField(
        _("published from"), max_length=100, blank=True, db_index=True, editable=False
    )  # e.g. "fees.notice:42" for an entry another module published through the seam
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True, db_index=True)
    last_published_at = models.DateTimeField(_("last published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("disclosure document")
        verbose_name_plural = _("disclosure documents")
        ordering = ["-first_published_at", "-created_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="disclosure_doc_org_status"),
            models.Index(fields=["status", "publish_at"], name="disclosure_doc_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disclosure:document", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        """Readable on the public site: published at least once and not withdrawn."""
        return self.first_published_at is not None and self.status != self.Status.WITHDRAWN

    def current_version(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    """One publication of a document, frozen (every version kept and viewable)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    info_date = models.DateField(_("information created or changed on"))
    body = models.TextField(_("text"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=200, blank=True)
    attachments: models.ManyToManyField[Attachment, Any] = models.ManyToManyField(
        "Attachment", blank=True, related_name="versions"
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="disclosure_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:version", kwargs={"pk": self.document_id, "number": self.number})


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    stored_file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    text = models.TextField(_("extracted text"), blank=True)
    text_note = models.CharField(_("text extraction note"), max_length=200, blank=True)
    removed = models.BooleanField(_("removed from the working copy"), default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.name


class RequiredItem(models.Model):
    """One line of a required-disclosure checklist (DIS-2) for an organisation kind."""

    class Frequency(models.TextChoices):
        STANDING = "standing", _("standing (kept up to date)")
        ANNUAL = "annual", _("every year")
        QUARTERLY = "quarterly", _("every quarter")

    org_kind = models.CharField(
        _("for"),
        max_length=16,
        choices=[(Organization.Kind.BUREAU, _("bureau")), (Organization.Kind.SCHOOL, _("school"))],
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    name = models.CharField(_("what must be published"), max_length=120)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("required disclosure")
        verbose_name_plural = _("required disclosures")
        ordering = ["org_kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org_kind", "category", "name"], name="disclosure_required_unique")
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        return gettext(self.name)


class Inspection(StatefulModel):
    """The quarterly inspection of school disclosures (季度检查) and its bulletin (通报)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset(),
    }

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, str(q)) for q in range(1, 5)])
    # The OVS-1 lines (LOCAL OVS-1-score-thresholds) the results were computed with.
    green_min = models.PositiveSmallIntegerField(_("green from score"))
    amber_min = models.PositiveSmallIntegerField(_("amber from score"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    summary = models.TextField(_("bulletin text"), blank=True)

    class Meta:
        verbose_name = _("quarterly inspection")
        verbose_name_plural = _("quarterly inspections")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year", "quarter"], name="disclosure_inspection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    required = models.PositiveIntegerField(_("required items"))
    present = models.PositiveIntegerField(_("items published"))
    published = models.PositiveIntegerField(_("documents published"))
    on_time = models.PositiveIntegerField(_("documents on time"))
    completeness = models.PositiveSmallIntegerField(_("completeness %"))
    timeliness = models.PositiveSmallIntegerField(_("timeliness %"))
    score = models.PositiveSmallIntegerField(_("score"))
    rag = models.CharField(_("rating"), max_length=8, choices=Rag.choices)
    missing = models.JSONField(_("missing"), default=list)
    late = models.JSONField(_("late"), default=list)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["score", "school__code"]
        constraints = [models.UniqueConstraint(fields=["inspection", "school"], name="disclosure_result_unique")]

    def __str__(self) -> str:
        return f"{self.inspection}: {self.school_id}"


class FoiRequest(StatefulModel):
    """An FOI request (依申请公开). FOI-1: applicant, contact, description, form wanted,
    and the date received by channel. Identity fields are encrypted at rest."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted online, awaiting confirmation")
        RECEIVED = "received", _("received, in progress")
        CORRECTION = "correction", _("awaiting correction")
        CONSULTATION = "consultation", _("third-party consultation")
        REPLIED = "replied", _("replied")
        WITHDRAWN = "withdrawn", _("withdrawn")

    S = Status
    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        S.SUBMITTED: frozenset({S.RECEIVED, S.WITHDRAWN}),
        S.RECEIVED: frozenset({S.CORRECTION, S.CONSULTATION, S.REPLIED, S.WITHDRAWN}),
        S.CORRECTION: frozenset({S.RECEIVED, S.WITHDRAWN}),
        S.CONSULTATION: frozenset({S.RECEIVED}),
        S.REPLIED: frozenset(),
        S.WITHDRAWN: frozenset(),
    }
    INITIAL: ClassVar[frozenset[str] | None] = frozenset({S.SUBMITTED, S.RECEIVED})

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        POST = "post", _("registered post")
        FAX = "fax", _("fax")
        EMAIL = "email", _("email")

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("natural person")
        BUSINESS = "business", _("commercial enterprise")
        RESEARCH = "research", _("research institution")
        NONPROFIT = "nonprofit", _("social welfare organisation")
        LEGAL = "legal", _("legal service organisation")
        OTHER = "other", _("other organisation")

    class Form(models.TextChoices):
        PAPER = "paper", _("paper copy")
        ELECTRONIC = "electronic", _("electronic file")
        VIEW = "view", _("view on site")

    class ReplyType(models.TextChoices):
        DISCLOSED = "disclosed", _("disclosed")
        PARTLY = "partly", _("partly disclosed")
        NOT_DISCLOSED = "not_disclosed", _("not disclosed")
        CANNOT_PROVIDE = "cannot_provide", _("cannot be provided")
        NOT_PROCESSED = "not_processed", _("not processed")
        OTHER = "other", _("other")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="foi_requests")
    number = models.CharField(_("number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    applicant_kind = models.CharField(_("applicant"), max_length=12, choices=ApplicantKind.choices)
    applicant_name = EncryptedTextField(_("applicant name"))
    applicant_id_number = EncryptedTextField(_("ID or registration number"), blank=True)
    contact = EncryptedTextField(_("contact (phone, address or email)"))
    description = models.TextField(_("information requested"))
    purpose = models.TextField(_("purpose"), blank=True)
    form = models.CharField(_("form wanted"), max_length=12, choices=Form.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="foi_requests"
    )
    receipt_hash = models.CharField(max_length=128, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    received_on = models.DateField(_("date received"), null=True, blank=True)
    correction_asked_on = models.DateField(_("correction asked on"), null=True, blank=True)
    correction_text = models.TextField(_("what must be corrected"), blank=True)
    correction_due_on = models.DateField(
        _("correction due by"), null=True, blank=True
    )  # FOI-2: the period given; after it, no correction = withdrawn
    correction_received_on = models.DateField(_("correction received on"), null=True, blank=True)
    reply_type = models.CharField(_("reply type"), max_length=16, choices=ReplyType.choices, blank=True)
    reply_reason = models.CharField(_("reason"), max_length=40, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_number = models.CharField(_("reply number"), max_length=40, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True, db_index=True)
    handover_note = models.CharField(_("handed to petitions"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("FOI request")
        verbose_name_plural = _("FOI requests")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("disclosure:staff-foi", kwargs={"pk": self.pk})


class AnnualReport(StatefulModel):
    """FOI-5: a bureau's annual report on government information disclosure
    (国办公开办函〔2021〕30号, six sections). What the records hold is computed when the
    report is issued (section 2's normative documents, section 3's request table);
    what they do not hold the office enters here (the overview, section 2's other
    figures, section 4's reconsideration and litigation table, sections 5 and 6),
    every change audited. Issued once as a core document record."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")

    ALLOWED: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.ISSUED}),
        Status.ISSUED: frozenset(),
    }

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="foi_annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    overview = models.TextField(_("overview"), blank=True)
    entered = models.JSONField(_("figures entered by the office"), default=dict, blank=True)
    problems = models.TextField(_("main problems and improvements"), blank=True)
    other = models.TextField(_("other matters"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual disclosure report")
        verbose_name_plural = _("annual disclosure reports")
        ordering = ["-year", "bureau"]
        constraints = [models.UniqueConstraint(fields=["bureau", "year"], name="disclosure_annual_report_unique")]

    def __str__(self) -> str:
        return f"{self.bureau} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:staff-annual-report", kwargs={"year": self.year})
