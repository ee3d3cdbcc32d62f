"""The one receipt page of the site: what a filer sees right after a letter, a fee
complaint or an FOI request is filed (``core/receipt.html``). The owning app fills a
``Receipt``: the case number, the receipt code (shown once), what happens next and the
deadline, which it takes from ``core.clocks`` (never a number typed into a template)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise


def receipt_code_grouped(code: str) -> str:
    """1234 5678 9012 3456: four groups of four, easier to copy down and read out."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class Receipt:
    heading: str | Promise
    number_label: str | Promise
    number: str
    code: str = ""  # the receipt code as shown (grouped); "" when there is none to show
    code_label: str | Promise = ""
    code_warning: str | Promise = ""
    deadline_label: str | Promise = ""
    deadline: date | None = None
    steps: tuple[str | Promise, ...] = ()
    follow_url: str = ""
    follow_label: str | Promise = ""
    back_url: str = ""
    back_label: str | Promise = ""
