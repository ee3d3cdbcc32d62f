"""Every write of funds: keyword-only, atomic, the actor's right checked here, an audit
entry. FND-1 (lag alerts), FND-2 (never pay ahead of certified progress) and FND-3
(the transfer clock, run by core supervision) live here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.actors import SYSTEM, is_system
from sunshine.core.audit import audit_record
from sunshine.core.clocks import SHANGHAI, deadline
from sunshine.core.imports import ImportRefused, SheetLimits, spreadsheet_rows
from sunshine.core.inputs import text_error
from sunshine.core.models import Notification, Supervision
from sunshine.core.notifications import notify
from sunshine.core.seams import RectificationItem, RectificationRequest, rectification_request
from sunshine.core.supervision import supervision_close, supervision_open
from sunshine.core.uploads import discard_on_error, upload_store
from sunshine.funds import access
from sunshine.funds.lag import alert_threshold_pp, allocation_totals_refresh, lags_at
from sunshine.funds.models import (
    FULL_BP,
    Allocation,
    Disbursement,
    DisbursementImport,
    Fund,
    ImportMapping,
    LagAlert,
    ProgressCertification,
)
from sunshine.orgs.models import Membership, Organization, Role

EVIDENCE_PURPOSE = "funds.evidence"
IMPORT_PURPOSE = "funds.import"
MAX_ROW_MESSAGES = 20
IMPORT_LIMITS = SheetLimits(max_rows=200_000, max_columns=50, max_cell_chars=500)

# The fields an import maps, and the headings assumed when nothing is remembered.
IMPORT_FIELDS = ("school", "voucher", "paid_on", "amount", "project")
DEFAULT_COLUMNS = {
    "school": "学校代码",
    "voucher": "凭证号",
    "paid_on": "拨付日期",
    "amount": "金额(元)",
    "project": "项目",
}


def _require_actor(actor: Any) -> None:
    if actor is None:
        raise PermissionDenied(_("Nobody is acting: the caller must say who acts."))


def _check_text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    error = text_error(value)
    if error:
        raise ValidationError({field: error})
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _require_finance(actor: Any, bureau: Organization) -> None:
    _require_actor(actor)
    if not is_system(actor) and not access.can_manage_bureau(actor, bureau):
        raise PermissionDenied(_("Only the bureau's finance staff may do this."))


# --- Funds and allocations -------------------------------------------------------------------


@transaction.atomic
def fund_create(
    *,
    actor: Any,
    bureau: Organization,
    name: str,
    source_level: str,
    purpose: str,
    year: int,
    approved_on: date,
    approval_document: str,
    total_fen: int,
    mode: str,
    curve_bp: Iterable[int] = (),
    position: int = 0,
) -> Fund:
    _require_finance(actor, bureau)
    curve = [int(v) for v in curve_bp]
    if mode == Fund.Mode.CURVE:
        if len(curve) != 12 or any(v < 0 or v > FULL_BP for v in curve) or curve != sorted(curve):
            raise ValidationError(
                {"curve_bp": _("A planned curve has twelve cumulative shares, one per month, never falling.")}
            )
    else:
        curve = []
    if total_fen < 0:
        raise ValidationError({"total_fen": _("An amount cannot be negative.")})
    fund = Fund(
        bureau=bureau,
        name=_check_text(name, "name"),
        source_level=source_level,
        purpose=purpose,
        year=year,
        approved_on=approved_on,
        approval_document=_check_text(approval_document, "approval_document"),
        total_fen=total_fen,
        mode=mode,
        curve_bp=curve,
        position=position,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    fund.full_clean()
    fund.save()
    audit_record(
        actor=actor, action="funds.fund_create", target=fund, data={"total_fen": total_fen, "mode": mode, "year": year}
    )
    return fund


def _approval_start(fund: Fund) -> datetime:
    return datetime.combine(fund.approved_on, time(9), SHANGHAI)


@transaction.atomic
def allocation_create(
    *,
    actor: Any,
    fund: Fund,
    organization: Organization,
    amount_fen: int,
    title: str = "",
    certifier: Any = None,
    source_label: str = "",
) -> Allocation:
    """An allocation of ``fund`` to a school (or a project): never more than the fund has
    left; FND-3's transfer clock starts at the budget's approval."""
    _require_finance(actor, fund.bureau)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    title = _check_text(title, "title", required=fund.is_project)
    if amount_fen <= 0:
        raise ValidationError({"amount_fen": _("An allocation must be more than zero.")})
    if organization.path and fund.bureau.path and not organization.path.startswith(fund.bureau.path):
        raise ValidationError({"organization": _("The recipient is not under this fund's bureau.")})
    allocated = fund.allocations.aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"]
    if allocated + amount_fen > fund.total_fen:
        raise ValidationError(
            {
                "amount_fen": _("The allocations would exceed the fund: %(left)s yuan is left to allocate.")
                % {"left": yuan(fund.total_fen - allocated)}
            }
        )
    if fund.allocations.filter(organization=organization, title=title).exists():
        raise ValidationError(_("This recipient already has an allocation of this fund."))
    due = deadline(fund.transfer_rule, fund.approved_on)
    allocation = Allocation.objects.create(
        fund=fund,
        organization=organization,
        title=title,
        amount_fen=amount_fen,
        transfer_due=due.due_date,
        certifier=certifier,
        source_label=source_label,
    )
    audit_record(
        actor=actor,
        action="funds.allocation_create",
        target=allocation,
        data={"fund": fund.pk, "organization": organization.pk, "amount_fen": amount_fen},
    )
    supervision_open(
        item=allocation,
        organization=fund.bureau,
        rule_id=fund.transfer_rule,
        start=_approval_start(fund),
        actor=actor,
        title=_("Transfer %(fund)s to %(recipient)s")
        % {"fund": fund.name, "recipient": allocation.title or organization.name},
    )
    return allocation


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals (12345 → "123.45")."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


# --- Disbursements -------------------------------------------------------------------------


def certified_bp(allocation: Allocation, on: date | None = None) -> int:
    rows = allocation.certifications.all()
    if on is not None:
        rows = rows.filter(certified_on__lte=on)
    return rows.aggregate(m=Coalesce(Max("progress_bp"), 0))["m"]


def payable_fen(allocation: Allocation) -> int:
    """FND-2: what may be paid in all: the amount × the certified progress, rounded down."""
    return allocation.amount_fen * certified_bp(allocation) // FULL_BP


def paid_fen(allocation: Allocation) -> int:
    return allocation.disbursements.aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"]


def _ceiling(allocation: Allocation) -> int:
    return payable_fen(allocation) if allocation.fund.is_project else allocation.amount_fen


def _too_much(allocation: Allocation, paid: int, amount: int) -> str | None:
    """The reason a payment of ``amount`` on top of ``paid`` is refused, or None."""
    if paid + amount > allocation.amount_fen:
        return _("This would pay %(total)s yuan against an allocation of %(amount)s yuan.") % {
            "total": yuan(paid + amount),
            "amount": yuan(allocation.amount_fen),
        }
    if allocation.fund.is_project:
        payable = payable_fen(allocation)
        if paid + amount > payable:
            return _(
                "This would run ahead of the certified progress (%(progress)s%%): at most %(payable)s yuan may be "
                "paid in all, %(paid)s yuan is paid already."
            ) % {
                "progress": f"{certified_bp(allocation) / 100:g}",
                "payable": yuan(payable),
                "paid": yuan(paid),
            }
    return None


def _transfer_done(allocations: Iterable[Allocation], *, actor: Any) -> None:
    """FND-3: the first money to arrive stops each allocation's transfer clock."""
    by_pk = {a.pk: a for a in allocations}
    if not by_pk:
        return
    content_type = ContentType.objects.get_for_model(Allocation)
    live = Supervision.objects.filter(
        content_type=content_type,
        object_id__in=[str(pk) for pk in by_pk],
        rule_id__startswith="FND-3",
        status=Supervision.Status.OPEN,
    )
    for supervision in live:
        supervision_close(supervision=supervision, actor=actor, reason=_("The first transfer arrived."))


@transaction.atomic
def disbursement_record(
    *, actor: Any, allocation: Allocation, paid_on: date, amount_fen: int, voucher: str
) -> Disbursement:
    """Record money that arrived. Never more than the allocation; for a project never more
    than the certified progress × the allocation (FND-2); a voucher only once."""
    allocation = Allocation.objects.select_for_update().select_related("fund").get(pk=allocation.pk)
    _require_finance(actor, allocation.fund.bureau)
    voucher = _check_text(voucher, "voucher")
    if amount_fen <= 0:
        raise ValidationError({"amount_fen": _("A payment must be more than zero.")})
    if paid_on.year > allocation.fund.year + 1 or paid_on < date(allocation.fund.year - 1, 1, 1):
        raise ValidationError({"paid_on": _("The date is outside the fund's year.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if Disbursement.objects.filter(voucher=voucher).exists():
        raise ValidationError({"voucher": _("Voucher %(voucher)s is already recorded.") % {"voucher": voucher}})
    first = allocation.first_paid_on is None  # the locked row's kept first day: no money yet
    reason = _too_much(allocation, paid_fen(allocation), amount_fen)
    if reason:
        raise ValidationError({"amount_fen": reason})
    disbursement = Disbursement.objects.create(
        allocation=allocation, paid_on=paid_on, amount_fen=amount_fen, voucher=voucher
    )
    allocation_totals_refresh(Allocation.objects.filter(pk=allocation.pk))
    audit_record(
        actor=actor,
        action="funds.disbursement_record",
        target=disbursement,
        data={"allocation": allocation.pk, "amount_fen": amount_fen, "paid_on": paid_on.isoformat()},
    )
    if first:
        _transfer_done([allocation], actor=actor)
    return disbursement


# --- FND-2: progress --------------------------------------------------------------------------


@transaction.atomic
def progress_certify(
    *, actor: Any, allocation: Allocation, progress_bp: int, certified_on: date, evidence: Any, note: str = ""
) -> ProgressCertification:
    """The project's certifier states its progress, with evidence (a file). Progress never
    goes back: a lower figure than one already certified is refused."""
    _require_actor(actor)
    allocation = Allocation.objects.select_for_update().select_related("fund").get(pk=allocation.pk)
    if not access.can_certify(actor, allocation):
        raise PermissionDenied(_("Only the project's certifier may certify its progress."))
    if not 0 < progress_bp <= FULL_BP:
        raise ValidationError({"progress_bp": _("Progress is more than 0 and at most 100 per cent.")})
    if certified_on > timezone.localdate():
        raise ValidationError({"certified_on": _("A certification cannot be dated in the future.")})
    before = certified_bp(allocation)
    if progress_bp < before:
        raise ValidationError(
            {
                "progress_bp": _("%(before)s%% is already certified; progress does not go back.")
                % {"before": before / 100}
            }
        )
    if evidence is None:
        raise ValidationError({"evidence": _("Attach the evidence of the progress.")})
    note = _check_text(note, "note", required=False)
    stored = upload_store(file=evidence, purpose=EVIDENCE_PURPOSE, actor=actor)
    with discard_on_error(stored):
        cert = ProgressCertification.objects.create(
            allocation=allocation,
            progress_bp=progress_bp,
            certified_on=certified_on,
            certifier=actor,
            evidence=stored,
            note=note,
        )
        audit_record(
            actor=actor,
            action="funds.progress_certify",
            target=cert,
            data={"allocation": allocation.pk, "progress_bp": progress_bp, "evidence": str(stored.pk)},
        )
    return cert


# --- Imports -------------------------------------------------------------------------------


def mapping_for(fund: Fund) -> dict[str, str]:
    """The columns remembered for the fund, else for its bureau, else the defaults."""
    for mapping in (
        ImportMapping.objects.filter(fund=fund).first(),
        ImportMapping.objects.filter(organization_id=fund.bureau_id).first(),
    ):
        if mapping is not None and mapping.columns:
            return {**DEFAULT_COLUMNS, **mapping.columns}
    return dict(DEFAULT_COLUMNS)


def _remember(fund: Fund, columns: Mapping[str, str]) -> None:
    clean = {k: v for k, v in columns.items() if k in IMPORT_FIELDS and v}
    ImportMapping.objects.update_or_create(fund=fund, defaults={"columns": clean})
    ImportMapping.objects.update_or_create(organization_id=fund.bureau_id, defaults={"columns": clean})


def _fen_of(value: Any) -> int | None:
    """Yuan as typed in a finance export ("1,234.50", 1234.5) → fen; None when unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    fen = number * 100
    if fen != fen.to_integral_value():
        return None
    return int(fen)


def _date_of(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 8 else None
    except ValueError:
        parts = text.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                return None
        return None


@dataclass(frozen=True)
class ParsedRow:
    number: int
    allocation_id: int
    voucher: str
    paid_on: date
    amount_fen: int


def _refuse(messages: list[str]) -> None:
    shown = messages[:MAX_ROW_MESSAGES]
    if len(messages) > MAX_ROW_MESSAGES:
        shown.append(_("… and %(n)s more problems.") % {"n": len(messages) - MAX_ROW_MESSAGES})
    raise ImportRefused([_("Nothing was imported."), *shown])


def parse_disbursement_rows(
    fund: Fund, rows: list[tuple[int, list[Any]]], columns: Mapping[str, str]
) -> tuple[list[ParsedRow], set[int]]:
    """Check every row against the fund's allocations; raise ``ImportRefused`` with
    row-numbered messages, or return the rows to record."""
    if not rows:
        raise ImportRefused(_("The file has no rows."))
    header_number, header = rows[0]
    headings = [str(h or "").strip() for h in header]
    index: dict[str, int] = {}
    missing = []
    for field_name in IMPORT_FIELDS:
        heading = (columns.get(field_name) or "").strip()
        if heading and heading in headings:
            index[field_name] = headings.index(heading)
        elif field_name != "project" or (fund.is_project and heading):
            missing.append(heading or field_name)
    if missing:
        raise ImportRefused(
            _("Row %(row)s: the columns %(columns)s are missing.")
            % {"row": header_number, "columns": "、".join(missing)}
        )
    allocations = {
        (code, title): (pk, amount)
        for pk, code, title, amount in fund.allocations.values_list("pk", "organization__code", "title", "amount_fen")
    }
    names = dict(fund.allocations.values_list("organization__name", "organization__code"))
    codes = {code for code, _title in allocations}
    messages: list[str] = []
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    today = timezone.localdate()

    def cell(values: list[Any], key: str) -> Any:
        i = index.get(key)
        return values[i] if i is not None and i < len(values) else None

    for number, values in rows[1:]:
        school = str(cell(values, "school") or "").strip()
        code = school if school in codes else names.get(school, school)
        title = str(cell(values, "project") or "").strip() if "project" in index else ""
        voucher = str(cell(values, "voucher") or "").strip()
        paid_on = _date_of(cell(values, "paid_on"))
        amount = _fen_of(cell(values, "amount"))
        problems = []
        target = allocations.get((code, title))
        if target is None:
            problems.append(_("%(school)s has no allocation of this fund") % {"school": school or _("(blank)")})
        if not voucher:
            problems.append(_("the voucher number is blank"))
        elif len(voucher) > 60 or text_error(voucher):
            problems.append(_("the voucher number is not readable"))
        elif voucher in seen:
            problems.append(_("voucher %(voucher)s repeats row %(row)s") % {"voucher": voucher, "row": seen[voucher]})
        if paid_on is None:
            problems.append(_("the date is not a date"))
        elif not fund.year - 1 <= paid_on.year <= fund.year + 1:
            problems.append(_("the date is outside the fund's year"))
        elif paid_on > today:
            problems.append(_("the date is in the future"))
        if amount is None:
            problems.append(_("the amount is not an amount in yuan"))
        elif amount <= 0:
            problems.append(_("the amount must be more than zero"))
        if voucher and voucher not in seen:
            seen[voucher] = number
        if problems:
            messages.append(_("Row %(row)s: %(problems)s.") % {"row": number, "problems": "；".join(problems)})
            continue
        if target is None or paid_on is None or amount is None:  # pragma: no cover - problems caught above
            continue
        parsed.append(ParsedRow(number, target[0], voucher, paid_on, amount))
    if messages:
        _refuse(messages)
    # Vouchers already recorded (in chunks: SQLite's variable limit).
    vouchers = [r.voucher for r in parsed]
    known: set[str] = set()
    for start in range(0, len(vouchers), 900):
        known.update(
            Disbursement.objects.filter(voucher__in=vouchers[start : start + 900]).values_list("voucher", flat=True)
        )
    for r in parsed:
        if r.voucher in known:
            messages.append(
                _("Row %(row)s: voucher %(voucher)s is already recorded.") % {"row": r.number, "voucher": r.voucher}
            )
    if messages:
        _refuse(messages)
    # Never over the allocation (nor, for a project, over its certified progress).
    targets = dict(allocations.values())
    touched = {r.allocation_id for r in parsed}
    # What each allocation has had so far: its kept total (the fund is locked, and every
    # write of money keeps the totals in its own transaction), not a GROUP BY of them all.
    paid = dict(Allocation.objects.filter(fund=fund, paid_fen__gt=0).values_list("pk", "paid_fen"))
    ceilings = dict(targets)
    if fund.is_project:
        certified = dict(
            ProgressCertification.objects.filter(allocation__in=Allocation.objects.filter(fund=fund).values("pk"))
            .values_list("allocation_id")
            .annotate(m=Max("progress_bp"))
            .order_by()
        )
        ceilings = {pk: amount * certified.get(pk, 0) // FULL_BP for pk, amount in targets.items()}
    running: dict[int, int] = defaultdict(int)
    over: set[int] = set()
    for r in parsed:
        running[r.allocation_id] += r.amount_fen
        total = paid.get(r.allocation_id, 0) + running[r.allocation_id]
        if r.allocation_id in touched and r.allocation_id not in over and total > ceilings[r.allocation_id]:
            over.add(r.allocation_id)
            if fund.is_project:
                text = _(
                    "Row %(row)s: the payments would reach %(total)s yuan, ahead of the certified progress "
                    "(at most %(ceiling)s yuan)."
                )
            else:
                text = _(
                    "Row %(row)s: the payments would reach %(total)s yuan, more than the allocation of "
                    "%(ceiling)s yuan."
                )
            messages.append(text % {"row": r.number, "total": yuan(total), "ceiling": yuan(ceilings[r.allocation_id])})
    if messages:
        _refuse(messages)
    return parsed, set(paid)


def _insert_rows(parsed: list[ParsedRow], batch: DisbursementImport) -> None:
    """Insert the checked rows in bulk: a city's file is 100,000 rows, and building a model
    instance per row would cost more than the checks. PostgreSQL takes them by ``COPY``,
    SQLite by one prepared statement run for every row. The database still enforces every
    constraint (unique voucher, positive amount, the allocation's key)."""
    fields = ("allocation_id", "paid_on", "amount_fen", "voucher", "batch_id", "recorded_at")
    table = connection.ops.quote_name(Disbursement._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in fields)
    now = timezone.now()
    rows = ((r.allocation_id, r.paid_on, r.amount_fen, r.voucher, batch.pk, now) for r in parsed)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))  # noqa: S608


def _kind_of(name: str) -> str:
    suffix = PurePosixPath(name or "").suffix.lower()
    if suffix in (".xlsx", ".csv"):
        return suffix[1:]
    raise ImportRefused(_("Upload an .xlsx or .csv file."))


@transaction.atomic
def disbursements_import(
    *, actor: Any, fund: Fund, file: Any, columns: Mapping[str, str] | None = None
) -> DisbursementImport:
    """All or nothing: every row is checked first (row-numbered messages in Chinese), a
    repeated voucher, an unknown school or a payment over the allocation refuses the whole
    file. The column mapping is remembered for the fund and its bureau."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    _require_finance(actor, fund.bureau)
    kind = _kind_of(getattr(file, "name", ""))
    columns = {**mapping_for(fund), **{k: v for k, v in (columns or {}).items() if v}}
    stored = upload_store(file=file, purpose=IMPORT_PURPOSE, actor=actor, allowed_kinds=(kind,))
    with discard_on_error(stored):
        file.seek(0)
        rows = spreadsheet_rows(file, kind=kind, limits=IMPORT_LIMITS)
        parsed, paid_before = parse_disbursement_rows(fund, rows, columns)
        batch = DisbursementImport.objects.create(
            fund=fund,
            stored_file=stored,
            rows=len(parsed),
            total_fen=sum(r.amount_fen for r in parsed),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        first = {r.allocation_id for r in parsed} - paid_before
        _insert_rows(parsed, batch)
        allocation_totals_refresh(Allocation.objects.filter(fund=fund))
        _remember(fund, columns)
        audit_record(
            actor=actor,
            action="funds.disbursements_import",
            target=batch,
            data={"fund": fund.pk, "rows": batch.rows, "total_fen": batch.total_fen, "file": str(stored.pk)},
        )
        _transfer_done(Allocation.objects.filter(pk__in=first), actor=actor)
    return batch


def import_file_of(content: bytes, name: str) -> Any:
    """Bytes as an uploaded file (for commands and the seam)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- FND-1: lag alerts ---------------------------------------------------------------------


def _recipients(organization: Organization, *roles: str) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(organization=organization, is_active=True, role__in=roles).select_related(
            "user"
        )
    ]


def _finance_staff(bureau: Organization) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization__path__startswith=bureau.path, is_active=True, role=Role.FEE_REVIEWER
        ).select_related("user")
    ]


@transaction.atomic
def lag_sweep(*, actor: Any = SYSTEM, on: date | None = None) -> list[LagAlert]:
    """FND-1: raise an alert on every allocation lagging more than the LOCAL threshold
    (told to the school and the bureau's finance staff), and clear those that caught up.
    Returns the alerts raised."""
    _require_actor(actor)
    if not is_system(actor):
        raise PermissionDenied(_("Only the platform runs the lag check."))
    on = on or timezone.localdate()
    threshold = alert_threshold_pp()
    allocations = Allocation.objects.filter(fund__year=on.year)
    lags = {lag.allocation_id: lag for lag in lags_at(allocations, on)}
    open_alerts = {a.allocation_id: a for a in LagAlert.objects.filter(cleared_on__isnull=True)}
    raised: list[LagAlert] = []
    for pk, lag in lags.items():
        alert = open_alerts.get(pk)
        if lag.lagging(threshold) and alert is None:
            raised.append(
                LagAlert.objects.create(
                    allocation_id=pk,
                    raised_on=on,
                    schedule_bp=lag.schedule_bp,
                    actual_bp=lag.actual_bp,
                    threshold_pp=threshold,
                )
            )
        elif alert is not None and not lag.lagging(threshold):
            alert.cleared_on = on
            alert.save(update_fields=["cleared_on"])
    for alert in raised:
        allocation = Allocation.objects.select_related("fund__bureau", "organization").get(pk=alert.allocation_id)
        text = _(
            "%(fund)s for %(recipient)s lags its time schedule by %(lag)s percentage points "
            "(schedule %(schedule)s%%, arrived %(actual)s%%)."
        ) % {
            "fund": allocation.fund.name,
            "recipient": allocation.title or allocation.organization.name,
            "lag": f"{alert.lag_pp:.1f}",
            "schedule": f"{alert.schedule_bp / 100:.1f}",
            "actual": f"{alert.actual_bp / 100:.1f}",
        }
        url = reverse("funds:allocation", args=[allocation.pk])
        notify(
            recipients=_finance_staff(allocation.fund.bureau),
            verb=Notification.Verb.MESSAGE,
            text=text,
            url=url,
            organization=allocation.fund.bureau,
            key=f"funds-lag-{alert.pk}",
        )
        notify(
            recipients=_recipients(allocation.organization, Role.PRINCIPAL, Role.SCHOOL_CLERK),
            verb=Notification.Verb.MESSAGE,
            text=text,
            url=url,
            organization=allocation.organization,
            key=f"funds-lag-{alert.pk}",
        )
        audit_record(
            actor=actor,
            action="funds.lag_alert",
            target=alert,
            data={"allocation": allocation.pk, "schedule_bp": alert.schedule_bp, "actual_bp": alert.actual_bp},
        )
    return raised


@transaction.atomic
def rectification_order(*, actor: Any, alert: LagAlert) -> int:
    """A lagging allocation becomes a rectification order (OVS-4): the bureau orders the
    responsible unit — its finance department for a transfer that lags — to put it right.
    Sent once per alert. Returns how many receivers heard it."""
    _require_actor(actor)
    alert = (
        LagAlert.objects.select_for_update()
        .select_related("allocation__fund__bureau", "allocation__organization")
        .get(pk=alert.pk)
    )
    fund = alert.allocation.fund
    if not is_system(actor) and not access.can_order_rectification(actor, fund):
        raise PermissionDenied(_("Only the bureau's finance staff or leaders may order a rectification."))
    if alert.rectification_sent_at is not None:
        raise ValidationError(_("A rectification was already ordered for this alert."))
    if alert.cleared_on is not None:
        raise ValidationError(_("This allocation has caught up; there is nothing to rectify."))
    recipient = alert.allocation.title or alert.allocation.organization.name
    text = _(
        "%(fund)s for %(recipient)s lags its time schedule by %(lag)s percentage points: transfer the money due "
        "and report the reasons."
    ) % {"fund": fund.name, "recipient": recipient, "lag": f"{alert.lag_pp:.1f}"}
    count = rectification_request.send(
        RectificationRequest(
            organization_id=alert.allocation.organization_id,
            issuer_id=fund.bureau_id,
            source_label=f"funds.lagalert:{alert.pk}",
            items=(RectificationItem(text=text, rule_id="OVS-4"),),
        ),
        actor=actor,
    )
    alert.rectification_sent_at = timezone.now()
    alert.save(update_fields=["rectification_sent_at"])
    audit_record(actor=actor, action="funds.rectification_order", target=alert, data={"receivers": count})
    return count


# --- Publication ------------------------------------------------------------------------------


@transaction.atomic
def school_page_publish(*, actor: Any, school: Organization, on: date) -> Any:
    """Publish "where is my school's money" in the school's disclosure catalogue
    (category "finances"): each allocation of the year, what arrived and when. A new
    version of the same entry each time."""
    from django.utils.html import escape

    from sunshine.core.seams import DisclosureEntry, disclosure_entry_publish
    from sunshine.funds.statement import wan

    _require_finance(actor, school.bureau)
    allocations = Allocation.objects.filter(organization=school, fund__year=on.year).select_related("fund")
    lags = {lag.allocation_id: lag for lag in lags_at(allocations, on)}
    parts = []
    for allocation in allocations.order_by("fund__position", "fund__pk", "title"):
        lag = lags[allocation.pk]
        arrivals = "；".join(
            _("%(date)s %(amount)s yuan") % {"date": d.paid_on.isoformat(), "amount": yuan(d.amount_fen)}
            for d in allocation.disbursements.filter(paid_on__lte=on).order_by("paid_on", "pk")
        )
        parts.append(
            "<p>"
            + escape(
                _(
                    "%(fund)s: allocated %(amount)s ten-thousand yuan, arrived %(paid)s ten-thousand yuan "
                    "(%(actual)s%%, time schedule %(schedule)s%%). Arrivals: %(arrivals)s"
                )
                % {
                    "fund": allocation.fund.name + (f"（{allocation.title}）" if allocation.title else ""),
                    "amount": wan(allocation.amount_fen),
                    "paid": wan(lag.paid_fen),
                    "actual": f"{lag.actual_pct:.1f}",
                    "schedule": f"{lag.schedule_pct:.1f}",
                    "arrivals": arrivals or _("none yet"),
                }
            )
            + "</p>"
        )
    if not parts:
        raise ValidationError(_("This school has no allocation this year."))
    result = disclosure_entry_publish(
        DisclosureEntry(
            organization_id=school.pk,
            category="finances",
            title=_("Funds of %(school)s in %(year)s: allocations and arrivals")
            % {"school": school.name, "year": on.year},
            info_date=on,
            source_label=f"funds.school:{school.pk}:{on.year}",
            body="".join(parts),
        ),
        actor=actor,
    )
    audit_record(
        actor=actor, action="funds.school_publish", target=school, data={"year": on.year, "entry": result.entry_id}
    )
    return result
