"""Every write of disclosure: the catalogue, documents and their workflow, attachments,
the quarterly inspection, and FOI requests with their clocks."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_public, audit_record
from sunshine.core.clocks import SHANGHAI, Deadline, clock_get, deadline, score_rag, score_thresholds
from sunshine.core.crypto import keyed_hash, receipt_code_new
from sunshine.core.documents import DOCX_TYPE, json_text
from sunshine.core.issued import document_issue
from sunshine.core.local_rules import period_name
from sunshine.core.models import Notification, Supervision, SupervisionPause
from sunshine.core.notifications import notify
from sunshine.core.privacy import NO_REVIEW, Review, audit_summary, guard_publication, html_text, review_record, scan
from sunshine.core.seams import (
    DisclosureEntry,
    DisclosureEntryResult,
    PetitionIntake,
    SeamUnavailable,
    petition_intake,
)
from sunshine.core.search import search_index, search_remove
from sunshine.core.supervision import (
    supervision_cancel,
    supervision_close,
    supervision_extend,
    supervision_get_active,
    supervision_latest_of,
    supervision_list_of,
    supervision_open,
    supervision_pause,
    supervision_pause_open,
    supervision_resume,
)
from sunshine.core.transitions import TransitionConflict, status_history, transition
from sunshine.core.uploads import KIND_DATA, KIND_DOCUMENTS, upload_store
from sunshine.disclosure import access, rules
from sunshine.disclosure.extract import extract_text
from sunshine.disclosure.letters import FOI_REPLY_DOCUMENT, reply_letter_docx
from sunshine.disclosure.models import (
    AnnualReport,
    Attachment,
    Category,
    Document,
    DocumentVersion,
    FoiRequest,
    Inspection,
    InspectionResult,
    RequiredItem,
)
from sunshine.orgs.models import Organization

SEARCH_PUBLIC = "disclosure.document"
SEARCH_DRAFT = "disclosure.draft"
ATTACHMENT_PURPOSE = "disclosure.attachment"
ATTACHMENT_KINDS = KIND_DOCUMENTS | KIND_DATA | {"xlsx"}  # data: a lottery's bundle, open data
RECEIPT_PURPOSE = "disclosure.receipt"

D = Document.Status
F = FoiRequest.Status


# --- Catalogue ----------------------------------------------------------------------


def categories_ensure() -> None:
    """DIS-2: create the national categories and the required-disclosure checklists
    (idempotent; run by the migration, the demo and the tests)."""
    for code, name, scope, order in rules.CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={"name": rules.catalogue_msgid(name), "scope": scope, "rule": "DIS-2", "order": order},
        )
    categories = {c.code: c for c in Category.objects.all()}
    for index, (kind, code, name, frequency) in enumerate(rules.REQUIRED):
        RequiredItem.objects.get_or_create(
            org_kind=kind,
            category=categories[code],
            name=rules.catalogue_msgid(name),
            defaults={"frequency": frequency, "order": index},
        )


@transaction.atomic
def category_create_local(*, actor: Any, bureau: Organization, code: str, name: str, scope: str) -> Category:
    """A local category a bureau adds to its district's catalogue (room beyond DIS-2)."""
    category = Category(code=code, name=name, scope=scope, organization=bureau, rule="", order=500)
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="disclosure.category_create", target=category, data={"code": code})
    return category


def categories_for(organization: Organization) -> list[Category]:
    bureau = organization.bureau
    return [
        c
        for c in Category.objects.all()
        if c.applies_to(organization) and (c.organization_id is None or c.organization_id == bureau.pk)
    ]


# --- Safe rich text ----------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "span", "div", "hr",
}  # fmt: skip


_HTML_MARK = re.compile(r"<\s*/?\s*(p|br|table|ul|ol|li|h[2-4]|div|blockquote|strong|em|a)\b", re.IGNORECASE)
_PLAIN_TAGS = re.compile(r"<(?!/?p\b|br\b)[^>]*>", re.IGNORECASE)


def body_from_text(text: str) -> str:
    """What a writer types → the safe HTML stored: each non-empty line a paragraph, the
    text escaped. A body already written as HTML (a table pasted from a file) is kept,
    sanitised (:func:`body_sanitise`)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if _HTML_MARK.search(text):
        return body_sanitise(text)
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.split("\n") if line.strip())


def body_to_text(html: str) -> str:
    """The stored body as the writer edits it: paragraphs as lines. A body with more than
    paragraphs and line breaks (tables, lists) is shown as its HTML, so nothing is lost."""
    html = html or ""
    if _PLAIN_TAGS.search(html):
        return html
    text = re.sub(r"<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    text = re.sub(r"</p\s*>", "\n", text, flags=re.IGNORECASE)
    return unescape(strip_tags(text)).strip()


def body_sanitise(html: str) -> str:
    """Safe rich text: a whitelist of tags; script, style, event handlers (on*), and
    javascript: links are removed (nh3 / ammonia)."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def body_plain(html: str) -> str:
    return strip_tags(html.replace("</p>", "\n").replace("<br>", "\n"))


# --- Documents -----------------------------------------------------------------------


def _check_edit(actor: Any, document: Document) -> None:
    if not access.may_edit(actor, document):
        raise PermissionDenied


def _search_grants(organization: Organization) -> list[int]:
    grants = [organization.pk]
    if organization.parent_id and organization.kind == Organization.Kind.SCHOOL:
        grants.append(organization.parent_id)
    return grants


def _index_draft(document: Document) -> None:
    """Staff search also finds working copies (visible to the organisation and its bureau)."""
    search_index(
        doc_type=SEARCH_DRAFT,
        object_id=document.pk,
        organization_id=document.organization_id,
        category=document.category.code,
        title=document.title,
        body=body_plain(document.body),
        published_at=None,
        visibility=_search_grants(document.organization),
        url=reverse("disclosure:staff-document", kwargs={"pk": document.pk}),
    )


def _index_public(document: Document, version: DocumentVersion) -> None:
    texts = [body_plain(version.body)] + [a.name + "\n" + a.text for a in version.attachments.all()]
    search_index(
        doc_type=SEARCH_PUBLIC,
        object_id=document.pk,
        organization_id=document.organization_id,
        category=document.category.code,
        title=version.title,
        body="\n".join(texts),
        published_at=version.published_at,
        visibility="public",
        url=document.get_absolute_url(),
    )


_EDITABLE = ("category", "title", "number", "issued_on", "valid_until", "info_date", "body", "change_note")


def _dis1_open(document: Document, *, actor: Any) -> None:
    """DIS-1: information created or changed and not yet published runs the 20-working-day
    publication clock under supervision of its organisation (reminders, escalation);
    publication closes it. One live clock per document."""
    if supervision_get_active(item=document, rule_id=rules.PUBLICATION_CLOCK) is not None:
        return
    supervision_open(
        item=document,
        organization=document.organization,
        rule_id=rules.PUBLICATION_CLOCK,
        start=datetime.combine(document.info_date, datetime.min.time(), tzinfo=SHANGHAI),
        actor=actor,
        title=_("Disclosure: %(title)s") % {"title": document.title[:150]},
    )


def _dis1_stop(document: Document, *, actor: Any, published: bool) -> None:
    supervision = supervision_get_active(item=document, rule_id=rules.PUBLICATION_CLOCK)
    if supervision is None:
        return
    if published:
        supervision_close(supervision=supervision, actor=actor, reason="published")
    else:
        supervision_cancel(supervision=supervision, actor=actor, reason="withdrawn")


@transaction.atomic
def document_create(
    *,
    actor: Any,
    organization: Organization,
    category: Category,
    title: str,
    info_date: date,
    body: str = "",
    number: str = "",
    issued_on: date | None = None,
    valid_until: date | None = None,
) -> Document:
    """A new draft in ``organization``'s catalogue; the body is sanitised on save."""
    document = Document(
        organization=organization,
        category=category,
        title=title,
        info_date=info_date,
        body=body_sanitise(body),
        number=number,
        issued_on=issued_on,
        valid_until=valid_until,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if not is_system(actor):
        _check_edit(actor, document)
    if not category.applies_to(organization):
        raise ValidationError({"category": _("This category is not part of this organisation's catalogue.")})
    document.full_clean()
    document.save()
    audit_record(
        actor=actor, action="disclosure.document_create", target=document, data={"organization": organization.pk}
    )
    _index_draft(document)
    _dis1_open(document, actor=actor)
    return document


@transaction.atomic
def document_update(*, actor: Any, document: Document, **changes: Any) -> Document:
    """Edit the working copy (a draft, or a published document being revised)."""
    if not is_system(actor):
        _check_edit(actor, document)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status not in (D.DRAFT, D.REVISION):
        raise ValidationError(_("Only a draft or a document being revised can be edited."))
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(document, name, body_sanitise(value) if name == "body" else value)
    if not document.category.applies_to(document.organization):
        raise ValidationError({"category": _("This category is not part of this organisation's catalogue.")})
    document.full_clean()
    document.save()
    audit_record(actor=actor, action="disclosure.document_update", target=document, data={"fields": sorted(changes)})
    _index_draft(document)
    if "info_date" in changes:  # DIS-1: the clock runs from the (new) date of the information
        _dis1_stop(document, actor=actor, published=False)
        _dis1_open(document, actor=actor)
    return document


def document_submit(*, actor: Any, document: Document) -> Document:
    """Draft (or revision) → review."""
    _check_edit(actor, document)
    transition(document, D.REVIEW, actor=actor)
    return document


def document_return(*, actor: Any, document: Document, reason: str) -> Document:
    """Review → back to the writer (draft, or revision if it was published before)."""
    if not access.may_approve(actor, document):
        raise PermissionDenied
    transition(document, D.REVISION if document.first_published_at else D.DRAFT, actor=actor, reason=reason)
    return document


def _privacy_parts(document: Document) -> list[tuple[str, str]]:
    parts = [
        (pgettext("publication part", "title"), document.title),
        (pgettext("publication part", "body"), html_text(document.body)),
        (pgettext("publication part", "change note"), document.change_note),
    ]
    for a in document.attachments.filter(removed=False).select_related("stored_file"):
        parts.append((a.name, _attachment_privacy_text(a)))
    return parts


def _attachment_privacy_text(attachment: Attachment) -> str:
    """The text the gate reads of an attachment: what was extracted for the search index,
    but the whole of a JSON file (a lottery's data runs past the index's limit)."""
    if attachment.stored_file.content_type == "application/json":
        with attachment.stored_file.file.open("rb") as handle:
            return json_text(handle.read())
    return attachment.text or ""


def document_scans(document: Document) -> list[str]:
    """The attachments the gate cannot read: PDFs without a text layer (scans). The
    reviewer must look at them and say so before the document is published."""
    return [
        a.name
        for a in document.attachments.filter(removed=False).select_related("stored_file")
        if a.stored_file.content_type == "application/pdf" and not (a.text or "").strip()
    ]


def document_privacy_check(document: Document, review: Review = NO_REVIEW) -> None:
    """The personal-data gate (core.privacy) on what would be published: the title, the
    body, the change note and the text of every attachment, and the scans without text
    looked at by the reviewer (``review``). Raises ``PersonalDataFound`` (a
    ValidationError naming the kinds, places and masked excerpts). PET-9, FOI-4."""
    guard_publication(*_privacy_parts(document), review=review, scans=document_scans(document))


@transaction.atomic
def document_redact(*, actor: Any, document: Document, review: Review = NO_REVIEW) -> dict[str, int]:
    """The reviewer takes the proposed redaction: every piece of personal data in the
    title, the body and the change note is replaced by its masked form (an identity
    number keeps its first six and last four characters, a name its surname). The document
    stays where it is in the workflow; the audit entry keeps counts per kind, never the
    data. Attachments cannot be masked here: one that still carries personal data keeps
    the document from being published until it is replaced. The landlines the reviewer
    marked as public office numbers (``review``) stay as they are."""
    if not (access.may_approve(actor, document) or access.may_edit(actor, document)):
        raise PermissionDenied
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.status not in (D.DRAFT, D.REVISION, D.REVIEW):
        raise ValidationError(_("Only a working copy can be changed."))
    text = body_to_text(locked.body)
    found = [f for part in (locked.title, text, locked.change_note) for f in scan(part) if not review.allows(f)]
    if not found:
        return {}
    locked.title = review.redact(locked.title)[:200]
    locked.body = body_from_text(review.redact(text))
    locked.change_note = review.redact(locked.change_note)
    locked.full_clean()
    locked.save(update_fields=["title", "body", "change_note"])
    document.title, document.body, document.change_note = locked.title, locked.body, locked.change_note
    counts = audit_summary(found)
    audit_record(actor=actor, action="disclosure.document_redact", target=locked, data={"masked": counts})
    return counts


def document_redaction_preview(document: Document, review: Review = NO_REVIEW) -> str:
    """The body as it would read with the proposed redaction (safe HTML)."""
    return body_from_text(review.redact(body_to_text(document.body)))


@transaction.atomic
def _publish_now(document: Document, *, actor: Any, now: datetime, review: Review = NO_REVIEW) -> DocumentVersion:
    locked = Document.objects.select_for_update().get(pk=document.pk)
    document_privacy_check(locked, review)
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=locked,
        number=number,
        title=locked.title,
        doc_number=locked.number,
        issued_on=locked.issued_on,
        valid_until=locked.valid_until,
        info_date=locked.info_date,
        body=locked.body,
        change_note=locked.change_note if number > 1 else "",
        published_at=now,
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    version.full_clean()
    version.save()
    version.attachments.set(locked.attachments.filter(removed=False))
    transition(
        document,
        D.PUBLISHED,
        actor=actor,
        data={"version": number},
        update={"first_published_at": locked.first_published_at or now, "last_published_at": now, "publish_at": None},
    )
    _index_public(document, version)
    search_remove(doc_type=SEARCH_DRAFT, object_id=document.pk)
    _dis1_stop(document, actor=actor, published=True)
    return version


def document_writers(document: Document) -> set[int]:
    """Who wrote this round of the document: its creator and whoever sent it to review."""
    writers = {document.created_by_id} if document.created_by_id else set()
    submitted = status_history(document).filter(new_status=D.REVIEW).order_by("-at", "-pk").first()
    if submitted is not None and submitted.actor_id:
        writers.add(submitted.actor_id)
    return writers


def _check_second_person(actor: Any, document: Document) -> None:
    """Four eyes: the person who publishes is not the person who wrote it."""
    if getattr(actor, "pk", None) in document_writers(document):
        raise ValidationError(
            _("A second person must publish this: the writer cannot approve their own document."), code="four_eyes"
        )


def document_publish(
    *, actor: Any, document: Document, at: datetime | None = None, review: Review = NO_REVIEW
) -> DocumentVersion | None:
    """Review → published now (a new version), or → scheduled for ``at`` (published by the
    periodic job :func:`documents_publish_due`). Returns the version when published now.
    ``review``: the reviewer's answer to the personal-data gate (public office numbers,
    scans looked at); a scheduled document keeps it for the job (it cannot change while
    scheduled)."""
    if not access.may_approve(actor, document):
        raise PermissionDenied
    _check_second_person(actor, document)
    now = timezone.now()
    document_privacy_check(document, review)
    if at is not None and at > now:
        data = {"at": at.isoformat(), "review": review.as_data()}
        transition(document, D.SCHEDULED, actor=actor, data=data, update={"publish_at": at})
        review_record(actor=actor, target=document, review=review, scans=document_scans(document))
        return None
    version = _publish_now(document, actor=actor, now=now, review=review)
    review_record(actor=actor, target=document, review=review, scans=document_scans(document))
    return version


def _scheduled_review(document: Document) -> Review:
    """The reviewer's answer to the gate given when the document was scheduled."""
    scheduled = status_history(document).filter(new_status=D.SCHEDULED).order_by("-at", "-pk").first()
    return Review.from_data((scheduled.data or {}).get("review") if scheduled is not None else None)


def documents_publish_due(*, now: datetime | None = None) -> list[int]:
    """Publish every scheduled document whose time has come (the periodic job). Two
    workers running at once publish each document once: the loser's transition finds
    the row already moved (TransitionConflict) and skips it."""
    now = now or timezone.now()
    published: list[int] = []
    for document in Document.objects.filter(status=D.SCHEDULED, publish_at__lte=now).order_by("publish_at", "pk"):
        try:
            _publish_now(document, actor=SYSTEM, now=document.publish_at or now, review=_scheduled_review(document))
        except (TransitionConflict, ValidationError):
            continue
        published.append(document.pk)
    return published


def document_revise(*, actor: Any, document: Document) -> Document:
    """Published → being revised: the public keeps reading the last version meanwhile.
    DIS-1: the change is to be published within the clock's working days."""
    with transaction.atomic():
        _check_edit(actor, document)
        transition(document, D.REVISION, actor=actor)
        _dis1_open(document, actor=actor)
    return document


@transaction.atomic
def document_withdraw(*, actor: Any, document: Document, reason: str) -> Document:
    """Withdraw from publication, with the reason; the document and its versions stay in
    the archive (公开档案) and leave public search."""
    if not access.may_approve(actor, document):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing this document.")})
    transition(
        document,
        D.WITHDRAWN,
        actor=actor,
        reason=reason,
        update={"withdrawn_at": timezone.now(), "withdrawn_reason": reason.strip()},
    )
    search_remove(doc_type=SEARCH_PUBLIC, object_id=document.pk)
    search_remove(doc_type=SEARCH_DRAFT, object_id=document.pk)
    _dis1_stop(document, actor=actor, published=False)
    return document


@transaction.atomic
def attachment_add(*, actor: Any, document: Document, file: Any) -> Attachment:
    """Store an attachment through core.uploads (type sniffed, size limited) and keep its
    text for search. Only the working copy (draft or revision) takes attachments."""
    _check_edit(actor, document)
    if document.status not in (D.DRAFT, D.REVISION):
        raise ValidationError(_("Attachments can be added to a draft or a document being revised."))
    stored = upload_store(file=file, purpose=ATTACHMENT_PURPOSE, actor=actor, allowed_kinds=ATTACHMENT_KINDS)
    text, note = extract_text(stored)
    attachment = Attachment(document=document, stored_file=stored, name=stored.original_name, text=text, text_note=note)
    attachment.full_clean()
    attachment.save()
    audit_record(actor=actor, action="disclosure.attachment_add", target=document, data={"file": str(stored.pk)})
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    """Take an attachment off the working copy; published versions keep it."""
    _check_edit(actor, attachment.document)
    attachment.removed = True
    attachment.save(update_fields=["removed"])
    audit_record(
        actor=actor,
        action="disclosure.attachment_remove",
        target=attachment.document,
        data={"file": str(attachment.stored_file_id)},
    )


# --- Entries other modules publish (core.seams.disclosure_entry_publish) ---------------------


def _category_of(key: str) -> Category:
    category = Category.objects.filter(code=key).first()
    if category is None and key in {code for code, *_rest in rules.CATEGORIES}:
        categories_ensure()  # a national category not yet in this database
        category = Category.objects.filter(code=key).first()
    if category is None:
        raise ValidationError({"category": _("The disclosure catalogue has no category “%(key)s”.") % {"key": key}})
    return category


@transaction.atomic
def entry_publish_receive(entry: DisclosureEntry, /, *, actor: Any) -> DisclosureEntryResult:
    """The receiver of ``core.seams.disclosure_entry_publish``: publish another module's
    entry in the organisation's catalogue now, as a new version (DIS-1: ``info_date``
    starts the clock; DIS-2: the category's checklist item counts it). The calling
    module's service has checked its actor's right, so no disclosure role is asked for
    and there is no review step; the actor is recorded. An entry whose ``source_label``
    is already in the catalogue (and not withdrawn) gets a new version of the same
    document, with the entry's files in place of the old ones."""
    # The personal-data gate before anything is stored; _publish_now checks the whole
    # document again, with the text of the attachments (PET-9, DIS-2, ENR-3, ENR-4).
    review = Review(public_numbers=frozenset(entry.public_numbers))
    guard_publication(
        (pgettext("publication part", "title"), entry.title),
        (pgettext("publication part", "body"), html_text(entry.body)),
        review=review,
    )
    organization = Organization.objects.get(pk=entry.organization_id)
    category = _category_of(entry.category)
    if not category.applies_to(organization):
        raise ValidationError({"category": _("This category is not part of this organisation's catalogue.")})
    if not entry.source_label:
        raise ValidationError(_("An entry from another module names its source."))
    values = {
        "category": category,
        "title": entry.title[:200],
        "number": entry.number[:60],
        "issued_on": entry.issued_on,
        "info_date": entry.info_date,
        "body": body_sanitise(entry.body),
    }
    document = (
        Document.objects.select_for_update()
        .filter(organization=organization, source_label=entry.source_label)
        .exclude(status=D.WITHDRAWN)
        .first()
    )
    if document is None:
        document = Document(
            organization=organization,
            source_label=entry.source_label,
            created_by=actor if getattr(actor, "pk", None) else None,
            **values,
        )
    else:
        if document.status == D.SCHEDULED:
            transition(document, D.REVIEW, actor=actor)
        if document.status == D.REVIEW:
            transition(document, D.REVISION if document.first_published_at else D.DRAFT, actor=actor)
        elif document.status == D.PUBLISHED:
            transition(document, D.REVISION, actor=actor)
        for name, value in values.items():
            setattr(document, name, value)
        document.attachments.filter(removed=False).update(removed=True)
    document.full_clean()
    document.save()
    for file in entry.attachments:
        stored = upload_store(
            file=ContentFile(file.content, name=file.name),
            purpose=ATTACHMENT_PURPOSE,
            actor=actor,
            allowed_kinds=ATTACHMENT_KINDS,
        )
        text, note = extract_text(stored)
        Attachment.objects.create(
            document=document, stored_file=stored, name=stored.original_name, text=text, text_note=note
        )
    audit_record(
        actor=actor,
        action="disclosure.entry_receive",
        target=document,
        data={"source": entry.source_label, "category": category.code, "files": len(entry.attachments)},
    )
    transition(document, D.REVIEW, actor=actor)
    version = _publish_now(document, actor=actor, now=timezone.now(), review=review)
    return DisclosureEntryResult(entry_id=document.pk, url=document.get_absolute_url(), version=version.number)


def version_dis1(version: DocumentVersion) -> tuple[Deadline, bool]:
    """DIS-1: due the clock's working days after the information was created or changed;
    on time when this version was published by then."""
    due = deadline(rules.PUBLICATION_CLOCK, version.info_date)
    return due, timezone.localdate(version.published_at) <= due.due_date


def document_dis1(document: Document) -> Deadline:
    return deadline(rules.PUBLICATION_CLOCK, document.info_date)


def document_dis1_due(info_date: date) -> date:
    """DIS-1: the last day to publish information created or changed on ``info_date``."""
    return deadline(rules.PUBLICATION_CLOCK, info_date).due_date


# --- Quarterly inspection -------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = (
        date(year + 1, 1, 1) - timedelta(days=1) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    )
    return start, end


@dataclass
class Gaps:
    required: int = 0
    present: int = 0
    published: int = 0
    on_time: int = 0
    missing: list[dict[str, Any]] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completeness(self) -> int:
        return round(100 * self.present / self.required) if self.required else 100

    @property
    def timeliness(self) -> int:
        """Share of the quarter's publications on time (DIS-1), counting information still
        unpublished past its DIS-1 deadline as late. With nothing published or due it is
        100 only when nothing required is missing: publishing nothing is never on time."""
        if self.published:
            return round(100 * self.on_time / self.published)
        return 0 if self.missing else 100

    @property
    def score(self) -> int:
        return round(rules.COMPLETENESS_WEIGHT * self.completeness + rules.TIMELINESS_WEIGHT * self.timeliness)


def organization_gaps(organization: Organization, *, year: int, quarter: int, today: date | None = None) -> Gaps:
    """DIS-2 completeness and DIS-1 timeliness of one organisation for a quarter: which
    required items are missing, which of the quarter's publications were late."""
    q_start, q_end = quarter_bounds(year, quarter)
    cutoff = min(q_end, today or timezone.localdate())
    kind = "school" if organization.kind == Organization.Kind.SCHOOL else "bureau"
    versions = list(
        DocumentVersion.objects.filter(document__organization=organization)
        .exclude(document__status=D.WITHDRAWN)
        .select_related("document__category")
    )
    gaps = Gaps()
    for item in RequiredItem.objects.filter(org_kind=kind).select_related("category"):
        gaps.required += 1
        if item.frequency == RequiredItem.Frequency.QUARTERLY:
            window = (q_start, cutoff)
        elif item.frequency == RequiredItem.Frequency.ANNUAL:
            window = (date(year, 1, 1), cutoff)
        else:
            window = (date(1900, 1, 1), cutoff)
        found = any(
            v.document.category_id == item.category_id and window[0] <= timezone.localdate(v.published_at) <= window[1]
            for v in versions
        )
        if found:
            gaps.present += 1
        else:
            gaps.missing.append(
                {"item": item.name, "category": item.category.name, "frequency": str(item.get_frequency_display())}
            )
    unpublished = Document.objects.filter(
        organization=organization, first_published_at__isnull=True, info_date__lte=cutoff
    ).exclude(status=D.WITHDRAWN)
    for document in unpublished:  # DIS-1: created, never published, its deadline passed in the quarter
        due = document_dis1(document)
        if q_start <= due.due_date < cutoff:
            gaps.published += 1
            gaps.late.append(
                {
                    "title": document.title,
                    "document": document.pk,
                    "version": 0,
                    "due": due.due_date.isoformat(),
                    "published": "",
                }
            )
    for version in versions:
        day = timezone.localdate(version.published_at)
        if not q_start <= day <= cutoff:
            continue
        gaps.published += 1
        due, on_time = version_dis1(version)
        if on_time:
            gaps.on_time += 1
        else:
            gaps.late.append(
                {
                    "title": version.title,
                    "document": version.document_id,
                    "version": version.number,
                    "due": due.due_date.isoformat(),
                    "published": day.isoformat(),
                }
            )
    return gaps


@transaction.atomic
def inspection_run(
    *,
    actor: Any,
    bureau: Organization,
    year: int,
    quarter: int,
    today: date | None = None,
) -> Inspection:
    """The quarterly inspection (季度检查): score the bureau itself against its own DIS-2
    checklist, and every active school under it against the school checklist, for
    completeness (DIS-2) and timeliness (DIS-1), rate it red/amber/green with the
    period's lines (OVS-1, ``core.clocks.score_rag``) and list what is missing or late.
    The lines in force are recorded on the inspection, so its bulletin keeps them.
    Re-running recomputes a draft (with the lines then in force); a published one is final."""
    if not is_system(actor) and not access.inspection_bureaus_of(actor).filter(pk=bureau.pk).exists():
        raise PermissionDenied
    period = period_name(year, quarter)
    lines = score_thresholds(period)
    inspection, _created = Inspection.objects.select_for_update().get_or_create(
        bureau=bureau,
        year=year,
        quarter=quarter,
        defaults={"green_min": lines.green_min, "amber_min": lines.amber_min},
    )
    if inspection.status != Inspection.Status.DRAFT:
        raise ValidationError(_("This inspection has been published and can no longer change."))
    inspection.green_min, inspection.amber_min = lines.green_min, lines.amber_min
    inspection.computed_at = timezone.now()
    inspection.save()
    inspection.results.all().delete()
    schools = Organization.objects.filter(path__startswith=bureau.path, kind=Organization.Kind.SCHOOL, is_active=True)
    results = []
    for school in [bureau, *schools.order_by("code")]:
        gaps = organization_gaps(school, year=year, quarter=quarter, today=today)
        results.append(
            InspectionResult(
                inspection=inspection,
                school=school,
                required=gaps.required,
                present=gaps.present,
                published=gaps.published,
                on_time=gaps.on_time,
                completeness=gaps.completeness,
                timeliness=gaps.timeliness,
                score=gaps.score,
                rag=score_rag(gaps.score, period=period, thresholds=lines),
                missing=gaps.missing,
                late=gaps.late,
            )
        )
    InspectionResult.objects.bulk_create(results)
    audit_record(
        actor=actor,
        action="disclosure.inspection_run",
        target=inspection,
        data={"year": year, "quarter": quarter, "schools": len(results)},
    )
    return inspection


@transaction.atomic
def inspection_publish(
    *, actor: Any, inspection: Inspection, summary: str = "", review: Review = NO_REVIEW
) -> Inspection:
    """Publish the bulletin (通报) of an inspection; its summary passes the personal-data
    gate first (core.privacy), with the reviewer's answer to it (``review``, audited)."""
    if not is_system(actor) and not access.inspection_bureaus_of(actor).filter(pk=inspection.bureau_id).exists():
        raise PermissionDenied
    guard_publication((pgettext("publication part", "summary"), summary), review=review)
    transition(
        inspection,
        Inspection.Status.PUBLISHED,
        actor=actor,
        update={"published_at": timezone.now(), "summary": summary},
    )
    review_record(actor=actor, target=inspection, review=review)
    return inspection


# --- FOI requests ---------------------------------------------------------------------


def _number(organization: Organization, when: datetime) -> str:
    """The request's number: the day received and eight random digits (digits only, as a
    person reads and says a number; unique by the model's constraint)."""
    prefix = f"YSQ{timezone.localdate(when):%Y%m%d}"
    return f"{prefix}-{secrets.randbelow(10**8):08d}"


def _create_request(*, actor: Any, status: str, **fields: Any) -> tuple[FoiRequest, str]:
    code = receipt_code_new()
    now = timezone.now()
    request = FoiRequest(
        status=status,
        number=_number(fields["organization"], now),
        submitted_at=now,
        receipt_hash=keyed_hash(code, purpose=RECEIPT_PURPOSE),
        **fields,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action="disclosure.foirequest_create",
        target=request,
        data={"channel": request.channel, "status": status},
    )
    return request, code


@transaction.atomic
@audit_public()
def foi_submit(
    *,
    actor: Any,
    organization: Organization,
    applicant_kind: str,
    applicant_name: str,
    contact: str,
    description: str,
    form: str,
    applicant_id_number: str = "",
    purpose: str = "",
) -> tuple[FoiRequest, str]:
    """FOI-1, online: the request is recorded now; its date received is the day the
    office confirms it (both sides confirm). Returns the request and its receipt code
    (shown once; only its keyed hash is stored). A public action: the audit log keeps
    neither the address nor the account (``core.audit.audit_public``)."""
    requester = actor if getattr(actor, "is_authenticated", False) else None
    return _create_request(
        actor=actor,
        status=F.SUBMITTED,
        organization=organization,
        channel=FoiRequest.Channel.ONLINE,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        contact=contact,
        description=description,
        form=form,
        applicant_id_number=applicant_id_number,
        purpose=purpose,
        requester=requester,
    )


@transaction.atomic
def foi_intake(
    *,
    actor: Any,
    organization: Organization,
    channel: str,
    received_on: date | None = None,
    applicant_kind: str,
    applicant_name: str,
    contact: str,
    description: str,
    form: str,
    applicant_id_number: str = "",
    purpose: str = "",
) -> tuple[FoiRequest, str]:
    """FOI-1, staff intake. The date received depends on the channel: in person, that
    day (today; another date is refused); by registered post, the day it was signed
    for (entered by staff, never in the future); by fax or email, like online, the day
    both sides confirm — the request waits for :func:`foi_confirm` and its reply clock
    starts then (``received_on`` is not used)."""
    if not access.foi_bureaus_of(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if channel == FoiRequest.Channel.ONLINE:
        raise ValidationError(_("Online requests come through the public form."))
    today = timezone.localdate()
    confirmed_later = channel in rules.CONFIRMATION_CHANNELS
    if channel == FoiRequest.Channel.IN_PERSON:
        received_on = received_on or today
        if received_on != today:
            raise ValidationError({"received_on": _("A request made in person is received that day.")})
    elif not confirmed_later:
        if received_on is None:
            raise ValidationError({"received_on": _("Give the day the letter was signed for.")})
        if received_on > today:
            raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    request, code = _create_request(
        actor=actor,
        status=F.SUBMITTED if confirmed_later else F.RECEIVED,
        organization=organization,
        channel=channel,
        received_on=None if confirmed_later else received_on,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        contact=contact,
        description=description,
        form=form,
        applicant_id_number=applicant_id_number,
        purpose=purpose,
    )
    if not confirmed_later and received_on is not None:
        _reply_clock_open(request, actor=actor, day=received_on)
    return request, code


def _check_foi(actor: Any, request: FoiRequest) -> None:
    if not access.may_handle_foi(actor, request):
        raise PermissionDenied


def _validated(request: FoiRequest, **update: Any) -> dict[str, Any]:
    """The fields a step writes, checked on the request with ``full_clean()`` before
    ``transition()`` writes them (which validates only the status change)."""
    for name, value in update.items():
        setattr(request, name, value)
    request.full_clean(exclude=["status", "receipt_hash"])
    return update


# --- FOI-3: the reply clock is a core supervision ------------------------------------------


def _reply_clock_open(request: FoiRequest, *, actor: Any, day: date) -> Supervision:
    """FOI-3: the reply clock runs from the date received, under supervision of the
    bureau the request was made to (reminders and escalation as for every clock)."""
    return supervision_open(
        item=request,
        organization=request.organization,
        rule_id=rules.REPLY_CLOCK,
        start=datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI),
        actor=actor,
        title=_("FOI request %(number)s") % {"number": request.number},
    )


def foi_clock(request: FoiRequest) -> Supervision | None:
    """The request's FOI-3 reply clock: the live supervision, else the last one."""
    if request.pk is None:
        return None
    return supervision_list_of(request).filter(rule_id=rules.REPLY_CLOCK).order_by("-created_at", "-pk").first()


def _live_clock(request: FoiRequest) -> Supervision:
    supervision = supervision_get_active(item=request, rule_id=rules.REPLY_CLOCK)
    if supervision is None:
        raise ValidationError(_("This request has no running reply deadline."))
    return supervision


def foi_due(request: FoiRequest) -> Deadline | None:
    """FOI-3: the reply deadline, as its supervision holds it: 20 working days from the
    date received (or from the day a correction arrived), plus an approved extension,
    not counting third-party consultation."""
    supervision = foi_clock(request)
    if supervision is None:
        return None
    return Deadline(
        rule_id=supervision.rule_id,
        start=supervision.started_at,
        due=supervision.due_at,
        due_date=timezone.localtime(supervision.due_at).date(),
        provisional=supervision.due_provisional,
    )


def foi_due_dates(pks: list[int]) -> dict[int, date]:
    """FOI-3: each request's reply deadline (the day), as ``foi_due`` gives it, for many
    requests in one query (the figures read a year of requests)."""
    clocks = supervision_latest_of(FoiRequest, pks, rule_id=rules.REPLY_CLOCK)
    return {int(pk): timezone.localtime(s.due_at).date() for pk, s in clocks.items()}


def foi_pauses(request: FoiRequest) -> list[SupervisionPause]:
    """The stops of the reply clock (consultation, correction wait), oldest first."""
    supervision = foi_clock(request)
    return list(supervision.pauses.all()) if supervision is not None else []


@transaction.atomic
def foi_confirm(*, actor: Any, request: FoiRequest, on: date | None = None) -> FoiRequest:
    """FOI-1: an online (or fax, or email) request is received on the day the office
    confirms it; the FOI-3 clock starts. The day is never in the future."""
    _check_foi(actor, request)
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"on": _("The day of confirmation cannot be in the future.")})
    transition(request, F.RECEIVED, actor=actor, update=_validated(request, received_on=day))
    audit_record(actor=actor, action="disclosure.foirequest_confirm", target=request, data={"received_on": str(day)})
    _reply_clock_open(request, actor=actor, day=day)
    _tell(request, _("Your FOI request %(number)s has been received.") % {"number": request.number})
    return request


@transaction.atomic
def foi_correction_ask(
    *, actor: Any, request: FoiRequest, text: str, answer_by: date, on: date | None = None
) -> FoiRequest:
    """FOI-2: ask for a correction (补正) — once, within the FOI-2 working days of
    receipt, giving the applicant a reasonable period to answer (``answer_by``, after
    the day asked). The reply clock waits for it."""
    _check_foi(actor, request)
    day = on or timezone.localdate()
    if request.correction_asked_on is not None:
        raise ValidationError(_("A correction can be asked for only once."))
    if request.received_on is None or day > deadline(rules.CORRECTION_CLOCK, request.received_on).due_date:
        raise ValidationError(
            _("A correction must be asked for within %(days)s working days of receipt.")
            % {"days": clock_get(rules.CORRECTION_CLOCK).length}
        )
    if not text.strip():
        raise ValidationError({"text": _("Say what must be corrected.")})
    if answer_by is None or answer_by <= day:
        raise ValidationError({"answer_by": _("Give the applicant a period to answer, ending after today.")})
    update = _validated(request, correction_asked_on=day, correction_text=text.strip(), correction_due_on=answer_by)
    transition(request, F.CORRECTION, actor=actor, update=update)
    audit_record(
        actor=actor,
        action="disclosure.foirequest_correction_ask",
        target=request,
        data={"asked_on": str(day), "answer_by": str(answer_by)},
    )
    supervision_pause(
        supervision=_live_clock(request), kind=rules.CORRECTION_PAUSE, actor=actor, reason=text.strip(), start=day
    )
    _tell(
        request,
        _("Your FOI request %(number)s needs a correction: %(text)s") % {"number": request.number, "text": text},
    )
    return request


@transaction.atomic
def foi_correction_receive(*, actor: Any, request: FoiRequest, on: date | None = None) -> FoiRequest:
    """FOI-2: the correction arrived; the reply clock restarts from that day (never
    before it was asked for, never in the future)."""
    _check_foi(actor, request)
    day = on or timezone.localdate()
    if request.correction_asked_on is None or day < request.correction_asked_on or day > timezone.localdate():
        raise ValidationError({"on": _("The correction arrives between the day it was asked for and today.")})
    transition(request, F.RECEIVED, actor=actor, update=_validated(request, correction_received_on=day))
    audit_record(actor=actor, action="disclosure.foirequest_correction_receive", target=request, data={"on": str(day)})
    supervision_resume(supervision=_live_clock(request), actor=actor, end=day)
    return request


@transaction.atomic
def foi_correction_lapse(*, actor: Any, request: FoiRequest, reason: str = "") -> FoiRequest:
    """FOI-2: no correction without good reason — the request counts as withdrawn
    (FOI-4 "other": no correction in time); its reply clock is cancelled. Only when a
    correction was asked for and the period given to answer it has run out."""
    _check_foi(actor, request)
    today = timezone.localdate()
    if request.status != F.CORRECTION or request.correction_asked_on is None:
        raise ValidationError(_("No correction was asked for: the request cannot be closed for want of one."))
    if request.correction_due_on is None or today <= request.correction_due_on:
        raise ValidationError(
            _("The applicant has until %(date)s to send the correction.")
            % {"date": request.correction_due_on.isoformat() if request.correction_due_on else "—"}
        )
    transition(
        request,
        F.WITHDRAWN,
        actor=actor,
        reason=reason,
        update={
            "reply_type": FoiRequest.ReplyType.OTHER,
            "reply_reason": "no-correction",
            "concluded_on": today,
        },
    )
    _clock_stop(request, actor=actor, reason=reason or "no correction")
    return request


def foi_extend(*, actor: Any, request: FoiRequest, days: int, reason: str) -> FoiRequest:
    """FOI-3: one extension of at most 20 working days, approved by the office head
    (a leader), with notice to the applicant; never once the deadline has passed
    (core supervision enforces the count, the role and the date)."""
    if not access.may_approve_extension(actor, request):
        raise PermissionDenied
    with transaction.atomic():
        locked = FoiRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status not in (F.RECEIVED, F.CONSULTATION):
            raise ValidationError(_("Only a request in progress can be extended."))
        supervision = supervision_extend(supervision=_live_clock(locked), units=days, actor=actor, reason=reason)
        audit_record(actor=actor, action="disclosure.foirequest_extend", target=locked, data={"days": days})
        _tell(
            request,
            _("The reply to your FOI request %(number)s is extended to %(due)s.")
            % {"number": request.number, "due": timezone.localtime(supervision.due_at).date().isoformat()},
        )
    return request


@transaction.atomic
def foi_consultation_start(
    *, actor: Any, request: FoiRequest, third_party: str, on: date | None = None
) -> SupervisionPause:
    """FOI-3: consulting a third party stops the reply clock, for at most the 15
    working days of FOI-3-consultation; after them the clock runs again by itself."""
    _check_foi(actor, request)
    day = on or timezone.localdate()
    transition(request, F.CONSULTATION, actor=actor)
    return supervision_pause(
        supervision=_live_clock(request),
        kind=rules.CONSULTATION_PAUSE,
        actor=actor,
        reason=third_party.strip() or _("third party"),
        start=day,
    )


@transaction.atomic
def foi_consultation_end(*, actor: Any, request: FoiRequest, on: date | None = None) -> FoiRequest:
    """The third party answered: the reply clock runs again from the next day (if it
    has not already, its 15 working days being over)."""
    _check_foi(actor, request)
    day = on or timezone.localdate()
    supervision = _live_clock(request)
    pause = supervision_pause_open(supervision)
    if pause is not None:
        supervision_resume(supervision=supervision, actor=actor, end=day)
    transition(request, F.RECEIVED, actor=actor)
    return request


def _clock_stop(request: FoiRequest, *, actor: Any, reason: str, replied: bool = False) -> None:
    supervision = supervision_get_active(item=request, rule_id=rules.REPLY_CLOCK)
    if supervision is None:
        return
    if replied:
        supervision_close(supervision=supervision, actor=actor, reason=reason)
    else:
        supervision_cancel(supervision=supervision, actor=actor, reason=reason)


@transaction.atomic
def foi_reply(*, actor: Any, request: FoiRequest, reply_type: str, reason: str = "", text: str) -> FoiRequest:
    """FOI-4: reply with one of the six types and, where the type has them, one of its
    reasons; free of charge. "Not processed — it is a complaint" hands the matter to
    petitions through the core seam."""
    _check_foi(actor, request)
    if reply_type not in FoiRequest.ReplyType.values:
        raise ValidationError({"reply_type": _("Choose a reply type.")})
    reasons = dict(rules.REASONS[reply_type])
    if reasons and reason not in reasons:
        raise ValidationError({"reason": _("Choose the reason for this reply type.")})
    if not reasons:
        reason = ""
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    today = timezone.localdate()
    handover = ""
    if reply_type == FoiRequest.ReplyType.NOT_PROCESSED and reason == rules.COMPLAINT_REASON:
        handover = _hand_to_petitions(actor=actor, request=request)
    transition(
        request,
        F.REPLIED,
        actor=actor,
        data={"reply_type": reply_type, "reason": reason},
        update={
            "reply_type": reply_type,
            "reply_reason": reason,
            "reply_text": text.strip(),
            "replied_on": today,
            "concluded_on": today,
            "handover_note": handover,
        },
    )
    _clock_stop(request, actor=actor, reason="replied", replied=True)
    _reply_letter_issue(request, actor=actor)
    _tell(request, _("Your FOI request %(number)s has been answered.") % {"number": request.number})
    return request


def _reply_letter_issue(request: FoiRequest, *, actor: Any) -> None:
    """FOI-4: the reply letter (答复书) is issued as a core document record under the
    bureau's next reply number; the letter staff download is the one recorded here."""

    def render(number: str) -> bytes:
        request.reply_number = number
        return reply_letter_docx(request)

    document = document_issue(
        kind=FOI_REPLY_DOCUMENT,
        organization=request.organization,
        title="政府信息公开申请答复书",  # the document's own title: always Chinese
        content=render,
        filename="政府信息公开申请答复书-{number}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=request,
        period=(request.received_on, request.replied_on) if request.received_on and request.replied_on else None,
    )
    FoiRequest.objects.filter(pk=request.pk).update(reply_number=document.number)
    request.reply_number = document.number


def _hand_to_petitions(*, actor: Any, request: FoiRequest) -> str:
    intake = PetitionIntake(
        kind="complaint",
        channel="foi",
        title=_("Complaint received as an FOI request %(number)s") % {"number": request.number},
        facts=request.description,
        request=request.purpose or request.description,
        source_label=f"disclosure.foirequest:{request.pk}",
        named=True,
        name=request.applicant_name,
        phone=request.contact,
    )
    try:
        case = petition_intake(intake, actor=actor)
    except SeamUnavailable:
        return _("No petitions module is installed: pass this complaint to the petitions office by hand.")
    except ValidationError as exc:
        return _("Petitions did not accept the hand-over (%(why)s): pass this complaint on by hand.") % {
            "why": " ".join(exc.messages)
        }
    return _("Handed to petitions as case %(case)s.") % {"case": case.case_number}


@transaction.atomic
def foi_withdraw(*, actor: Any, request: FoiRequest, reason: str) -> FoiRequest:
    """The applicant withdraws (recorded by staff, with what the applicant said): FOI-4 "other"."""
    _check_foi(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": _("Record what the applicant said.")})
    update = _validated(
        request,
        reply_type=FoiRequest.ReplyType.OTHER,
        reply_reason="other",
        concluded_on=timezone.localdate() if request.received_on else None,
    )
    transition(request, F.WITHDRAWN, actor=actor, reason=reason, update=update)
    _clock_stop(request, actor=actor, reason=reason or "withdrawn")
    return request


def foi_track(code: str) -> FoiRequest | None:
    """The request with this receipt code, or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 16:
        return None
    return FoiRequest.objects.filter(receipt_hash=keyed_hash(code, purpose=RECEIPT_PURPOSE)).first()


def _tell(request: FoiRequest, text: str) -> None:
    if request.requester_id:
        notify(
            recipients=[request.requester],
            verb=Notification.Verb.MESSAGE,
            text=text,
            url=reverse("disclosure:foi-mine"),
        )


# --- FOI-5 annual report ------------------------------------------------------------------


class ReportCheckError(ValidationError):
    """The request table does not add up (FOI-5 cross-check)."""


def _report_rows() -> list[tuple[str, str, str]]:
    rows = [("new", "", ""), ("carried_over", "", "")]
    for reply_type, reasons in rules.REASONS.items():
        if reasons:
            rows += [("handled", reply_type, code) for code, _label in reasons]
        else:
            rows.append(("handled", reply_type, ""))
    rows += [("handled_total", "", ""), ("carried_forward", "", "")]
    return rows


def foi_report_check(table: dict[tuple[str, str, str], dict[str, int]]) -> None:
    """FOI-5: for every column, new this year + carried over = total handled + carried
    forward; and the total handled is the sum of the handled rows. Raises ReportCheckError."""
    columns = [*rules.REPORT_COLUMNS, "total"]
    for column in columns:
        handled = sum(v[column] for k, v in table.items() if k[0] == "handled")
        if handled != table[("handled_total", "", "")][column]:
            raise ReportCheckError(
                _("The handled rows do not add up to the total in column %(column)s.") % {"column": column}
            )
        left = table[("new", "", "")][column] + table[("carried_over", "", "")][column]
        right = table[("handled_total", "", "")][column] + table[("carried_forward", "", "")][column]
        if left != right:
            raise ReportCheckError(
                _(
                    "Column %(column)s does not add up: new %(new)s + carried over %(over)s "
                    "≠ handled %(handled)s + carried forward %(forward)s."
                )
                % {
                    "column": column,
                    "new": table[("new", "", "")][column],
                    "over": table[("carried_over", "", "")][column],
                    "handled": table[("handled_total", "", "")][column],
                    "forward": table[("carried_forward", "", "")][column],
                }
            )
    for key, row in table.items():
        if row["total"] != sum(row[c] for c in rules.REPORT_COLUMNS):
            raise ReportCheckError(
                _("Row %(row)s does not add up across the columns.") % {"row": "/".join(k for k in key if k)}
            )


def foi_annual_report(*, bureau: Organization, year: int) -> dict[tuple[str, str, str], dict[str, int]]:
    """FOI-5: the request table (section 3) of the annual report, from the records.
    Received requests only (an online request not yet confirmed has no date received).
    Raises ReportCheckError when the records do not add up (e.g. a request concluded
    before it was received)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    table = {row: dict.fromkeys([*rules.REPORT_COLUMNS, "total"], 0) for row in _report_rows()}
    requests = FoiRequest.objects.filter(organization=bureau, received_on__isnull=False, received_on__lte=end)
    for request in requests:
        kind = request.applicant_kind
        received, concluded = request.received_on, request.concluded_on
        if received is None:  # pragma: no cover - filtered above
            continue
        if concluded is not None and concluded < received:
            raise ReportCheckError(
                _("Request %(number)s was concluded before it was received; correct the record first.")
                % {"number": request.number}
            )
        if received >= start:
            keys = [("new", "", "")]
        elif concluded is None or concluded >= start:
            keys = [("carried_over", "", "")]
        else:
            continue  # concluded in an earlier year
        if concluded is not None and concluded <= end:
            keys += [("handled", request.reply_type, request.reply_reason), ("handled_total", "", "")]
        else:
            keys.append(("carried_forward", "", ""))
        for key in keys:
            if key not in table:
                raise ReportCheckError(_("Request %(number)s has no valid reply type.") % {"number": request.number})
            table[key][kind] += 1
            table[key]["total"] += 1
    foi_report_check(table)
    return table


def foi_report_rows(table: dict[tuple[str, str, str], dict[str, int]]) -> list[dict[str, Any]]:
    """The table as labelled rows for a page or a spreadsheet."""
    labels = {
        "new": _("New requests this year"),
        "carried_over": _("Carried over from last year"),
        "handled_total": _("Total handled"),
        "carried_forward": _("Carried forward to next year"),
    }
    out = []
    for key, values in table.items():
        section, reply_type, reason = key
        if section == "handled":
            type_label = str(FoiRequest.ReplyType(reply_type).label)
            label = f"{type_label}：{rules.reason_label(reply_type, reason)}" if reason else type_label
        else:
            label = str(labels[section])
        out.append(
            {
                "key": key,
                "label": label,
                "section": section,
                "values": [values[c] for c in [*rules.REPORT_COLUMNS, "total"]],
            }
        )
    return out


# --- FOI-5: the annual report, a record issued once ---------------------------------------


def _report_office(bureau: Organization) -> Organization:
    """Who is reminded of the report: the bureau's FOI office, else the bureau."""
    return Organization.objects.filter(parent=bureau, handles_foi=True, is_active=True).first() or bureau


def _check_report(actor: Any, bureau: Organization) -> None:
    if not access.foi_bureaus_of(actor).filter(pk=bureau.pk).exists():
        raise PermissionDenied(_("Only the FOI office and the leaders of the bureau keep its annual report."))


@transaction.atomic
def foi_report_prepare(*, bureau: Organization, year: int, actor: Any) -> AnnualReport:
    """FOI-5: the draft of ``bureau``'s report for ``year`` (created once), with its
    deadline under supervision of the FOI office: the FOI-5 clock (31 January of the
    next year) reminds the office before it and escalates after it, like every clock.
    The FOI office or a leader, or the system (the January job)."""
    if not is_system(actor):
        _check_report(actor, bureau)
    report, created = AnnualReport.objects.select_for_update().get_or_create(bureau=bureau, year=year)
    if created:
        audit_record(actor=actor, action="disclosure.annual_report_prepare", target=report, data={"year": year})
    if (
        report.status == AnnualReport.Status.DRAFT
        and not supervision_list_of(report).filter(rule_id=rules.REPORT_CLOCK).exists()
    ):
        supervision_open(
            item=report,
            organization=_report_office(bureau),
            rule_id=rules.REPORT_CLOCK,
            start=datetime(year, 12, 31, 12, tzinfo=SHANGHAI),
            actor=actor,
            title=_("Annual disclosure report %(year)s") % {"year": year},
        )
    return report


def foi_reports_prepare_due(*, today: date | None = None) -> int:
    """The January job (FOI-5): every bureau with an FOI office has the draft of last
    year's report and its supervised deadline. Returns how many were prepared."""
    today = today or timezone.localdate()
    if today.month != 1:
        return 0
    bureaus = Organization.objects.filter(
        kind=Organization.Kind.BUREAU, is_active=True, children__handles_foi=True
    ).distinct()
    done = 0
    for bureau in bureaus:
        if not AnnualReport.objects.filter(bureau=bureau, year=today.year - 1).exists():
            foi_report_prepare(bureau=bureau, year=today.year - 1, actor=SYSTEM)
            done += 1
    return done


@transaction.atomic
def foi_report_enter(
    *,
    report: AnnualReport,
    actor: Any,
    overview: str,
    problems: str,
    other: str,
    entered: dict[str, int],
) -> AnnualReport:
    """FOI-5: the office enters what the records do not hold (stored and audited, old
    and new values): the overview, section 2's figures beyond the catalogue, section
    4's reconsideration and litigation counts (each row's total is the sum of its
    results), sections 5 and 6. Only while the report is a draft."""
    _check_report(actor, report.bureau)
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != AnnualReport.Status.DRAFT:
        raise ValidationError(_("The report has been issued and can no longer change."))
    keys = rules.report_entered_keys()
    unknown = set(entered) - set(keys)
    if unknown:
        raise ValidationError(_("Unknown figures: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    values: dict[str, int] = {}
    for key in keys:
        value = entered.get(key, 0)
        if not isinstance(value, int) or value < 0:
            raise ValidationError({key: _("Enter a whole number, 0 or more.")})
        values[key] = value
    for row, label, _text in rules.REPORT_SECTION4_ROWS:
        parts = sum(values[f"{row}.{col}"] for col, _l, _t in rules.REPORT_SECTION4_COLUMNS if col != "total")
        if parts != values[f"{row}.total"]:
            raise ValidationError(_("%(row)s: the results do not add up to the total.") % {"row": label})
    before = {"overview": locked.overview, "problems": locked.problems, "other": locked.other, **locked.entered}
    locked.overview, locked.problems, locked.other = overview.strip(), problems.strip(), other.strip()
    locked.entered = values
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    after = {"overview": locked.overview, "problems": locked.problems, "other": locked.other, **values}
    audit_record(
        actor=actor,
        action="disclosure.annual_report_enter",
        target=locked,
        data={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
    )
    for name in ("overview", "problems", "other", "entered", "updated_at"):
        setattr(report, name, getattr(locked, name))
    return report


def foi_report_section2(*, bureau: Organization, year: int) -> dict[str, int]:
    """FOI-5 section 2 from the records: the bureau's rules and normative documents
    (DIS-2 "rules") first published in the year, withdrawn in the year, and in force at
    its end."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    docs = Document.objects.filter(organization=bureau, category__code="rules", first_published_at__isnull=False)
    return {
        "rules_new": docs.filter(first_published_at__gte=start, first_published_at__lt=end).count(),
        "rules_repealed": docs.filter(withdrawn_at__gte=start, withdrawn_at__lt=end).count(),
        "rules_in_force": docs.filter(first_published_at__lt=end)
        .exclude(withdrawn_at__lt=end)
        .exclude(status=D.WITHDRAWN, withdrawn_at__isnull=True)
        .count(),
    }


@transaction.atomic
def foi_report_issue(*, report: AnnualReport, actor: Any) -> Any:
    """FOI-5: issue the report as a core document record (a Word document in the six
    statutory sections), published. Refused while the request table does not add up
    for every column (new this year + carried over = total handled + carried forward,
    ``foi_report_check``) or a section the office writes is empty. Its supervised
    deadline is met. Returns the issued document."""
    from sunshine.disclosure.report import ANNUAL_REPORT_DOCUMENT, annual_report_docx

    _check_report(actor, report.bureau)
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != AnnualReport.Status.DRAFT:
        raise ValidationError(_("The report has been issued already."))
    if not (locked.overview and locked.problems and locked.other):
        raise ValidationError(_("Write the overview, the main problems and the other matters first."))
    table = foi_annual_report(bureau=locked.bureau, year=locked.year)  # raises ReportCheckError
    section2 = foi_report_section2(bureau=locked.bureau, year=locked.year)
    bureau = locked.bureau
    document = document_issue(
        kind=ANNUAL_REPORT_DOCUMENT,
        organization=bureau,
        title=f"{bureau.name}{locked.year}年政府信息公开工作年度报告",  # the statutory title: always Chinese
        content=lambda number: annual_report_docx(locked, number=number, section2=section2, table=table),
        filename=f"{bureau.code}-{locked.year}年政府信息公开工作年度报告.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=locked,
        period=(date(locked.year, 1, 1), date(locked.year, 12, 31)),
        figures={f"section2.{k}": v for k, v in section2.items()},
        publish=True,
    )
    transition(locked, AnnualReport.Status.ISSUED, actor=actor, update={"issued_at": timezone.now()})
    clock = supervision_get_active(item=locked, rule_id=rules.REPORT_CLOCK)
    if clock is not None:
        supervision_close(supervision=clock, actor=actor, reason="issued")
    report.status, report.issued_at = locked.status, locked.issued_at
    return document
