"""Major decisions (三重一大, 重大行政决策): decision items with their statutory steps,
leadership meetings (agenda, members present and absent, recusals, speaking order,
named votes, dissent, frozen minutes and signed amendments), public consultation on
drafts, execution tasks under supervision, and the construction projects a decision
starts with their tenders, contracts, progress and payments. Rules OVS-3, DEC-1,
DEC-2, DEC-3, FND-2.

Money is integer fen. Status changes go through ``core.transitions.transition()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.fields import EncryptedTextField
from sunshine.core.models import IssuedDocument, StatefulModel, StoredFile
from sunshine.orgs.models import Organization


class Category(models.TextChoices):
    """OVS-3: the four kinds of matter decided collectively (三重一大)."""

    MAJOR_DECISION = "major_decision", _("major decision")
    APPOINTMENT = "appointment", _("appointment or removal")
    MAJOR_PROJECT = "major_project", _("major project")
    LARGE_EXPENDITURE = "large_expenditure", _("large expenditure")


class Step(models.TextChoices):
    """DEC-2: the statutory steps of a major administrative decision before it is discussed."""

    PUBLIC_PARTICIPATION = "public_participation", _("public participation")
    EXPERT_OPINION = "expert_opinion", _("expert opinion")
    RISK_ASSESSMENT = "risk_assessment", _("risk assessment")
    LEGALITY_REVIEW = "legality_review", _("legality review")


class DecisionItem(StatefulModel):
    """A matter put to the deciding body (议题)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        SCHEDULED = "scheduled", _("on an agenda")
        DECIDED = "decided", _("adopted")
        REJECTED = "rejected", _("not adopted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ALLOWED = {
        Status.DRAFT: frozenset({Status.SCHEDULED, Status.WITHDRAWN}),
        Status.SCHEDULED: frozenset({Status.DECIDED, Status.REJECTED, Status.DRAFT}),
        Status.DECIDED: frozenset(),
        Status.REJECTED: frozenset({Status.DRAFT}),
        Status.WITHDRAWN: frozenset(),
    }

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="decision_items"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("summary"), blank=True)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    major_administrative = models.BooleanField(
        _("major administrative decision"),
        default=False,
        help_text=_("Needs public participation, expert opinion, risk assessment and legality review first."),
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="+"
    )
    proposing_unit = models.ForeignKey(
        Organization,
        verbose_name=_("proposing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_in = models.ForeignKey(
        "AgendaItem", verbose_name=_("decided in"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    published_url = models.CharField(_("public page"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # What the public reads (the decisions' pages and API): the title and the resolution
    # as they passed the personal-data gate when published, with the redaction the
    # reviewer took (core.privacy); the fields above keep them as adopted.
    public_title = models.CharField(_("title, as published"), max_length=200, blank=True)
    public_resolution = models.TextField(_("resolution, as published"), blank=True)

    class Meta:
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A decision is only ever recorded from the agenda of a quorate meeting (DEC-2, DEC-3).
            models.CheckConstraint(
                condition=~Q(status__in=["decided", "rejected"]) | Q(decided_in__isnull=False),
                name="decisions_item_decided_in_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ItemMaterial(models.Model):
    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    stored_file = models.ForeignKey(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title


class StatutoryStep(models.Model):
    """One statutory step done for an item, with the document that proves it (DEC-2)."""

    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=24, choices=Step.choices)
    title = models.CharField(_("document"), max_length=200)
    done_on = models.DateField(_("done on"))
    stored_file = models.ForeignKey(
        StoredFile, verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        IssuedDocument, verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statutory step")
        verbose_name_plural = _("statutory steps")
        ordering = ["item", "step"]
        constraints = [
            models.UniqueConstraint(fields=["item", "step"], name="decisions_step_once"),
            models.CheckConstraint(
                condition=Q(stored_file__isnull=False) | Q(document__isnull=False), name="decisions_step_has_document"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}：{self.title}"


class Meeting(StatefulModel):
    """A meeting of a deciding body: the bureau's leadership meetings, a school's staff congress."""

    class Kind(models.TextChoices):
        PARTY_GOVERNMENT = "party_government", _("party and government leadership meeting")
        BUREAU_AFFAIRS = "bureau_affairs", _("bureau affairs meeting")
        SCHOOL_LEADERSHIP = "school_leadership", _("school leadership meeting")
        STAFF_CONGRESS = "staff_congress", _("staff congress")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", pgettext_lazy("meeting", "in session")
        CLOSED = "closed", pgettext_lazy("meeting", "closed")

    ALLOWED = {
        Status.PLANNED: frozenset({Status.HELD}),
        Status.HELD: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="decision_meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    chair = models.CharField(_("chair"), max_length=50, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorder"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.CharField(
        _("also attending"), max_length=400, blank=True, help_text=_("People attending without a vote, by name.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    minutes = models.ForeignKey(
        IssuedDocument, verbose_name=_("minutes"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class MeetingMember(models.Model):
    """A member of the deciding body at one meeting: present or absent (with the reason)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_principal = models.BooleanField(_("principal leader"), default=False)
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="decisions_member_name_once"),
            models.UniqueConstraint(fields=["meeting"], condition=Q(is_principal=True), name="decisions_one_principal"),
        ]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    """One point of a meeting's agenda: a matter to decide, or a progress report."""

    class Kind(models.TextChoices):
        DECIDE = "decide", _("to decide")
        REPORT = "report", _("progress report")

    class Outcome(models.TextChoices):
        PENDING = "", _("not yet decided")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("not adopted")
        DEFERRED = "deferred", _("deferred")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DECIDE)
    item = models.ForeignKey(
        DecisionItem, verbose_name=_("decision item"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    report_text = models.TextField(_("progress reported"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "item", "kind"], name="decisions_agenda_item_once"),
        ]

    def __str__(self) -> str:
        return self.item.title


class Recusal(models.Model):
    """DEC-3: a member with an interest steps aside from one agenda item."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField(_("interest"), max_length=200)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [models.UniqueConstraint(fields=["agenda_item", "member"], name="decisions_recusal_once")]

    def __str__(self) -> str:
        return self.member.name


class Speech(models.Model):
    """A member's view on an agenda item, in speaking order (DEC-3: the principal last)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speeches")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT, related_name="speeches")
    order = models.PositiveSmallIntegerField()
    text = models.TextField(_("view"))

    class Meta:
        verbose_name = _("speech")
        verbose_name_plural = _("speeches")
        ordering = ["agenda_item", "order"]
        constraints = [models.UniqueConstraint(fields=["agenda_item", "member"], name="decisions_speech_once")]

    def __str__(self) -> str:
        return self.member.name


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        ABSTAIN = "abstain", _("abstain")

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    dissent = models.TextField(_("dissent in the member's words"), blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "member"], name="decisions_vote_once"),
            models.CheckConstraint(condition=~Q(choice="against") | ~Q(dissent=""), name="decisions_dissent_given"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.get_choice_display()}"


class MinutesAmendment(models.Model):
    """A signed correction of frozen minutes: a new version of the document, the old one kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="amendments")
    text = models.TextField(_("correction"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("amendment of the minutes")
        verbose_name_plural = _("amendments of the minutes")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Consultation(StatefulModel):
    """DEC-1: a draft put to the public for comment, at least 30 days."""

    class Status(models.TextChoices):
        OPEN = "open", _("open for comment")
        CLOSED = "closed", pgettext_lazy("consultation", "closed")
        REPORTED = "reported", _("report issued")

    ALLOWED = {
        Status.OPEN: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset({Status.REPORTED}),
        Status.REPORTED: frozenset(),
    }

    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="consultations")
    title = models.CharField(_("title"), max_length=200)
    draft = models.TextField(_("draft"))
    opened_at = models.DateTimeField(_("opened at"))
    closes_on = models.DateField(_("open at least until"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    report = models.ForeignKey(
        IssuedDocument, verbose_name=_("consultation report"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def days_open(self) -> int:
        end = self.closed_at or timezone.now()
        return max((timezone.localdate(end) - timezone.localdate(self.opened_at)).days, 0)


class CommentGroup(models.Model):
    """Comments that say the same thing, answered together in the report (DEC-1 Art. 15)."""

    class Answer(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        PARTLY = "partly", _("partly adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(_("what the comments say"), max_length=200)
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices, blank=True)
    reason = models.TextField(_("how the comments were used, and why"), blank=True)
    # What the public reads (the page and the report): the title and the reason as they
    # passed the personal-data gate when the report was issued, with the redaction the
    # reviewer took (core.privacy); the fields above keep them as written.
    public_title = models.CharField(_("what the comments say, as published"), max_length=200, blank=True)
    public_reason = models.TextField(_("how the comments were used, as published"), blank=True)

    class Meta:
        verbose_name = _("group of comments")
        verbose_name_plural = _("groups of comments")
        ordering = ["consultation", "pk"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    class Moderation(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("comment"))
    named = models.BooleanField(_("named"), default=False)
    name = EncryptedTextField(_("name"), blank=True, default="")
    contact = EncryptedTextField(_("contact"), blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    group = models.ForeignKey(
        CommentGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Task(StatefulModel):
    """Execution of a decision: a task handed to a unit under supervision (督办)."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        DONE = "done", _("carried out")

    ALLOWED = {Status.OPEN: frozenset({Status.DONE}), Status.DONE: frozenset()}

    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(Organization, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("task"), max_length=300)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    progress = models.TextField(_("progress"), blank=True)
    progress_at = models.DateTimeField(_("progress reported at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class Project(models.Model):
    """A construction project a decision starts (a kindergarten building): tender, contract,
    progress and payments (FND-2, through the funds seams)."""

    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="projects")
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    ceiling_fen = models.PositiveBigIntegerField(_("ceiling price (fen)"))
    created_at = models.DateTimeField(default=timezone.now)
    fund_url = models.CharField(max_length=300, blank=True)
    tender_published_url = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        return f"decisions.project:{self.pk}"


class Tender(models.Model):
    class Method(models.TextChoices):
        OPEN = "open", _("open tender")
        INVITED = "invited", _("invited tender")
        NEGOTIATION = "negotiation", _("competitive negotiation")
        CONSULTATION = "consultation", _("competitive consultation")
        INQUIRY = "inquiry", _("request for quotations")
        SINGLE_SOURCE = "single_source", _("single source")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="tender")
    method = models.CharField(pgettext_lazy("procurement", "method"), max_length=16, choices=Method.choices)
    opened_on = models.DateField(_("bids opened on"))
    winner = models.ForeignKey(
        "Bid", verbose_name=_("winner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return self.project.title


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    bidder = models.CharField(_("bidder"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("price (fen)"))

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["amount_fen", "pk"]
        constraints = [models.UniqueConstraint(fields=["tender", "bidder"], name="decisions_bid_once")]

    def __str__(self) -> str:
        return self.bidder


class Contract(models.Model):
    """A contract of a project, or a purchase on its own (what the split-purchase flag reads)."""

    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.PROTECT)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts")
    purpose = models.CharField(_("purpose"), max_length=100)
    contractor = models.CharField(_("contractor"), max_length=100)
    price_fen = models.PositiveBigIntegerField(_("price (fen)"))
    signed_on = models.DateField(_("signed on"))
    number = models.CharField(_("contract number"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose}（{self.contractor}）"


class ProgressReport(models.Model):
    """Construction progress reported to the meeting (the certified figure is kept by funds)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    progress_bp = models.PositiveIntegerField(_("progress (basis points)"))
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(progress_bp__lte=10000), name="decisions_progress_bp")]

    def __str__(self) -> str:
        return f"{self.project}：{self.progress_bp / 100:.0f}%"


class Payment(models.Model):
    """A payment funds accepted for a project (FND-2: never ahead of certified progress)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    voucher = models.CharField(_("voucher"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return self.voucher


class TitleRound(StatefulModel):
    """A school's promotion or title-evaluation round (职级晋升, 职称评审): criteria,
    applicants, results published for a publicity period, objections recorded."""

    class Kind(models.TextChoices):
        PROMOTION = "promotion", _("promotion")
        TITLE = "title", _("title evaluation")

    class Status(models.TextChoices):
        OPEN = "open", _("taking applications")
        PUBLISHED = "published", _("results under publicity")
        CLOSED = "closed", pgettext_lazy("round", "closed")

    ALLOWED = {
        Status.OPEN: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    organization = models.ForeignKey(
        Organization, verbose_name=_("school"), on_delete=models.PROTECT, related_name="title_rounds"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    criteria = models.TextField(_("criteria"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publicity_until = models.DateField(_("publicity at least until"), null=True, blank=True)
    published_url = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("promotion or title round")
        verbose_name_plural = _("promotion and title rounds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Applicant(models.Model):
    class Result(models.TextChoices):
        PENDING = "", _("not yet evaluated")
        RECOMMENDED = "recommended", _("recommended")
        NOT_RECOMMENDED = "not_recommended", _("not recommended")

    round = models.ForeignKey(TitleRound, on_delete=models.CASCADE, related_name="applicants")
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50, blank=True)
    materials = models.TextField(_("materials"), blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default="", blank=True)

    class Meta:
        verbose_name = pgettext_lazy("title round", "applicant")
        verbose_name_plural = _("applicants")
        ordering = ["round", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="decisions_applicant_once")]

    def __str__(self) -> str:
        return self.name


class Objection(models.Model):
    """An objection received during the publicity period, and its answer."""

    round = models.ForeignKey(TitleRound, on_delete=models.CASCADE, related_name="objections")
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("objection"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
