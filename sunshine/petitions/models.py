"""Letters, visits and reports (信访举报): the case, its filer's identity, its messages,
replies, ratings, identity openings and recusals. Rules PET-1 … PET-10.

Identity is never on the case: it lives in ``FilerIdentity``, encrypted field by field,
opened only through ``petitions.services.identity_open`` (a recorded reason, an
authorised role, an audit entry). The accused person and unit are on the case, and
``petitions.access`` keeps the case away from them (PET-9).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.fields import EncryptedTextField
from sunshine.core.models import StatefulModel, StoredFile
from sunshine.orgs.models import Organization


class Petition(StatefulModel):
    class Kind(models.TextChoices):
        REPORT = "report", _("report against staff")
        COMPLAINT = "complaint", _("complaint or request")
        SUGGESTION = "suggestion", _("suggestion")
        INQUIRY = "inquiry", _("inquiry")

    class Channel(models.TextChoices):
        """PET-1: the channels a case arrives by."""

        WEB = "web", _("web form")
        LETTER = "letter", _("letter")
        PHONE = "phone", _("phone call")
        FAX = "fax", _("fax")
        VISIT = "visit", _("visit in person")
        SUGGESTION_BOX = "suggestion_box", _("suggestion box")
        HOTLINE = "hotline", _("hotline transfer")
        FORWARDED = "forwarded", _("forwarded by another authority")
        OPINION = "opinion", _("online opinion")
        FOI = "foi", _("FOI request that is a complaint")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("not accepted")
        FORWARDED = "forwarded", _("forwarded")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        ANSWERED = "answered", _("answered")
        RATED = "rated", _("rated")
        UNDER_REVIEW = "under_review", _("under review")
        REVIEWED = "reviewed", _("reviewed")
        UNDER_REEXAMINATION = "under_reexamination", _("under re-examination")
        CLOSED = "closed", _("closed")

    S = Status
    ALLOWED = {
        S.REGISTERED: frozenset({S.ACCEPTED, S.DECLINED, S.FORWARDED}),
        S.ACCEPTED: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
        S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ANSWERED}),
        S.IN_PROGRESS: frozenset({S.ANSWERED}),
        S.ANSWERED: frozenset({S.RATED, S.UNDER_REVIEW, S.CLOSED}),
        S.RATED: frozenset({S.UNDER_REVIEW, S.CLOSED}),
        S.UNDER_REVIEW: frozenset({S.REVIEWED}),
        S.REVIEWED: frozenset({S.UNDER_REEXAMINATION, S.CLOSED}),
        S.UNDER_REEXAMINATION: frozenset({S.CLOSED}),
        S.DECLINED: frozenset({S.CLOSED}),
        S.FORWARDED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    }

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASICALLY = "basically", _("basically satisfied")
        UNSATISFIED = "unsatisfied", _("unsatisfied")

    bureau = models.ForeignKey(
        Organization, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="petitions_received"
    )
    number = models.CharField(_("case number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.REGISTERED)

    # PET-2: the request, the facts and the reasons.
    title = models.CharField(_("subject"), max_length=200)
    facts = models.TextField(_("facts"))
    request = models.TextField(_("request"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)

    subject_organization = models.ForeignKey(
        Organization,
        verbose_name=_("school or department concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_about",
    )
    # PET-9: who is accused. A case never reaches them (see petitions.access).
    accused_organization = models.ForeignKey(
        Organization,
        verbose_name=_("accused unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_accusing",
    )
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accused staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_accusing",
    )
    accused_name = models.CharField(_("accused person (as written)"), max_length=50, blank=True)
    # PET-9: triage confirms the accused unit and links the person named to a staff record
    # (or records that none matches); a report is assigned only after this.
    accused_confirmed_at = models.DateTimeField(_("accused confirmed at"), null=True, blank=True)
    accused_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # PET-8: real name = a name or unit PLUS a working contact; decided by the service.
    named = models.BooleanField(_("real-name"), default=False)
    receipt_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    filer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filer's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions_filed",
    )
    consent_publish = models.BooleanField(_("may be published, anonymised"), default=False)
    source_label = models.CharField(pgettext_lazy("seam", "source"), max_length=64, blank=True)  # e.g. "fees.notice:42"
    forwarded_to = models.CharField(_("forwarded to"), max_length=100, blank=True)
    # Document numbers (示教信〔2026〕12号) of the PET-3 notice and of the 督办单.
    acceptance_number = models.CharField(_("notice number"), max_length=40, blank=True)
    supervision_number = models.CharField(_("supervision notice number"), max_length=40, blank=True)
    decline_reason = models.TextField(_("reason for not accepting"), blank=True)
    # PET-3: a case that is not ours tells the filer where to go instead.
    decline_where = models.CharField(_("where to go instead"), max_length=200, blank=True)
    # PET-7: a case refused as the same facts and reasons as an earlier re-examined case.
    same_facts_as = models.ForeignKey(
        "self",
        verbose_name=_("same facts as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    assigned_to = models.ForeignKey(
        Organization,
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions_assigned",
    )
    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # PET-3: when the filer was told in writing that the case is accepted, not accepted
    # or forwarded (or, PET-4, returned to the authority that sent it).
    notified_at = models.DateTimeField(_("notice given at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # PET-6 (LOCAL PET-6-leader-signoff): the leader's sign-off of the reply about to be
    # issued, for the stage the case is in; the reply clears it.
    reply_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reply signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_signed_off_at = models.DateTimeField(_("reply signed off at"), null=True, blank=True)
    reply_signed_off_status = models.CharField(max_length=32, blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Copies of the running clocks' due dates (the supervisions stay the source), kept
    # on the case so that PET-10 figures are one aggregate query.
    notice_due_at = models.DateTimeField(_("notice due"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    result_told_at = models.DateTimeField(_("result told at"), null=True, blank=True)
    # PET-10: whether the handling clock never ran past the deadline in force
    # (core.supervision.supervision_on_time), recorded when the first reply stops it.
    handling_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    # PET-5: one extension (its size is the clock's), approved by the unit head, reason told to the filer.
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for extension"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    # PET-10 figures recorded on the case.
    refunds_ordered_fen = models.BigIntegerField(_("refunds ordered (fen)"), default=0)
    sanctions = models.PositiveSmallIntegerField(_("sanctions"), default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["bureau", "status", "received_at"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["bureau", "named", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(refunds_ordered_fen__gte=0), name="petitions_refunds_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def audit_label(self) -> str:
        """What the audit log records of a case: its number, never the filer or the text."""
        return self.number


class FilerIdentity(models.Model):
    """The filer's identity, encrypted at rest field by field (core.fields). Opened only
    through ``identity_open`` with a reason. ``phone_index``/``id_index``/``email_index``
    are the contact keys (blind indexes, ``core.crypto.blind_index``) that link the same
    filer's cases (``PetitionLink``) and find PET-7's earlier cases; ``name_index`` is
    kept but never links (names are not unique). Never reversible; blank on an
    anonymous case (PET-8: not real-name), whatever the filer typed."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="identity")
    name = EncryptedTextField(pgettext_lazy("person", "name"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    unit = EncryptedTextField(_("work unit"), blank=True)
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("filer identity")
        verbose_name_plural = _("filer identities")

    def __str__(self) -> str:
        return f"identity of {self.petition_id}"


class IdentityOpening(models.Model):
    """Each time someone read a filer's identity, and why (GlobaLeaks' custodian model)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="identity_openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity opening")
        verbose_name_plural = _("identity openings")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.user_id} · {self.opened_at:%Y-%m-%d}"


class Message(models.Model):
    """A message to or from the filer, or an internal note staff only see."""

    class Direction(models.TextChoices):
        TO_FILER = "to_filer", _("to the filer")
        FROM_FILER = "from_filer", _("from the filer")
        INTERNAL = "internal", _("internal note")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    text = models.TextField(_("text"))
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.direction} {self.created_at:%Y-%m-%d}"


class Reply(models.Model):
    """PET-6: the written reply (处理意见书) with its statutory fields, one per stage."""

    class Stage(models.TextChoices):
        FIRST = "first", _("reply")
        REVIEW = "review", _("review")
        REEXAMINATION = "reexamination", _("re-examination")

    class Decision(models.TextChoices):
        SUPPORTED = "supported", _("supported")
        EXPLAINED = "explained", _("explained")
        NOT_SUPPORTED = "not_supported", _("not supported")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="replies")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    request_summary = models.TextField(_("the request"))
    facts = models.TextField(_("facts found"))
    reasons = models.TextField(_("reasons"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    legal_basis = models.TextField(pgettext_lazy("petition reply", "legal basis"))
    # Unique per bureau through the locked CaseCounter (two bureaus may both issue 〔2026〕1号).
    document_number = models.CharField(_("document number"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["issued_at"]
        constraints = [models.UniqueConstraint(fields=["petition", "stage"], name="petitions_one_reply_per_stage")]

    def __str__(self) -> str:
        return self.document_number


class UnitReport(models.Model):
    """PET-5/PET-6: the handling unit's report (办理情况报告) to the bureau that assigned
    the case — what it found and what it did. On an assigned case it comes before the
    written reply; the bureau may return it for more work (the returned one is kept)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="unit_reports")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("facts found"))
    actions = models.TextField(_("what was done"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("reported at"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("handling report")
        verbose_name_plural = _("handling reports")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.submitted_at:%Y-%m-%d}"

    @property
    def live(self) -> bool:
        return self.returned_at is None


class Recusal(models.Model):
    """PET-9: a staff member with an interest in a case steps aside from it."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recusals")
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [models.UniqueConstraint(fields=["petition", "user"], name="petitions_recusal_unique")]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.user_id}"


class ReceiptAttempt(models.Model):
    """Each look-up by receipt code, for the record: whether it found a case, whether it
    was throttled, when. Neither the code nor the address is stored (an anonymous
    filer following a case leaves no address behind; the throttle keeps only keyed
    counters)."""

    succeeded = models.BooleanField(default=False)
    throttled = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("receipt look-up")
        verbose_name_plural = _("receipt look-ups")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class CaseCounter(models.Model):
    """The per-bureau, per-year sequence behind case and reply numbers (locked row)."""

    bureau = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)  # "case" or "reply"
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case counter")
        verbose_name_plural = _("case counters")
        constraints = [models.UniqueConstraint(fields=["bureau", "year", "kind"], name="petitions_counter_unique")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.year} {self.kind} {self.last}"


class FilerNotice(models.Model):
    """One delivery of a message to the filer through one sender (notices.py): the
    tracking page always shows the message; e-mail / SMS senders are pluggable
    (``SUNSHINE_FILER_NOTIFIERS``). Holds no identity and no text, only the record."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("not accepted")
        FORWARDED = "forwarded", _("forwarded")
        EXTENDED = "extended", _("deadline extended")
        REPLY = "reply", _("reply issued")
        RESULT = "result", _("result")
        MESSAGE = "message", _("message")
        CLOSED = "closed", _("closed")

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="filer_notices")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filer notice")
        verbose_name_plural = _("filer notices")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.channel} {self.status}"


class PetitionTextBand(models.Model):
    """One LSH band key of a case's text (``core.textsim.band_keys`` over its subject,
    facts and request): cases sharing a key are the candidates of the near-duplicate
    check, compared exactly afterwards. Sixteen rows per case; none for a text too short."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="text_bands")
    band = models.BigIntegerField(_("band key"))
    # Copies of the case's bureau and time of receipt, so that the candidates of a case
    # are one index range (band, bureau, look-back window) without reading the cases.
    bureau = models.ForeignKey(
        Organization, verbose_name=_("bureau"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("text band")
        verbose_name_plural = _("text bands")
        constraints = [models.UniqueConstraint(fields=["petition", "band"], name="petitions_text_band_unique")]
        indexes = [models.Index(fields=["band", "bureau", "received_at"], name="petitions_band_window")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.band}"


class PetitionLink(models.Model):
    """Two cases of one bureau linked as the same filer and/or alike in content
    (services.petition_links_find), one row per pair seen from both cases, never merged.

    ``same_filer``: a contact key (phone, ID number, e-mail; both cases real-name) or the
    filer's account is the same — "同一来信人". ``likeness``: the Jaccard index of the two
    texts when at or above ``rules.LINK_LIKENESS`` — "内容相近". Same filer, different
    matter is linked as the same filer and is not a repeat; a repeat (重复信访) is the same
    filer with alike content, or a link staff confirmed as one matter. Staff confirm or
    dismiss a suggested link; an anonymous case is only ever linked by its content."""

    class State(models.TextChoices):
        SUGGESTED = "suggested", _("suggested")
        CONFIRMED = "confirmed", _("confirmed as the same matter")
        DISMISSED = "dismissed", _("dismissed: not the same matter")

    earlier = models.ForeignKey(Petition, verbose_name=_("earlier case"), on_delete=models.CASCADE, related_name="+")
    later = models.ForeignKey(Petition, verbose_name=_("later case"), on_delete=models.CASCADE, related_name="+")
    same_filer = models.BooleanField(_("same filer"), default=False)
    likeness = models.FloatField(_("likeness of the texts"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SUGGESTED)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        constraints = [
            models.UniqueConstraint(fields=["earlier", "later"], name="petitions_link_unique"),
            models.CheckConstraint(condition=~Q(earlier=models.F("later")), name="petitions_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.earlier_id} ~ {self.later_id}"

    @property
    def audit_label(self) -> str:
        return f"{self.earlier_id}~{self.later_id}"

    def other(self, petition: Petition | int) -> int:
        pk = petition if isinstance(petition, int) else petition.pk
        return self.later_id if pk == self.earlier_id else self.earlier_id
