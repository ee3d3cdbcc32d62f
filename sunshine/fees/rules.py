"""The fee rules of rules.md (FEE-1 … FEE-6) as code, and the national catalogue the
bureau starts from.

The catalogue is seeded per term by :func:`sunshine.fees.services.catalogue_seed`
(called by the demo builder and by ``manage.py fees_catalogue_seed``); the fee reviewer
then maintains it (adds items, synonyms, legal bases) and carries it to the next term
with ``catalogue_copy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sunshine.fees.models import CatalogueItem, Category, Restriction
from sunshine.orgs.models import Organization


@dataclass(frozen=True)
class SeedItem:
    code: str
    name: str
    category: str
    restriction: str = Restriction.NONE
    synonyms: str = ""
    legal_basis: str = ""
    is_accommodation: bool = False
    is_tuition: bool = False


_FEE3 = "教财〔2020〕5号"  # FEE-3
_FEE1 = "《义务教育法》第二条"  # FEE-1
_PRICE = "计价格〔2002〕792号"
_SVC = "教财〔2020〕5号"

NATIONAL_CATALOGUE: tuple[SeedItem, ...] = (
    # FEE-1: not chargeable in compulsory education (chargeable in senior / vocational / kindergarten).
    SeedItem(
        "tuition",
        "学费",
        Category.ADMINISTRATIVE,
        Restriction.NOT_IN_COMPULSORY,
        "保育教育费、学杂费",
        _FEE1,
        is_tuition=True,
    ),
    SeedItem(
        "misc", "杂费", Category.ADMINISTRATIVE, Restriction.NOT_IN_COMPULSORY, "杂费(含课本费)", _FEE1, is_tuition=True
    ),
    # Administrative fees approved by the pricing authority.
    SeedItem(
        "accommodation",
        "住宿费",
        Category.ADMINISTRATIVE,
        synonyms="宿舍费、住校费",
        legal_basis=_PRICE,
        is_accommodation=True,
    ),
    SeedItem("exam", "考试费", Category.ADMINISTRATIVE, synonyms="报名考试费", legal_basis=_PRICE),
    # Service fees: voluntary, not for profit (FEE-2).
    SeedItem("meals", "伙食费", Category.SERVICE, synonyms="午餐费、餐费、膳食费", legal_basis=_SVC),
    SeedItem("lunch-break", "午休服务费", Category.SERVICE, synonyms="午托费", legal_basis=_SVC),
    SeedItem("after-school", "课后服务费", Category.SERVICE, synonyms="课后延时服务费", legal_basis=_SVC),
    SeedItem("bus", "校车服务费", Category.SERVICE, synonyms="接送费", legal_basis=_SVC),
    # Collected on behalf: settled at actual cost, surplus refunded (FEE-2).
    SeedItem("uniform", "校服费", Category.ON_BEHALF, synonyms="服装费", legal_basis=_SVC),
    SeedItem("textbooks", "教科书费", Category.ON_BEHALF, synonyms="课本费、教材费", legal_basis=_SVC),
    SeedItem("exercise-books", "作业本费", Category.ON_BEHALF, legal_basis=_SVC),
    SeedItem("insurance", "学生意外伤害保险费", Category.ON_BEHALF, synonyms="保险费", legal_basis=_SVC),
    SeedItem("bedding", "床上用品费", Category.ON_BEHALF, synonyms="被褥费", legal_basis=_SVC),
    SeedItem("medical-check", "体检费", Category.ON_BEHALF, legal_basis=_SVC),
    # FEE-3: never chargeable under any name.
    SeedItem("handouts", "资料费", "", Restriction.PROHIBITED, "讲义费、复印费、辅导资料费", _FEE3),
    SeedItem("test-papers", "试卷费", "", Restriction.PROHIBITED, "考试卷费、试题费", _FEE3),
    SeedItem("e-reading", "电子阅览费", "", Restriction.PROHIBITED, "电子阅览、阅览费", _FEE3),
    SeedItem("computer", "上机费", "", Restriction.PROHIBITED, "微机费、电脑使用费、计算机上机费", _FEE3),
    SeedItem("heating", "取暖费", "", Restriction.PROHIBITED, "暖气费、烤火费", _FEE3),
    SeedItem("cooling", "降温费", "", Restriction.PROHIBITED, "空调费、风扇费", _FEE3),
    SeedItem("water", "饮水费", "", Restriction.PROHIBITED, "饮用水费、纯净水费", _FEE3),
    SeedItem("security", "安保费", "", Restriction.PROHIBITED, "保安费、安全费", _FEE3),
)


def declaration_refusal(*, item: CatalogueItem, school: Organization) -> ValidationError | None:
    """The reason a school may never declare ``item``, or None.

    FEE-3: a prohibited item is refused under any name. FEE-1: tuition and
    miscellaneous fees are refused for a compulsory-education school (primary, junior,
    nine-year). FEE-2: an inactive item (no longer in the catalogue) is refused too — a
    school never creates an item of its own."""
    if item.restriction == Restriction.PROHIBITED:
        return ValidationError(_("“%(item)s” may not be charged under any name.") % {"item": item.name}, code="FEE-3")
    if item.restriction == Restriction.NOT_IN_COMPULSORY and school.is_compulsory:
        return ValidationError(
            _("Compulsory education charges no tuition or miscellaneous fee (“%(item)s”).") % {"item": item.name},
            code="FEE-1",
        )
    if not item.is_active:
        return ValidationError(
            _("“%(item)s” is not in this term's catalogue; a school cannot create fee items.") % {"item": item.name},
            code="FEE-2",
        )
    return None


RESEMBLANCE_RATIO = 0.67  # FEE-3: how alike two names must be (difflib ratio, "费" set aside)


def _core(name: str) -> str:
    name = name.strip()
    return name[:-1] if name.endswith("费") and len(name) > 2 else name


def _lawful_national_names() -> frozenset[str]:
    """The names of the national catalogue's chargeable items: these are the lawful
    items themselves, never a disguised prohibited one."""
    names: set[str] = set()
    for seed in NATIONAL_CATALOGUE:
        if seed.restriction != Restriction.PROHIBITED:
            names.update([seed.name, *[s for s in seed.synonyms.split("、") if s]])
    return frozenset(names)


def prohibited_resemblance(*, item: CatalogueItem, prohibited: Iterable[CatalogueItem]) -> str | None:
    """FEE-3 "under any name": the name of the prohibited item that ``item`` resembles,
    or None. A name resembles a prohibited item when one of the item's names is one of
    the prohibited item's names or synonyms, contains it or is contained in it, or is
    alike by similarity (``RESEMBLANCE_RATIO``), the trailing "费" set aside. The
    national catalogue's own chargeable items (by name) never resemble."""
    if item.restriction == Restriction.PROHIBITED:
        return None
    lawful = _lawful_national_names()
    mine = [_core(n) for n in item.names() if n not in lawful]
    for other in prohibited:
        for theirs in (_core(n) for n in other.names()):
            for name in mine:
                if name == theirs or (min(len(name), len(theirs)) >= 2 and (theirs in name or name in theirs)):
                    return other.name
                if SequenceMatcher(None, name, theirs).ratio() >= RESEMBLANCE_RATIO:
                    return other.name
    return None
