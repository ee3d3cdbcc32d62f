"""Issued documents as records: every Word notice, reply letter, bulletin, brief or report
an organisation issues is kept as the exact bytes a person received, under its number.

Apps register their kinds in ``AppConfig.ready()``::

    register_document_kind("petitions.reply", label=_("written reply"), number_prefix="{initial}教信")

and issue through :func:`document_issue`, which takes the next number of the series
(organisation, kind, year) under a row lock, renders the content with that number when
given a callable, stores the bytes through core's private storage (``upload_store``: type
sniffed, SHA-256 computed from the bytes), records who issued it, the period it covers and
the figures frozen into it ({registry key: value}), and writes an audit entry.
:func:`document_reissue` makes a new version under the same number and keeps the old one,
marked superseded. Core names no domain: a kind is a key, its label and number pattern
come from the app that registered it.

Who may read one (:func:`document_access_allowed`): anyone once it is published; before,
the staff of the issuing organisation or of one above it (a bureau's departments count as
the bureau), or whoever the kind's own ``may_read`` admits instead (petitions keep the
accused unit out, PET-9). The social supervisors and the three administrators are not
readers of unpublished documents by their role.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.core.models import DocumentSeries, IssuedDocument, StoredFile
from sunshine.core.privacy import NO_REVIEW, Review, guard_publication, review_record
from sunshine.core.uploads import KIND_DOCUMENTS, KIND_SPREADSHEETS, upload_store
from sunshine.orgs.access import organizations_of
from sunshine.orgs.models import Organization, Role

__all__ = [
    "ISSUED_PURPOSE",
    "DocumentKind",
    "document_access_allowed",
    "document_for",
    "document_get",
    "document_issue",
    "document_kind",
    "document_list_for",
    "document_publish",
    "document_reissue",
    "document_unpublish",
    "documents_issued",
    "issued_file_access",
    "register_document_kind",
]

ISSUED_PURPOSE = "core.issued_document"
ISSUED_KINDS = KIND_DOCUMENTS | KIND_SPREADSHEETS
NUMBER_PATTERN = "{prefix}〔{year}〕{sequence}号"
RETRIES = 5
# Roles that do not make their holder a reader of unpublished documents: the outside
# social supervisors, and the three administrators (三员分立: none reads the business).
NOT_READERS = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

Content = bytes | Callable[[str], bytes]
ReadCheck = Callable[[Any, IssuedDocument], bool]
IssueCheck = Callable[[Any, Organization], bool]


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document an app issues. ``number_prefix`` and ``number_pattern`` are
    format strings: the prefix may use ``{initial}`` (first character of the issuing
    organisation's short name), ``{short_name}`` and ``{name}``; the pattern uses
    ``{prefix}``, ``{year}`` and ``{sequence}`` (default 示教信〔2026〕12号)."""

    key: str
    label: str | Promise
    number_prefix: str
    number_pattern: str = NUMBER_PATTERN
    may_read: ReadCheck | None = None
    may_issue: IssueCheck | None = None

    def number(self, organization: Organization, year: int, sequence: int) -> str:
        short = organization.short_name or organization.name or "?"
        prefix = self.number_prefix.format(initial=short[0], short_name=short, name=organization.name)
        return self.number_pattern.format(prefix=prefix, year=year, sequence=sequence)


_KINDS: dict[str, DocumentKind] = {}


def register_document_kind(
    key: str,
    *,
    label: str | Promise,
    number_prefix: str,
    number_pattern: str = NUMBER_PATTERN,
    may_read: ReadCheck | None = None,
    may_issue: IssueCheck | None = None,
) -> DocumentKind:
    """Register (or re-register, idempotently) a document kind; apps call this from
    ``AppConfig.ready()``. ``may_read(user, document)`` replaces the default reading rule
    for unpublished documents of the kind; ``may_issue(actor, organization)`` replaces
    the default issuing rule (staff of the organisation or above)."""
    if not key or len(key) > 64:
        raise ValueError("a document kind is 1 to 64 characters")
    kind = DocumentKind(key, label, number_prefix, number_pattern, may_read, may_issue)
    kind.number(Organization(name="?"), 2000, 1)  # a bad pattern fails here, not at issue time
    _KINDS[key] = kind
    return kind


def document_kind(key: str) -> DocumentKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ValueError(f"unregistered document kind: {key!r}") from None


# --- Access -----------------------------------------------------------------------------


def _staff_of(user: Any, organization: Organization) -> bool:
    """``user`` holds a reading role in the organisation or in one above it; a bureau's
    departments count as the bureau."""
    roles = [r for r in Role.values if r not in NOT_READERS]
    chain = [int(part) for part in organization.path.strip("/").split("/") if part] or [organization.pk]
    return (
        organizations_of(user, *roles)
        .filter(Q(pk__in=chain) | Q(parent_id__in=chain, kind=Organization.Kind.DEPARTMENT))
        .exists()
    )


def document_access_allowed(user: Any, document: IssuedDocument) -> bool:
    """Anyone may read a published document; an unpublished one only its kind's readers
    (``may_read``) or, by default, the staff of the issuing organisation or above."""
    if document.published:
        return True
    kind = _KINDS.get(document.kind)
    if kind is not None and kind.may_read is not None:
        return bool(kind.may_read(user, document))  # may admit a filer without an account
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff_of(user, document.organization)


def issued_file_access(user: Any, stored: StoredFile) -> bool:
    """The file check of ``ISSUED_PURPOSE`` (registered by core's ``AppConfig.ready()``):
    a stored file of an issued document is read as the document is."""
    document = IssuedDocument.objects.filter(file=stored).select_related("organization").first()
    return document is not None and document_access_allowed(user, document)


def _check_issuer(actor: Any, kind: DocumentKind, organization: Organization) -> None:
    """The system (``actor=None``: a scheduled job) may issue; a person must pass the
    kind's ``may_issue`` or, by default, be staff of the organisation or above."""
    if actor is None:
        return
    allowed = kind.may_issue(actor, organization) if kind.may_issue else _staff_of(actor, organization)
    if not allowed:
        raise PermissionDenied(_("You may not issue documents of this organisation."))


# --- Reads -------------------------------------------------------------------------------


def document_list_for(user: Any) -> QuerySet[IssuedDocument]:
    """The documents ``user`` may read: the published ones, and the unpublished ones of
    the organisations where the user is staff (by the default rule; kinds with their own
    ``may_read`` are left to their app's pages)."""
    documents = IssuedDocument.objects.select_related("organization", "file")
    published = Q(published=True)
    if not getattr(user, "is_authenticated", False):
        return documents.filter(published)
    roles = [r for r in Role.values if r not in NOT_READERS]
    own = organizations_of(user, *roles).select_related("parent")
    # Staff read the documents of their organisation and of every one below it; a
    # department's staff those of its bureau and below.
    paths = {org.parent.path if org.kind == Organization.Kind.DEPARTMENT and org.parent else org.path for org in own}
    if not paths:
        return documents.filter(published)
    staff = Q()
    for path in paths:
        staff |= Q(organization__path__startswith=path)
    custom = [key for key, kind in _KINDS.items() if kind.may_read is not None]
    return documents.filter(published | (staff & ~Q(kind__in=custom)))


def document_get(*, user: Any, pk: int) -> IssuedDocument:
    """One document ``user`` may read; 404 for an unknown one and for one the user may
    not read alike (a refusal does not reveal that it exists)."""
    document = IssuedDocument.objects.select_related("organization", "file").filter(pk=pk).first()
    if document is None or not document_access_allowed(user, document):
        raise Http404
    return document


def documents_issued(*, kind: str, organization: Organization) -> QuerySet[IssuedDocument]:
    """The current versions of ``kind`` issued by ``organization``, newest first — for the
    issuing app's own pages, which check their readers themselves."""
    return (
        IssuedDocument.objects.filter(kind=kind, organization=organization, superseded_at__isnull=True)
        .select_related("file", "issued_by")
        .order_by("-year", "-sequence")
    )


def document_for(item: models.Model, *, kind: str | None = None) -> IssuedDocument | None:
    """The current version of the document issued for ``item`` (of ``kind``), or None."""
    documents = IssuedDocument.objects.filter(
        item_type=ContentType.objects.get_for_model(item), item_id=str(item.pk), superseded_at__isnull=True
    ).select_related("file", "organization")
    if kind is not None:
        documents = documents.filter(kind=kind)
    return documents.order_by("-issued_at", "-pk").first()


# --- Writes ------------------------------------------------------------------------------


def _series_next(organization: Organization, kind: str, year: int) -> int:
    """The next sequence of the series, under a row lock on its counter."""
    series = DocumentSeries.objects.select_for_update().filter(organization=organization, kind=kind, year=year).first()
    if series is None:
        try:
            with transaction.atomic():
                DocumentSeries.objects.create(organization=organization, kind=kind, year=year, last=0)
        except IntegrityError:
            pass  # another worker created it first; lock it below
        series = DocumentSeries.objects.select_for_update().get(organization=organization, kind=kind, year=year)
    series.last += 1
    series.save(update_fields=["last"])
    return series.last


def _series_catch_up(organization: Organization, kind: str, year: int) -> None:
    """After a collision: move the counter past every number already recorded."""
    used = (
        IssuedDocument.objects.filter(organization=organization, kind=kind, year=year).aggregate(m=Max("sequence"))["m"]
        or 0
    )
    DocumentSeries.objects.filter(organization=organization, kind=kind, year=year, last__lt=used).update(last=used)


def _figures(figures: Mapping[str, Any] | None) -> dict[str, Any]:
    """A frozen copy of {registry key: value}: keys are non-empty strings, values plain
    JSON (numbers, text, booleans, null, or lists and objects of them)."""
    if not figures:
        return {}
    for key in figures:
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise ValidationError(_("A figure's key must be a registry key."), code="figure_key")
    try:
        frozen = json.loads(json.dumps(dict(figures), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("A figure's value must be a number or text."), code="figure_value") from exc
    return frozen


def _store(*, data: bytes, filename: str, content_type: str, actor: Any) -> StoredFile:
    stored = upload_store(
        file=ContentFile(data, name=filename),
        purpose=ISSUED_PURPOSE,
        actor=actor,
        allowed_kinds=ISSUED_KINDS,
        max_bytes=max(len(data), 1),  # the platform wrote it: no upload limit applies
    )
    if stored.content_type != content_type:
        if stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise ValueError(f"the content is {stored.content_type}, not {content_type}")
    return stored


def _record(document: IssuedDocument, *, data: bytes, filename: str, content_type: str, actor: Any) -> IssuedDocument:
    """Store the bytes and insert the row, in a savepoint; on failure the bytes leave the disk."""
    stored: StoredFile | None = None
    try:
        with transaction.atomic():
            stored = _store(data=data, filename=filename, content_type=content_type, actor=actor)
            document.file = stored
            document.sha256 = hashlib.sha256(data).hexdigest()
            if document.sha256 != stored.sha256:  # pragma: no cover - the same bytes, hashed twice
                raise ValueError("stored bytes differ from the issued content")
            document.content_type = stored.content_type
            document.full_clean(validate_unique=False, validate_constraints=False)
            document.save(force_insert=True)
    except BaseException:
        if stored is not None and stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return document


def _render(content: Content, number: str) -> bytes:
    data = content(number) if callable(content) else content
    if not isinstance(data, bytes) or not data:
        raise ValueError("a document's content is non-empty bytes")
    return data


def _item_fields(item: models.Model | None) -> dict[str, Any]:
    if item is None:
        return {"item_type": None, "item_id": ""}
    if item.pk is None:
        raise ValueError("the document's item must be saved first")
    return {"item_type": ContentType.objects.get_for_model(item), "item_id": str(item.pk)}


@transaction.atomic
def publication_guard(data: bytes, content_type: str, *, title: str = "", review: Review = NO_REVIEW) -> list[str]:
    """The personal-data gate (core.privacy) on a document about to be published: its
    title and the text of a .docx, a JSON file (its keys and values), a plain-text file or a
    PDF's text layer; a PDF without
    one (a scan) only once the reviewer confirmed they looked at it (``review``). Raises
    ``PersonalDataFound``; returns the scans the reviewer vouched for (by title)."""
    from sunshine.core.documents import DOCX_TYPE, docx_text, json_text, pdf_bytes_text

    scans: list[str] = []
    if content_type == DOCX_TYPE:
        text = docx_text(data)
    elif content_type == "application/json":
        text = json_text(data)
    elif content_type.startswith("text/"):
        text = data.decode("utf-8", errors="replace")
    elif content_type == "application/pdf":
        text = pdf_bytes_text(data)
        scans = [] if text.strip() else [title or _("document text")]
    else:
        text = ""
    guard_publication((_("document title"), title), (_("document text"), text), review=review, scans=scans)
    return scans


def document_issue(
    *,
    kind: str,
    organization: Organization,
    title: str,
    content: Content,
    filename: str,
    content_type: str,
    actor: Any,
    item: models.Model | None = None,
    period: tuple[date, date] | None = None,
    figures: Mapping[str, Any] | None = None,
    publish: bool = False,
    year: int | None = None,
) -> IssuedDocument:
    """Issue a document of ``kind`` in ``organization``'s name under the next number of
    its series (``year``: the series year, by default the year it is issued).

    ``content`` is the bytes, or a callable that renders them given the number (so the
    number printed in the document is the one recorded); ``{number}`` in ``filename`` is
    replaced by the number. ``content_type`` must be what
    the bytes are (sniffed; a contradiction is a programming error). ``item`` is the
    domain object the document belongs to; ``period`` the (start, end) dates it covers;
    ``figures`` the {registry key: value} frozen into it. Two concurrent issues never get
    the same number: the series counter is taken under a row lock, and the unique
    constraint behind it makes a collision retry with the next number."""
    spec = document_kind(kind)
    _check_issuer(actor, spec, organization)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A document needs a title.")})
    start, end = period if period is not None else (None, None)
    frozen = _figures(figures)
    now = timezone.now()
    series_year = year or timezone.localtime(now).year
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                sequence = _series_next(organization, kind, series_year)
                number = spec.number(organization, series_year, sequence)
                document = IssuedDocument(
                    kind=kind,
                    organization=organization,
                    title=title[:200],
                    number=number,
                    year=series_year,
                    sequence=sequence,
                    period_start=start,
                    period_end=end,
                    figures=frozen,
                    issued_by=actor if getattr(actor, "pk", None) else None,
                    issued_at=now,
                    published=publish,
                    published_at=now if publish else None,
                    **_item_fields(item),
                )
                data = _render(content, number)
                if publish:
                    publication_guard(data, content_type, title=title)
                name = filename.replace("{number}", number)
                _record(document, data=data, filename=name, content_type=content_type, actor=actor)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
            _series_catch_up(organization, kind, series_year)
            continue
        break
    audit_record(
        actor=actor,
        action="core.document_issue",
        target=document,
        data={
            "kind": kind,
            "number": document.number,
            "version": 1,
            "sha256": document.sha256,
            "published": publish,
            "figures": sorted(frozen),
        },
    )
    return document


@transaction.atomic
def document_reissue(
    *,
    document: IssuedDocument,
    content: Content,
    actor: Any,
    reason: str,
    filename: str | None = None,
    title: str | None = None,
    figures: Mapping[str, Any] | None = None,
) -> IssuedDocument:
    """A new version of ``document`` under the same number (a corrected notice, an
    updated brief). The old version is kept, marked superseded; the new one inherits its
    publication, period, item and — unless given — its title and figures."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for re-issuing the document.")})
    old = IssuedDocument.objects.select_for_update().select_related("organization", "file").get(pk=document.pk)
    if old.superseded_at is not None:
        raise ValidationError(_("This version is already superseded: re-issue the current one."), code="superseded")
    spec = document_kind(old.kind)
    _check_issuer(actor, spec, old.organization)
    now = timezone.now()
    new = IssuedDocument(
        kind=old.kind,
        organization=old.organization,
        title=((title or "").strip() or old.title)[:200],
        number=old.number,
        year=old.year,
        sequence=old.sequence,
        version=old.version + 1,
        supersedes=old,
        reissue_reason=reason,
        period_start=old.period_start,
        period_end=old.period_end,
        figures=old.figures if figures is None else _figures(figures),
        issued_by=actor if getattr(actor, "pk", None) else None,
        issued_at=now,
        published=old.published,
        published_at=now if old.published else None,
        item_type=old.item_type,
        item_id=old.item_id,
    )
    old.superseded_at = now
    old.save(update_fields=["superseded_at"])
    data = _render(content, old.number)
    if old.published:
        publication_guard(data, old.content_type, title=new.title)
    _record(new, data=data, filename=filename or old.file.original_name, content_type=old.content_type, actor=actor)
    audit_record(
        actor=actor,
        action="core.document_reissue",
        target=new,
        data={"number": new.number, "version": new.version, "supersedes": old.pk, "sha256": new.sha256},
    )
    return new


@transaction.atomic
def document_publish(*, document: IssuedDocument, actor: Any, review: Review = NO_REVIEW) -> IssuedDocument:
    """Publish the document: from now on anyone may read it. ``review``: the reviewer's
    answer to the personal-data gate (a scan looked at, office numbers marked public)."""
    locked = IssuedDocument.objects.select_for_update().select_related("organization").get(pk=document.pk)
    _check_issuer(actor, document_kind(locked.kind), locked.organization)
    if locked.superseded_at is not None:
        raise ValidationError(_("A superseded version cannot be published."), code="superseded")
    if not locked.published:
        handle = locked.file.file.open("rb")
        try:
            data = handle.read()
        finally:
            handle.close()
        scans = publication_guard(data, locked.content_type, title=locked.title, review=review)
        locked.published, locked.published_at = True, timezone.now()
        locked.save(update_fields=["published", "published_at"])
        audit_record(actor=actor, action="core.document_publish", target=locked, data={"number": locked.number})
        review_record(actor=actor, target=locked, review=review, scans=scans)
    document.published, document.published_at = locked.published, locked.published_at
    return locked


@transaction.atomic
def document_unpublish(*, document: IssuedDocument, actor: Any, reason: str) -> IssuedDocument:
    """Take the document off the public record (it stays on file for the staff)."""
    locked = IssuedDocument.objects.select_for_update().select_related("organization").get(pk=document.pk)
    _check_issuer(actor, document_kind(locked.kind), locked.organization)
    if locked.published:
        locked.published = False
        locked.save(update_fields=["published"])
        audit_record(
            actor=actor,
            action="core.document_unpublish",
            target=locked,
            data={"number": locked.number, "reason": (reason or "").strip()[:200]},
        )
    document.published = False
    return locked
