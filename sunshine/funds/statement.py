"""The seed's sentence for any as-of date, from records: "截止11月10日,已下拨生均公用经费
1982万元,…,全部按规定时间及时到位" — or, when not every fund is on time, which are not.

A fund is on time at a date when every allocation whose FND-3 transfer deadline has
passed by then received its first money by that deadline."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from sunshine.core.documents import DOCX_TYPE, RED, add_run, chinese_date, red_rule
from sunshine.core.issued import document_issue
from sunshine.core.seams import DisclosureEntry, EntryFile, disclosure_entry_publish
from sunshine.funds.models import Allocation, Fund
from sunshine.orgs.models import Organization

STATEMENT_DOCUMENT = "funds.statement"


def wan(fen: int) -> str:
    """Fen in 万元 as the seed writes them: 1982, 38.42, 60.67, 1300 (at most two
    decimals, trailing zeros dropped)."""
    value = (Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class FundLine:
    fund_id: int
    name: str
    disbursed_fen: int
    on_time: bool

    @property
    def wan(self) -> str:
        return wan(self.disbursed_fen)


def late_allocations(allocations: Any, as_of: date) -> Any:
    """Allocations whose transfer deadline passed by ``as_of`` without money by then."""
    due = allocations.filter(transfer_due__lt=as_of).annotate(
        first=Min("disbursements__paid_on", filter=Q(disbursements__paid_on__lte=as_of))
    )
    return due.filter(Q(first__isnull=True) | Q(first__gt=F("transfer_due")))


def statement_lines(bureau: Organization, as_of: date) -> list[FundLine]:
    funds = Fund.objects.filter(bureau=bureau, year=as_of.year).order_by("position", "pk")
    lines = []
    for fund in funds:
        allocations = Allocation.objects.filter(fund=fund)
        disbursed = allocations.filter(disbursements__paid_on__lte=as_of).aggregate(
            s=Coalesce(Sum("disbursements__amount_fen"), 0)
        )["s"]
        on_time = not late_allocations(allocations, as_of).exists()
        lines.append(FundLine(fund.pk, fund.name, disbursed, on_time))
    return lines


def statement_sentence(bureau: Organization, as_of: date, lines: list[FundLine] | None = None) -> str:
    lines = statement_lines(bureau, as_of) if lines is None else lines
    day = _("%(month)s/%(day)s") % {"month": as_of.month, "day": as_of.day}
    if not lines:
        return _("As of %(date)s, no fund has been disbursed") % {"date": day}
    separator = pgettext("list separator in a sentence", ", ")
    items = separator.join(
        _("%(fund)s %(amount)s ten-thousand yuan") % {"fund": line.name, "amount": line.wan} for line in lines
    )
    late = [line.name for line in lines if not line.on_time]
    if not late:
        return _("As of %(date)s, disbursed %(items)s, all arrived on time as required") % {
            "date": day,
            "items": items,
        }
    return _("As of %(date)s, disbursed %(items)s; %(late)s did not arrive on time as required") % {
        "date": day,
        "items": items,
        "late": pgettext("list separator of names", ", ").join(late),
    }


def statement_docx(bureau: Organization, as_of: date, sentence: str, number: str = "") -> bytes:
    doc = Document()
    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, bureau.name, font="方正小标宋简体", size=26, color=RED)
    red_rule(header)
    if number:
        num = doc.add_paragraph()
        num.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(num, number, font="仿宋_GB2312", size=16)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(title, _("Statement of funds disbursed"), font="方正小标宋简体", size=22)
    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = None
    add_run(body, sentence + _("."), font="仿宋_GB2312", size=16)
    signed = doc.add_paragraph()
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_run(signed, f"{bureau.name}\n{chinese_date(as_of)}", font="仿宋_GB2312", size=16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@transaction.atomic
def statement_issue(*, actor: Any, bureau: Organization, as_of: date, publish: bool = False) -> Any:
    """Issue the statement as a document record of the bureau (文号, bytes, figures). With
    ``publish`` it is published too, and put in the bureau's disclosure catalogue under
    budgets and final accounts (the same entry, a new version, for each date)."""
    lines = statement_lines(bureau, as_of)
    sentence = statement_sentence(bureau, as_of, lines)
    title = _("Statement of funds disbursed as of %(date)s") % {"date": chinese_date(as_of)}
    document = document_issue(
        kind=STATEMENT_DOCUMENT,
        organization=bureau,
        title=title,
        content=lambda number: statement_docx(bureau, as_of, sentence, number),
        filename=_("Funds statement {number}.docx"),
        content_type=DOCX_TYPE,
        actor=actor,
        period=(date(as_of.year, 1, 1), as_of),
        figures={"funds.disbursed": sum(line.disbursed_fen for line in lines)},
        publish=publish,
        year=as_of.year,
    )
    if publish:
        with document.file.file.open("rb") as fh:
            content = fh.read()
        disclosure_entry_publish(
            DisclosureEntry(
                organization_id=bureau.pk,
                category="budgets",
                title=title,
                info_date=as_of,
                source_label=f"funds.statement:{bureau.pk}:{as_of.year}",
                body=f"<p>{escape(sentence + _('.'))}</p>",
                attachments=(EntryFile(name=f"{title}.docx", content=content),),
                number=document.number,
                issued_on=as_of,
            ),
            actor=actor,
        )
    return document
