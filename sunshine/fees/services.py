"""Every write of the fees app: catalogue, declare → approve → file, notices, ledger
import and audit, findings, refunds and the FEE-6 veto.

Each write checks the actor's right itself (``fees.access``), so a command, a task or
another caller cannot bypass it: the fee reviewer of the school's bureau reviews,
audits, confirms and orders refunds; the school's clerk or principal declares, keeps
the notice and records refunds. ``None`` is refused; the platform acting on its own
passes ``core.actors.SYSTEM``, accepted only by the catalogue seed and copy and by the
ledger audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sunshine.core.actors import is_system
from sunshine.core.audit import audit_record
from sunshine.core.clocks import deadline
from sunshine.core.documents import DOCX_TYPE
from sunshine.core.issued import document_for, document_issue, document_unpublish
from sunshine.core.local_rules import local_rule
from sunshine.core.models import StoredFile
from sunshine.core.seams import (
    DisclosureEntry,
    EntryFile,
    FeeViolationConfirmed,
    SeamUnavailable,
    disclosure_entry_publish,
    fee_violation_confirmed,
)
from sunshine.core.supervision import supervision_close, supervision_get_active, supervision_open
from sunshine.core.transitions import transition
from sunshine.core.uploads import KIND_SPREADSHEETS, KIND_TEXT, discard_on_error, upload_store
from sunshine.fees import access
from sunshine.fees.engine import audit_frames
from sunshine.fees.ledger import LedgerInvalid, ledger_parse
from sunshine.fees.models import (
    CatalogueItem,
    Category,
    FeeDeclaration,
    FeeNotice,
    Finding,
    LedgerMapping,
    LedgerRow,
    LedgerUpload,
    RefundLine,
    RefundOrder,
    Restriction,
    SchoolYearVeto,
    Unit,
)
from sunshine.fees.poster import NOTICE_DOCUMENT, notice_poster
from sunshine.fees.refund_notice import REFUND_DOCUMENT, refund_notice
from sunshine.fees.rules import NATIONAL_CATALOGUE, declaration_refusal, prohibited_resemblance
from sunshine.orgs.models import Organization, Term

LEDGER_PURPOSE = "fees.ledger"
LEDGER_KINDS = (KIND_SPREADSHEETS | KIND_TEXT) - {"xls", "txt"}
LEDGER_MAX_BYTES = 20 * 1024 * 1024
BATCH = 5000


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this for this school."))


def _require_reviewer_of(actor: Any, bureau: Organization, *, system: bool = False) -> None:
    if system and is_system(actor):
        return
    if not access.can_review_bureau(actor, bureau):
        raise PermissionDenied(_("Only the fee reviewer of the bureau keeps its fee catalogue."))


# --- Catalogue ----------------------------------------------------------------------


@transaction.atomic
def catalogue_seed(*, term: Term, actor: Any) -> int:
    """Put the national catalogue (rules.NATIONAL_CATALOGUE: FEE-1, FEE-2, FEE-3) into
    ``term``'s catalogue; items already there are left as the reviewer keeps them.
    Idempotent; returns how many items it added. The bureau's fee reviewer, or the
    system (``manage.py fees_catalogue_seed``)."""
    _require_reviewer_of(actor, term.bureau, system=True)
    added = 0
    for seed in NATIONAL_CATALOGUE:
        _item, created = CatalogueItem.objects.get_or_create(
            term=term,
            code=seed.code,
            defaults={
                "name": seed.name,
                "category": seed.category,
                "restriction": seed.restriction,
                "synonyms": seed.synonyms,
                "legal_basis": seed.legal_basis,
                "is_accommodation": seed.is_accommodation,
                "is_tuition": seed.is_tuition,
            },
        )
        added += created
    if added:
        audit_record(actor=actor, action="fees.catalogue_seed", target=term, data={"term": term.pk, "added": added})
    return added


@transaction.atomic
def catalogue_item_create(
    *,
    term: Term,
    actor: Any,
    code: str,
    name: str,
    category: str = "",
    restriction: str = Restriction.NONE,
    synonyms: str = "",
    legal_basis: str = "",
    is_accommodation: bool = False,
    is_tuition: bool = False,
) -> CatalogueItem:
    """The fee reviewer adds an item to ``term``'s catalogue."""
    _require_reviewer_of(actor, term.bureau)
    item = CatalogueItem(
        term=term,
        code=code,
        name=name,
        category=category,
        restriction=restriction,
        synonyms=synonyms,
        legal_basis=legal_basis,
        is_accommodation=is_accommodation,
        is_tuition=is_tuition,
    )
    item.full_clean()
    _names_free(term=term, item=item)
    item.save()
    audit_record(actor=actor, action="fees.catalogue_item_create", target=item, data={"term": term.pk, "code": code})
    return item


def _names_free(*, term: Term, item: CatalogueItem) -> None:
    taken: dict[str, str] = {}
    for other in CatalogueItem.objects.filter(term=term).exclude(pk=item.pk):
        for name in other.names():
            taken[name] = other.name
    clashes = [name for name in item.names() if name in taken]
    if clashes:
        raise ValidationError(
            _("“%(name)s” already names the item “%(other)s”.") % {"name": clashes[0], "other": taken[clashes[0]]}
        )


@transaction.atomic
def catalogue_copy(*, source: Term, target: Term, actor: Any) -> int:
    """Carry ``source``'s catalogue to ``target`` (the catalogue is versioned by term);
    items already in ``target`` are kept. Returns how many were copied. The reviewer of
    ``target``'s bureau, or the system."""
    _require_reviewer_of(actor, target.bureau, system=True)
    existing = set(CatalogueItem.objects.filter(term=target).values_list("code", flat=True))
    copies = [
        CatalogueItem(
            term=target,
            code=item.code,
            name=item.name,
            synonyms=item.synonyms,
            category=item.category,
            restriction=item.restriction,
            is_accommodation=item.is_accommodation,
            is_tuition=item.is_tuition,
            legal_basis=item.legal_basis,
            is_active=item.is_active,
        )
        for item in CatalogueItem.objects.filter(term=source)
        if item.code not in existing
    ]
    CatalogueItem.objects.bulk_create(copies)
    audit_record(
        actor=actor, action="fees.catalogue_copy", target=target, data={"source": source.pk, "copied": len(copies)}
    )
    return len(copies)


def catalogue_names(term: Term) -> dict[str, tuple[str, str]]:
    """Every name and synonym of ``term``'s catalogue → (code, name)."""
    names: dict[str, tuple[str, str]] = {}
    for item in CatalogueItem.objects.filter(term=term):
        for name in item.names():
            names.setdefault(name, (item.code, item.name))
    return names


# --- Declare → approve → file ---------------------------------------------------------


@transaction.atomic
def fee_declare(
    *,
    actor: Any,
    school: Organization,
    term: Term,
    item: CatalogueItem,
    standard_fen: int,
    unit: str = Unit.TERM,
    grades: str = "",
    scope: str = FeeDeclaration.Scope.ALL,
    reductions: str = "",
) -> FeeDeclaration:
    """A school declares one fee item for a term (申报). A prohibited item (FEE-3), a
    tuition or miscellaneous fee at a compulsory school (FEE-1) or an item outside the
    term's catalogue (FEE-2) is refused at once, naming the rule; nothing is saved.
    FEE-3 "under any name": an item whose name resembles a prohibited item (its name or
    synonyms, or by similarity: ``rules.prohibited_resemblance``) is saved but held for
    the reviewer, who approves it only by clearing the resemblance.
    The school's clerk or principal only."""
    _require(access.can_manage_school(actor, school))
    if school.kind != Organization.Kind.SCHOOL or term.bureau_id != school.parent_id or item.term_id != term.pk:
        raise ValidationError(_("This school, term and catalogue item do not belong together."))
    refusal = declaration_refusal(item=item, school=school)
    if refusal is not None:
        raise refusal
    if (
        FeeDeclaration.objects.filter(school=school, term=term, item=item)
        .exclude(status=FeeDeclaration.Status.REJECTED)
        .exists()
    ):
        raise ValidationError(_("“%(item)s” is already declared for this term.") % {"item": item.name})
    declaration = FeeDeclaration(
        school=school,
        term=term,
        item=item,
        standard_fen=standard_fen,
        unit=unit,
        grades=grades,
        scope=scope,
        reductions=reductions,
        declared_by=actor if getattr(actor, "pk", None) else None,
        resembles=prohibited_resemblance(
            item=item, prohibited=CatalogueItem.objects.filter(term=term, restriction=Restriction.PROHIBITED)
        )
        or "",
    )
    declaration.full_clean(validate_constraints=False)
    declaration.save()
    audit_record(
        actor=actor,
        action="fees.declaration_create",
        target=declaration,
        data={
            "school": school.pk,
            "term": term.pk,
            "item": item.code,
            "standard_fen": standard_fen,
            "resembles": declaration.resembles,
        },
    )
    return declaration


@transaction.atomic
def fee_declaration_approve(
    *,
    declaration: FeeDeclaration,
    actor: Any,
    approving_body: str,
    document_number: str,
    note: str = "",
    resemblance_cleared: bool = False,
) -> FeeDeclaration:
    """The fee reviewer approves a declared line with the approving body and its
    document number (FEE-4 "basis"). FEE-3: a line held because its name resembles a
    prohibited item is approved only when the reviewer clears the resemblance
    (``resemblance_cleared``) and says why (``note``); the clearing is audited."""
    _require(access.can_review(actor, declaration.school))
    if not approving_body.strip() or not document_number.strip():
        raise ValidationError(_("Give the approving body and the document number."))
    if declaration.resembles:
        if not resemblance_cleared or not note.strip():
            raise ValidationError(
                _(
                    "The name of this item resembles the prohibited item “%(item)s”: confirm it is a different fee "
                    "and give the reason, or reject it."
                )
                % {"item": declaration.resembles},
                code="FEE-3",
            )
        audit_record(
            actor=actor,
            action="fees.declaration_resemblance_clear",
            target=declaration,
            data={"resembles": declaration.resembles, "note": note[:300]},
        )
    transition(
        declaration,
        FeeDeclaration.Status.APPROVED,
        actor=actor,
        reason=note,
        update={
            "approving_body": approving_body.strip()[:100],
            "document_number": document_number.strip()[:60],
            "reviewed_by": actor if getattr(actor, "pk", None) else None,
            "review_note": note[:300],
        },
    )
    return declaration


def fee_declaration_reject(*, declaration: FeeDeclaration, actor: Any, reason: str) -> FeeDeclaration:
    _require(access.can_review(actor, declaration.school))
    if not reason.strip():
        raise ValidationError(_("Give the reason for rejecting."))
    transition(
        declaration,
        FeeDeclaration.Status.REJECTED,
        actor=actor,
        reason=reason,
        update={"reviewed_by": actor if getattr(actor, "pk", None) else None, "review_note": reason[:300]},
    )
    return declaration


def fee_declaration_file(*, declaration: FeeDeclaration, actor: Any) -> FeeDeclaration:
    """File (备案) an approved line: only filed lines may be collected and shown (FEE-5)."""
    _require(access.can_review(actor, declaration.school))
    transition(declaration, FeeDeclaration.Status.FILED, actor=actor, update={"filed_at": timezone.now()})
    return declaration


@transaction.atomic
def fee_declaration_settle(*, declaration: FeeDeclaration, actor: Any, actual_cost_fen: int) -> FeeDeclaration:
    """Record the actual cost per student of an on-behalf fee (FEE-2: settled at cost,
    any surplus refunded; the audit flags collections above it). The school records it."""
    _require(access.can_manage_school(actor, declaration.school))
    if declaration.item.category != Category.ON_BEHALF:
        raise ValidationError(_("Only fees collected on behalf are settled at actual cost."))
    if actual_cost_fen < 0:
        raise ValidationError(_("The actual cost cannot be negative."))
    FeeDeclaration.objects.filter(pk=declaration.pk).update(actual_cost_fen=actual_cost_fen)
    declaration.actual_cost_fen = actual_cost_fen
    audit_record(
        actor=actor, action="fees.declaration_settle", target=declaration, data={"actual_cost_fen": actual_cost_fen}
    )
    return declaration


# --- Notices (FEE-4, FEE-5) -----------------------------------------------------------


def _notice_lines(school: Organization, term: Term) -> list[dict[str, Any]]:
    lines = []
    for d in (
        FeeDeclaration.objects.filter(school=school, term=term, status=FeeDeclaration.Status.FILED)
        .select_related("item")
        .order_by("item__category", "item__code")
    ):
        lines.append(
            {
                "category": d.item.category,
                "item": d.item.name,
                "standard_fen": d.standard_fen,
                "basis": f"{d.approving_body} {d.document_number}".strip(),
                "grades": d.grades,
                "scope": d.scope,
                "unit": d.unit,
                "reductions": d.reductions,
            }
        )
    return lines


@transaction.atomic
def fee_notice_generate(*, school: Organization, term: Term, actor: Any) -> FeeNotice:
    """Generate (or regenerate, while still a draft) the school's fee notice from its
    filed lines, with every FEE-4 field: category, item, standard, basis (approving body
    and document number), scope, unit, reductions, complaint hotline. The school's
    clerk or principal."""
    _require(access.can_manage_school(actor, school))
    lines = _notice_lines(school, term)
    if not lines:
        raise ValidationError(_("No fee item of this school is filed for this term yet."))
    hotline = school.parent.hotline if school.parent and school.parent.hotline else school.hotline
    if not hotline:
        raise ValidationError(_("The bureau has no complaint hotline on record."))
    # A document number is data, not interface text: always in Chinese.
    n = 1 if term.season == Term.Season.SPRING else 2
    number = f"{school.short_name or school.name}收费公告〔{term.starts_on.year}〕{n}号"
    notice = FeeNotice.objects.select_for_update().filter(school=school, term=term).first()
    if notice is None:
        notice = FeeNotice(school=school, term=term, number=number, lines=lines, hotline=hotline)
        notice.full_clean(validate_constraints=False)
        notice.save()
    elif notice.status == FeeNotice.Status.DRAFT:
        FeeNotice.objects.filter(pk=notice.pk).update(lines=lines, hotline=hotline, generated_at=timezone.now())
        notice.lines, notice.hotline = lines, hotline
    else:
        raise ValidationError(_("The notice is already published; it cannot be regenerated."))
    audit_record(actor=actor, action="fees.notice_generate", target=notice, data={"lines": len(lines)})
    return notice


def _late_notice_finding(notice: FeeNotice, *, actor: Any, reason: str, now: datetime) -> Finding:
    """FEE-5: a notice published after registration is a finding of the school's term
    (no student, no amount), open for the reviewer like any other."""
    finding, created = Finding.objects.get_or_create(
        kind=Finding.Kind.LATE_NOTICE,
        school=notice.school,
        term=notice.term,
        student_no="",
        item_code="",
        defaults={"rule_id": "FEE-5", "item_name": notice.number[:60], "amount_fen": 0, "found_at": now},
    )
    if created:
        audit_record(
            actor=actor,
            action="fees.finding_late_notice",
            target=finding,
            data={"notice": notice.pk, "registration": notice.term.registration_date.isoformat(), "reason": reason},
        )
    return finding


@transaction.atomic
def fee_notice_publish(
    *, notice: FeeNotice, actor: Any, late_reason: str = "", now: datetime | None = None
) -> FeeNotice:
    """Publish the notice on the school's public page (FEE-5: before registration). Its
    poster is issued and published as a core document record under the school's next
    notice number of the term's year; the poster anyone downloads is that record. The
    notice also goes into the school's disclosure catalogue under "fees" — DIS-2's
    checklist item for a school's fees — through ``core.seams.disclosure_entry_publish``
    (the notice's table as the text, the same poster attached). Without a disclosure
    module the notice is published here only, and ``notice.disclosure_url`` stays empty.

    FEE-5: a notice published after the term's registration date is refused unless the
    school records why (``late_reason``); it is then published and is a finding
    (``Finding.Kind.LATE_NOTICE``). Its minimum display period (FEE-5-notice) runs as a
    core supervision of the school from publication: never overdue, never ended early,
    closed by the sweep when over. ``now`` is the moment of publication (views never
    pass it; the demo and tests place it in the term's calendar)."""
    _require(access.can_manage_school(actor, notice.school))
    now = now or timezone.now()
    late = timezone.localdate(now) > notice.term.registration_date
    late_reason = late_reason.strip()
    if late and not late_reason:
        raise ValidationError(
            _("Registration was on %(date)s: a notice published after it needs the reason, and is a finding.")
            % {"date": notice.term.registration_date.isoformat()},
            code="FEE-5",
        )
    transition(
        notice,
        FeeNotice.Status.PUBLISHED,
        actor=actor,
        reason=late_reason if late else "",
        update={"published_at": now, "late_reason": late_reason[:300] if late else ""},
    )
    if late:
        _late_notice_finding(notice, actor=actor, reason=late_reason, now=now)
    with translation.override(settings.LANGUAGE_CODE):  # a supervision's title is data, in Chinese
        shown_title = _("Fee notice on display: %(school)s, %(term)s") % {
            "school": notice.school.name,
            "term": str(notice.term),
        }
    supervision_open(
        item=notice, organization=notice.school, rule_id="FEE-5-notice", start=now, actor=actor, title=shown_title
    )
    poster: dict[str, bytes] = {}

    def render(number: str) -> bytes:
        notice.number = number
        with translation.override(settings.LANGUAGE_CODE):  # a document the school issues is in Chinese
            poster["bytes"] = notice_poster(notice)
        return poster["bytes"]

    document = document_issue(
        kind=NOTICE_DOCUMENT,
        organization=notice.school,
        title=f"{notice.school.name}收费公告（{notice.term}）",
        content=render,
        filename=f"{notice.school.code}-{{number}}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=notice,
        period=(notice.term.starts_on, notice.term.ends_on),
        publish=True,
        year=notice.term.starts_on.year,
    )
    FeeNotice.objects.filter(pk=notice.pk).update(number=document.number)
    notice.number = document.number
    with translation.override(settings.LANGUAGE_CODE):  # a published document is in Chinese
        title = _("Principal's fee notice, %(term)s") % {"term": str(notice.term)}
        entry = DisclosureEntry(
            organization_id=notice.school_id,
            category="fees",
            title=f"{notice.school.name} {title}",
            info_date=timezone.localdate(now),
            source_label=f"fees.notice:{notice.pk}",
            body=render_to_string("fees/public/notice_body.html", {"notice": notice}),
            attachments=(EntryFile(name=f"{notice.number or title}.docx", content=poster["bytes"]),),
            number=notice.number,
            issued_on=timezone.localdate(now),
        )
    try:
        published = disclosure_entry_publish(entry, actor=actor)
    except SeamUnavailable:
        return notice
    FeeNotice.objects.filter(pk=notice.pk).update(disclosure_url=published.url)
    notice.disclosure_url = published.url
    return notice


@transaction.atomic
def fee_notice_withdraw(*, notice: FeeNotice, actor: Any) -> FeeNotice:
    """Withdraw a published notice. FEE-5: its display period is a core supervision
    (FEE-5-notice), and core refuses to end it before its last day; once the sweep has
    ended it, or from its last day on, the notice may come down. Its poster stays on
    record, no longer public."""
    _require(access.can_manage_school(actor, notice.school))
    shown = supervision_get_active(item=notice, rule_id="FEE-5-notice")
    if shown is not None:
        supervision_close(supervision=shown, actor=actor, reason="withdrawn")
    transition(notice, FeeNotice.Status.WITHDRAWN, actor=actor, update={"withdrawn_at": timezone.now()})
    poster = document_for(notice, kind=NOTICE_DOCUMENT)
    if poster is not None:
        document_unpublish(document=poster, actor=actor, reason="withdrawn")
    return notice


# --- Ledger import -------------------------------------------------------------------


class LedgerRejected(ValidationError):
    """The ledger was refused; ``messages`` lists every reason. Nothing was imported."""


@transaction.atomic
def ledger_import(
    *, school: Organization, term: Term, file: Any, actor: Any, mapping: dict[str, str] | None = None
) -> LedgerUpload:
    """Import a ledger (.xlsx or .csv) for ``school`` and ``term``: stored through
    ``upload_store``, validated all or nothing (row-numbered messages), its rows written in
    batches, the column mapping remembered for the school. Raises ValidationError and
    imports nothing (not even the file: its bytes are deleted) on any error. The file
    is checked and parsed by ``core.imports`` (sizes, packing and cell lengths checked,
    parsed in a memory-limited process). The school's clerk or principal, or the fee
    reviewer of its bureau."""
    _require(access.can_import_ledger(actor, school))
    if term.bureau_id != school.parent_id:
        raise ValidationError(_("This term is not the school's bureau's term."))
    stored = upload_store(
        file=file, purpose=LEDGER_PURPOSE, actor=actor, allowed_kinds=LEDGER_KINDS, max_bytes=LEDGER_MAX_BYTES
    )
    with discard_on_error(stored):
        return _ledger_record(school=school, term=term, stored=stored, actor=actor, mapping=mapping)


def _ledger_record(
    *, school: Organization, term: Term, stored: StoredFile, actor: Any, mapping: dict[str, str] | None
) -> LedgerUpload:
    """Parse the stored ledger (``ledger_parse``: checked, parsed in a limited process)
    and write its rows; raises ValidationError on any error in the file."""
    remembered = LedgerMapping.objects.filter(school=school).first()
    columns = {**(remembered.columns if remembered else {}), **{k: v for k, v in (mapping or {}).items() if v}}
    kind = "xlsx" if stored.original_name.lower().endswith(".xlsx") or "spreadsheetml" in stored.content_type else "csv"
    try:
        with stored.file.open("rb") as fh:
            parsed = ledger_parse(fh, kind=kind, mapping=columns, item_names=catalogue_names(term))
    except LedgerInvalid as exc:
        raise ValidationError(exc.messages) from exc
    upload = LedgerUpload(
        school=school,
        term=term,
        stored_file=stored,
        original_name=stored.original_name,
        row_count=len(parsed),
        total_fen=sum(r.amount_fen for r in parsed),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    upload.full_clean()
    upload.save()
    for start in range(0, len(parsed), BATCH):
        LedgerRow.objects.bulk_create(
            [
                LedgerRow(
                    upload=upload,
                    school=school,
                    term=term,
                    row_no=r.row_no,
                    student_no=r.student_no,
                    student_name=r.student_name,
                    grade=r.grade,
                    item_code=r.item_code,
                    item_name=r.item_name,
                    amount_fen=r.amount_fen,
                    collected_on=r.collected_on,
                    receipt_no=r.receipt_no,
                )
                for r in parsed[start : start + BATCH]
            ]
        )
    if columns:
        LedgerMapping.objects.update_or_create(school=school, defaults={"columns": columns})
    audit_record(
        actor=actor,
        action="fees.ledger_import",
        target=upload,
        data={"school": school.pk, "term": term.pk, "rows": len(parsed), "total_fen": upload.total_fen},
    )
    return upload


# --- Audit ---------------------------------------------------------------------------


def _months(term: Term) -> int:
    return max(1, round((term.ends_on - term.starts_on).days / 30))


def audit_inputs(*, schools: list[Organization], terms: list[Term]) -> dict[str, pl.DataFrame]:
    """The catalogue, filed lines (with the day each was filed, FEE-5), schools and
    terms (with their FEE-5 collection windows from ``core.clocks``) as frames for
    :func:`sunshine.fees.engine.audit_frames`."""
    term_ids = [t.pk for t in terms]
    catalogue = list(
        CatalogueItem.objects.filter(term_id__in=term_ids).values_list(
            "term_id", "code", "category", "restriction", "is_accommodation", "is_tuition"
        )
    )
    months = {t.pk: _months(t) for t in terms}
    lines = list(
        FeeDeclaration.objects.filter(
            term_id__in=term_ids, school__in=schools, status=FeeDeclaration.Status.FILED
        ).values_list("school_id", "term_id", "item__code", "standard_fen", "unit", "actual_cost_fen", "filed_at")
    )
    return {
        "catalogue": pl.DataFrame(
            catalogue,
            schema={
                "term_id": pl.Int64,
                "item_code": pl.String,
                "category": pl.String,
                "restriction": pl.String,
                "is_accommodation": pl.Boolean,
                "is_tuition": pl.Boolean,
            },
            orient="row",
        ),
        "lines": pl.DataFrame(
            [
                (
                    s,
                    t,
                    code,
                    std * (months[t] if unit == Unit.MONTH else 1),
                    cost,
                    timezone.localdate(filed) if filed else None,
                )
                for s, t, code, std, unit, cost, filed in lines
            ],
            schema={
                "school_id": pl.Int64,
                "term_id": pl.Int64,
                "item_code": pl.String,
                "cap_fen": pl.Int64,
                "actual_cost_fen": pl.Int64,
                "filed_on": pl.Date,
            },
            orient="row",
        ),
        "schools": pl.DataFrame(
            {"school_id": [s.pk for s in schools], "compulsory": [s.is_compulsory for s in schools]},
            schema={"school_id": pl.Int64, "compulsory": pl.Boolean},
        ),
        "terms": pl.DataFrame(
            {
                "term_id": term_ids,
                "window_start": [t.registration_date for t in terms],
                "window_end": [deadline("FEE-5-collection", t.registration_date).due_date for t in terms],
            },
            schema={"term_id": pl.Int64, "window_start": pl.Date, "window_end": pl.Date},
        ),
    }


@transaction.atomic
def ledger_audit(*, school: Organization, term: Term, actor: Any) -> int:
    """Audit every ledger row of ``school`` and ``term`` (vectorised, see engine.py) and
    record the findings. Idempotent: a finding already recorded (same kind, school,
    term, student and item) is not added again. Returns how many findings are new.
    Whoever may import the school's ledger, or the system."""
    _require(is_system(actor) or access.can_import_ledger(actor, school))
    values = LedgerRow.objects.filter(school=school, term=term).values_list(
        "upload_id", "row_no", "student_no", "student_name", "item_code", "amount_fen", "collected_on", "receipt_no"
    )
    data = list(values)
    rows = pl.DataFrame(
        data,
        schema={
            "upload_id": pl.Int64,
            "row_no": pl.Int64,
            "student_no": pl.String,
            "student_name": pl.String,
            "item_code": pl.String,
            "amount_fen": pl.Int64,
            "collected_on": pl.Date,
            "receipt_no": pl.String,
        },
        orient="row",
    ).with_columns(school_id=pl.lit(school.pk, dtype=pl.Int64), term_id=pl.lit(term.pk, dtype=pl.Int64))
    # Keep row numbers unique across several uploads of the same school and term.
    rows = rows.with_columns((pl.col("upload_id") * 10_000_000 + pl.col("row_no")).alias("row_no"))
    if rows.is_empty():
        return 0
    findings = audit_frames(rows=rows, **audit_inputs(schools=[school], terms=[term]))
    names = dict(CatalogueItem.objects.filter(term=term).values_list("code", "name"))
    now = timezone.now()
    before = Finding.objects.filter(school=school, term=term).count()
    Finding.objects.bulk_create(
        [
            Finding(
                kind=f["kind"],
                rule_id=f["rule_id"],
                school=school,
                term=term,
                upload_id=f["first_row"] // 10_000_000,
                student_no=f["student_no"],
                student_name=f["student_name"] or "",
                item_code=f["item_code"],
                item_name=names.get(f["item_code"], f["item_code"]),
                amount_fen=f["amount_fen"],
                row_count=f["row_count"],
                first_row=f["first_row"] % 10_000_000,
                found_at=now,
            )
            for f in findings.iter_rows(named=True)
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    added = Finding.objects.filter(school=school, term=term).count() - before
    LedgerUpload.objects.filter(school=school, term=term).update(audited_at=now)
    audit_record(
        actor=actor,
        action="fees.ledger_audit",
        target=school,
        data={"term": term.pk, "rows": rows.height, "findings": findings.height, "new": added},
    )
    return added


# --- Findings, refunds and the veto ---------------------------------------------------


def finding_confirm(*, finding: Finding, actor: Any) -> Finding:
    """Confirm a finding as an illegal fee. FEE-6 (LOCAL "FEE-6-veto"): the school's
    "advanced" rating is vetoed for the school year — recorded here, and told to the
    evaluation (OVS-2) through ``core.seams.fee_violation_confirmed``, in the same
    transaction (a subscriber's failure undoes the confirmation)."""
    _require(access.can_review(actor, finding.school))
    with transaction.atomic():
        transition(finding, Finding.Status.CONFIRMED, actor=actor, update={"confirmed_at": timezone.now()})
        if local_rule("FEE-6-veto"):
            school_year = finding.term.school_year
            veto, created = SchoolYearVeto.objects.get_or_create(
                school=finding.school, school_year=school_year, defaults={"finding": finding}
            )
            if created:
                audit_record(
                    actor=actor,
                    action="fees.veto_set",
                    target=veto,
                    data={"school": finding.school_id, "school_year": veto.school_year, "finding": finding.pk},
                )
            with translation.override(settings.LANGUAGE_CODE):  # data, not interface text; no student in it
                label = f"{finding.term} {finding.item_name}：{finding.get_kind_display()}"
            fee_violation_confirmed.send(
                FeeViolationConfirmed(
                    school_id=finding.school_id, school_year=school_year, finding_id=finding.pk, finding_label=label
                ),
                actor=actor,
            )
    return finding


def finding_dismiss(*, finding: Finding, actor: Any, reason: str) -> Finding:
    _require(access.can_review(actor, finding.school))
    if not reason.strip():
        raise ValidationError(_("Give the reason for dismissing the finding."))
    transition(finding, Finding.Status.DISMISSED, actor=actor, reason=reason)
    return finding


@transaction.atomic
def refund_order_issue(*, school: Organization, term: Term, actor: Any, when: date | None = None) -> RefundOrder:
    """Order the school to refund (清退) every confirmed finding of the term not yet in an
    order, student by student (FEE-1: illegal fees are refunded on the bureau's order)."""
    _require(access.can_review(actor, school))
    if school.parent_id is None:
        raise ValidationError(_("This school belongs to no bureau."))
    bureau = Organization.objects.select_for_update().get(pk=school.parent_id)  # serialises numbering
    findings = list(
        Finding.objects.select_for_update(of=("self",))
        .filter(school=school, term=term, status=Finding.Status.CONFIRMED, refund_line__isnull=True)
        .order_by("student_no", "pk")
    )
    if not findings:
        raise ValidationError(_("There is no confirmed finding of this school and term left to refund."))
    year = (when or timezone.localdate()).year
    count = RefundOrder.objects.filter(school__parent=bureau, number__contains=f"〔{year}〕").count()
    number = f"{bureau.short_name or bureau.name}清退〔{year}〕{count + 1}号"
    order = RefundOrder(
        school=school, term=term, number=number, issued_by=actor if getattr(actor, "pk", None) else None
    )
    order.full_clean()
    order.save()
    RefundLine.objects.bulk_create(
        [
            RefundLine(
                order=order,
                finding=f,
                student_no=f.student_no,
                student_name=f.student_name,
                amount_fen=f.amount_fen,
            )
            for f in findings
        ]
    )
    # The 清退通知书 is issued in the bureau's name under its series' number, which the
    # order takes (the number counted above only holds the row until then).
    issued = document_issue(
        kind=REFUND_DOCUMENT,
        organization=bureau,
        title=f"{school.name}清退通知书（{term}）",
        content=lambda number: refund_notice(order, number=number),
        filename=f"{school.code}-{{number}}.docx",
        content_type=DOCX_TYPE,
        actor=actor,
        item=order,
        period=(term.starts_on, term.ends_on),
        year=year,
    )
    RefundOrder.objects.filter(pk=order.pk).update(number=issued.number)
    order.number = issued.number
    audit_record(
        actor=actor,
        action="fees.refund_order_issue",
        target=order,
        data={"school": school.pk, "lines": len(findings), "amount_fen": sum(f.amount_fen for f in findings)},
    )
    return order


def refund_order_preview(*, school: Organization, term: Term, actor: Any) -> bytes:
    """The 清退通知书 the reviewer would issue now for the school's confirmed findings not
    yet ordered, numbered （预览）: read before issuing; nothing is recorded (FEE-1)."""
    _require(access.can_review(actor, school))
    findings = list(
        Finding.objects.filter(
            school=school, term=term, status=Finding.Status.CONFIRMED, refund_line__isnull=True
        ).order_by("student_no", "pk")
    )
    if not findings:
        raise ValidationError(_("There is no confirmed finding of this school and term left to refund."))
    order = RefundOrder(school=school, term=term, number="（预览）", issued_at=timezone.now())
    lines = [
        RefundLine(finding=f, student_no=f.student_no, student_name=f.student_name, amount_fen=f.amount_fen)
        for f in findings
    ]
    return refund_notice(order, lines=lines)


@transaction.atomic
def refund_record(*, line: RefundLine, actor: Any, refunded_fen: int, refunded_on: date) -> RefundLine:
    """The school records what it paid back to one student."""
    order = RefundOrder.objects.select_for_update().select_related("school").get(pk=line.order_id)
    _require(access.can_manage_school(actor, order.school))
    if order.status != RefundOrder.Status.ISSUED:
        raise ValidationError(_("Refunds can only be recorded while the order is open."))
    if refunded_fen < 0 or refunded_fen > line.amount_fen:
        raise ValidationError(_("The refund must be between 0 and the amount ordered."))
    if refunded_on > timezone.localdate():
        raise ValidationError(_("The refund date cannot be in the future."))
    RefundLine.objects.filter(pk=line.pk).update(refunded_fen=refunded_fen, refunded_on=refunded_on)
    line.refunded_fen, line.refunded_on = refunded_fen, refunded_on
    audit_record(
        actor=actor, action="fees.refund_record", target=order, data={"line": line.pk, "refunded_fen": refunded_fen}
    )
    return line


def refund_order_report(*, order: RefundOrder, actor: Any) -> RefundOrder:
    """The school reports the order done: every line must have its refund recorded."""
    _require(access.can_manage_school(actor, order.school))
    if order.lines.filter(refunded_on__isnull=True).exists():
        raise ValidationError(_("Record the refund of every student first."))
    transition(order, RefundOrder.Status.REPORTED, actor=actor, update={"reported_at": timezone.now()})
    return order


def refund_order_verify(*, order: RefundOrder, actor: Any) -> RefundOrder:
    _require(access.can_review(actor, order.school))
    transition(order, RefundOrder.Status.VERIFIED, actor=actor, update={"verified_at": timezone.now()})
    return order


def refund_order_return(*, order: RefundOrder, actor: Any, reason: str) -> RefundOrder:
    """The reviewer sends a reported order back to the school."""
    _require(access.can_review(actor, order.school))
    if not reason.strip():
        raise ValidationError(_("Give the reason for sending the order back."))
    transition(order, RefundOrder.Status.ISSUED, actor=actor, reason=reason)
    return order


def stored_ledger_of(stored_file: StoredFile) -> LedgerUpload | None:
    return LedgerUpload.objects.filter(stored_file=stored_file).select_related("school").first()
