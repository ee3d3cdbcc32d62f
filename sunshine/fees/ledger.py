"""Reading a fee ledger (.xlsx or .csv in UTF-8 or GB18030) into validated rows. The
file is checked and parsed by ``core.imports.spreadsheet_rows`` (sizes and packing
checked first, parsed in a memory-limited process, cells capped); this module turns
its rows into ledger rows. All or nothing: any error and no row is returned; every
error names its row number (as the spreadsheet shows it) and is translatable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.core.imports import ImportRefused, SheetLimits, spreadsheet_rows

# The fields of a ledger row, with the headings recognised without a mapping.
FIELDS: dict[str, tuple[Any, tuple[str, ...], bool]] = {
    # field: (label, headings recognised, required)
    "student_no": (gettext_lazy("Student number"), ("学号", "学籍号", "student_no", "student number"), True),
    "student_name": (gettext_lazy("Student name"), ("姓名", "学生姓名", "student_name", "name"), False),
    "grade": (gettext_lazy("Grade"), ("年级", "班级", "grade"), False),
    "item": (gettext_lazy("Fee item"), ("收费项目", "项目", "item", "fee item"), True),
    "amount": (gettext_lazy("Amount (yuan)"), ("金额", "金额(元)", "金额（元）", "收费金额", "amount"), True),
    "date": (gettext_lazy("Date collected"), ("收费日期", "日期", "缴费日期", "date"), True),
    "receipt_no": (gettext_lazy("Receipt number"), ("票据号", "收据号", "票据编号", "receipt_no", "receipt"), False),
}
MAX_ERRORS = 50
MAX_ROWS = 1_000_000
# No text of a ledger row is long: a cell of more than this is refused before it is read whole.
LIMITS = replace(SheetLimits(), max_cell_chars=1_000, max_columns=200, max_rows=MAX_ROWS + 1)
# One fee of one student above a hundred million yuan is a typing error (and 1e100 is not money).
MAX_AMOUNT = Decimal("100000000")


@dataclass(frozen=True)
class ParsedRow:
    row_no: int
    student_no: str
    student_name: str
    grade: str
    item_code: str
    item_name: str
    amount_fen: int
    collected_on: date
    receipt_no: str


class LedgerInvalid(Exception):
    """The ledger has errors; ``messages`` lists them (row-numbered)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _amount_fen(text: str) -> int | None:
    cleaned = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
    if len(cleaned) > 40:
        return None
    try:
        amount = Decimal(cleaned)
        if not amount.is_finite() or abs(amount) >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            return None
    except InvalidOperation:
        return None
    return int(amount * 100)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def ledger_parse(
    fh: IO[bytes], *, kind: str, mapping: dict[str, str], item_names: dict[str, tuple[str, str]]
) -> list[ParsedRow]:
    """The rows of the ledger ``fh`` (``kind`` "xlsx" or "csv"), or :class:`LedgerInvalid`.

    ``mapping``: field → the heading used in this file (a school's remembered mapping;
    fields not in it are found by their usual headings). ``item_names``: every name and
    synonym of the term's catalogue → (item code, item name)."""
    try:
        rows = spreadsheet_rows(fh, kind=kind, limits=LIMITS)
    except ImportRefused as exc:
        raise LedgerInvalid(exc.messages) from exc
    errors: list[str] = []
    header: list[str] | None = None
    index: dict[str, int] = {}
    parsed: list[ParsedRow] = []
    for number, values in rows:
        texts = [_cell_text(v) for v in values]
        if header is None:
            if not any(texts):
                continue
            header = texts
            lowered = {h.lower(): i for i, h in enumerate(header) if h}
            for field, (label, usual, required) in FIELDS.items():
                wanted = mapping.get(field, "").strip()
                candidates = (wanted,) if wanted else usual
                found = next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)
                if found is not None:
                    index[field] = found
                elif required or wanted:
                    errors.append(
                        _("Row %(row)s: the column “%(column)s” (%(field)s) is missing.")
                        % {"row": number, "column": wanted or usual[0], "field": label}
                    )
            if errors:
                raise LedgerInvalid(errors)
            continue
        if not any(texts):
            continue
        if len(parsed) >= MAX_ROWS:
            raise LedgerInvalid([_("The ledger has more than %(max)s rows; split it by term.") % {"max": MAX_ROWS}])

        def cell(field: str, values: list[Any] = values) -> Any:
            i = index.get(field)
            return values[i] if i is not None and i < len(values) else None

        row_errors: list[str] = []
        student_no = _cell_text(cell("student_no"))
        if not student_no:
            row_errors.append(_("Row %(row)s: the student number is empty.") % {"row": number})
        item_text = _cell_text(cell("item"))
        item = item_names.get(item_text)
        if item is None:
            row_errors.append(
                _("Row %(row)s: “%(item)s” is not a fee item of this term's catalogue.")
                % {"row": number, "item": item_text}
            )
        raw_amount = cell("amount")
        amount_text = _cell_text(raw_amount)
        amount = _amount_fen(amount_text)
        if amount is None:
            row_errors.append(
                _("Row %(row)s: the amount “%(amount)s” is not a number of yuan.")
                % {"row": number, "amount": amount_text}
            )
        elif amount < 0:
            row_errors.append(
                _("Row %(row)s: the amount %(amount)s is negative.") % {"row": number, "amount": amount_text}
            )
        collected = _date(cell("date"))
        if collected is None:
            row_errors.append(
                _("Row %(row)s: the date “%(date)s” is not a date (use 2026-09-01).")
                % {"row": number, "date": _cell_text(cell("date"))}
            )
        if row_errors:
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                errors.append(_("… and more; nothing was imported."))
                break
            continue
        assert item is not None and amount is not None and collected is not None  # noqa: S101 - narrowed above
        parsed.append(
            ParsedRow(
                row_no=number,
                student_no=student_no[:32],
                student_name=_cell_text(cell("student_name"))[:50],
                grade=_cell_text(cell("grade"))[:20],
                item_code=item[0],
                item_name=item[1],
                amount_fen=amount,
                collected_on=collected,
                receipt_no=_cell_text(cell("receipt_no"))[:40],
            )
        )
    if header is None:
        errors.append(_("The ledger is empty."))
    elif not parsed and not errors:
        errors.append(_("The ledger has a heading row but no rows."))
    if errors:
        raise LedgerInvalid(errors)
    return parsed
