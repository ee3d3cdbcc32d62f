"""The petition rules of rules.md (PET-1 … PET-10) that are decisions rather than
clocks. Every deadline itself comes from ``sunshine.core.clocks`` by clock ID; this
module only says WHICH clock applies and the small predicates the services share."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

# --- Receipt codes -------------------------------------------------------------------

RECEIPT_DIGITS = 16
RECEIPT_PURPOSE = "petitions.receipt"
# Guessing is throttled by core.throttle (GUESS_ADDRESS, GUESS_CODE): this many wrong
# codes per address are free, then a growing wait of minutes.
RECEIPT_MAX_FAILURES = 10
_NOT_DIGIT_SEPARATORS = re.compile(r"[\s\-]")

# Blind indexes of the filer's identity (keyed hashes; never reversible).
NAME_INDEX_PURPOSE = "petitions.name"
PHONE_INDEX_PURPOSE = "petitions.phone"
ID_INDEX_PURPOSE = "petitions.id_number"
EMAIL_INDEX_PURPOSE = "petitions.email"

# Cross-channel links (services.petition_links_find): the same filer writing by web,
# hotline and letter, or cases alike in content, within the LOCAL look-back
# PET-2-repeat-lookback-days (before and after the case), in the same bureau.
# * "Same filer" (同一来信人): a contact key is equal — phone, ID number or e-mail, as
#   blind indexes — or the filer's account; only between two real-name cases (PET-8):
#   an anonymous case has no contact key, so it is never linked as anyone's.
# * "Alike in content" (内容相近): the Jaccard index of the two texts' character bigrams
#   (core.textsim) at least LINK_LIKENESS; candidates only through shared LSH band keys
#   (at most LINK_CANDIDATES, most shared bands first), and only about the same school
#   or department when both name one (the same letter about two schools is two matters).
# * Same filer, different matter: linked as the same filer, not as a repeat. A repeat
#   (重复信访) is the same filer with alike content, or a link staff confirmed.
LINK_LIKENESS = 0.5
LINK_CANDIDATES = 50
LINK_MAX_PER_REASON = 20
# Texts shorter than this (characters kept once compacted) get no band keys: a few
# words are alike by chance.
LINK_MIN_CHARS = 16

# PET-7: after re-examination the same facts and reasons are not accepted again. Staff
# decide (services.petition_refuse_same_facts), with the earlier case beside the new one:
# the candidates are the same filer's (same phone or ID number, by blind index) cases
# that have had a re-examination reply, within the LOCAL look-back PET-7-lookback-days
# (0 = for ever: the statute, 信访工作条例 Art. 35, sets no limit). How alike the texts
# are is shown as a suggestion only, never decided by the machine.


def receipt_normalise(code: str) -> str | None:
    """The 16 digits of a receipt code typed with spaces or dashes, or None when the
    input is not exactly 16 ASCII digits after removing them."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    digits = _NOT_DIGIT_SEPARATORS.sub("", code)
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def receipt_format(code: str) -> str:
    """A 16-digit code as people read it: 1234 5678 9012 3456."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def phone_normalise(phone: str) -> str:
    """The digits of a phone number for its blind index, without the country code of
    China (+86, 0086 or 86 before an 11-digit mobile number): "+86 139-0000-1111",
    "0086 13900001111" and "139 0000 1111" are one key."""
    digits = "".join(ch for ch in (phone or "").strip() if ch.isascii() and ch.isdigit())
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 11 and rest.startswith("1"):
            return rest
    return digits


def email_normalise(email: str) -> str:
    """An e-mail address for its blind index: trimmed, lower case."""
    return (email or "").strip().lower()


def id_normalise(id_number: str) -> str:
    """An ID card number for its blind index: no spaces, upper case (the final X)."""
    return "".join((id_number or "").split()).upper()


def name_normalise(name: str) -> str:
    return "".join(name.split())


def is_named(*, name: str, unit: str, phone: str, email: str, address: str) -> bool:
    """PET-8: real-name = a real name or a unit PLUS a working contact (phone, e-mail
    or postal address)."""
    has_who = bool(name.strip() or unit.strip())
    has_contact = bool(phone_normalise(phone) or email.strip() or address.strip())
    return has_who and has_contact


def notice_clock(*, kind: str, named: bool, against_staff: bool) -> str:
    """PET-3: the clock of the written notice to the filer: 15 working days for a
    real-name report against staff ("PET-3-named-report"), 15 days otherwise."""
    if kind == "report" and named and against_staff:
        return "PET-3-named-report"
    return "PET-3"


HANDLING_CLOCK = "PET-5"  # 60 days from acceptance; one extension ≤ 30; ceiling 90
FORWARDED_OBJECTION_CLOCK = "PET-4"  # a case forwarded to us that is not ours: 5 wd
REVIEW_APPLY_CLOCK = "PET-7-review-apply"
REVIEW_ANSWER_CLOCK = "PET-7-review-answer"
REEXAM_APPLY_CLOCK = "PET-7-reexam-apply"
REEXAM_ANSWER_CLOCK = "PET-7-reexam-answer"
RESULT_CLOCK = "PET-8"  # real-name reports: the result told within 15 wd of the handling's conclusion

PET_CLOCKS = (
    "PET-3",
    "PET-3-named-report",
    FORWARDED_OBJECTION_CLOCK,
    HANDLING_CLOCK,
    REVIEW_ANSWER_CLOCK,
    REEXAM_ANSWER_CLOCK,
    RESULT_CLOCK,
)


def satisfied(value: str) -> bool:
    """PET-10: "satisfied" and "basically satisfied" count as satisfied."""
    return value in ("satisfied", "basically")


def against_staff(petition: Any) -> bool:
    """A report names a person (an account or a name as written)."""
    return bool(petition.accused_user_id or (petition.accused_name or "").strip())


def result_due(petition: Any) -> bool:
    """PET-8: the filer is owed the result (15 wd from the handling's conclusion) for a
    real-name *report* only."""
    return petition.kind == "report" and bool(petition.named)


def text_likeness(a: str, b: str) -> float:
    """PET-7: how alike two texts are (0…1), a suggestion for staff, never a decision."""
    a, b = "".join(a.split()), "".join(b.split())
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
