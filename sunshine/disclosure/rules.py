"""The disclosure rules of rules.md as data: DIS-2's catalogue and checklists, FOI-4's
reply types and reasons, FOI-5's table, and the inspection's thresholds.

Catalogue and checklist names are lazy translations: the database keeps the English
msgid (``catalogue_msgid``) and ``Category.label`` / ``RequiredItem.label`` translate
it for the reader."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _


def catalogue_msgid(name: Any) -> str:
    """The untranslated text of a catalogue or checklist name, as stored."""
    with translation.override(None):
        return str(name)


# --- DIS-2: catalogue categories ------------------------------------------------------
# (code, name, scope, order). scope: "bureau", "school" or "both".
CATEGORIES = [
    ("rules", _("Rules and normative documents"), "bureau", 10),
    ("functions", _("Functions, address, hours, contacts and head"), "bureau", 20),
    ("services", _("Licensing and services"), "bureau", 30),
    ("budgets", _("Budgets and final accounts"), "bureau", 40),
    ("admin-fees", _("Administrative fee items, bases and standards"), "bureau", 50),
    ("procurement", _("Procurement"), "bureau", 60),
    ("policies", _("Education policies and their implementation"), "bureau", 70),
    ("hiring", _("Hiring and promotion"), "both", 80),
    ("basic-facts", _("Basic facts"), "school", 110),
    ("school-rules", _("School rules"), "school", 120),
    ("plans", _("Plans and summaries"), "school", 130),
    ("enrollment", _("Enrollment and student aid"), "school", 140),
    ("fees", _("Fees"), "school", 150),
    ("tenders", _("Tender results"), "both", 160),
    ("finances", _("Finances and donations"), "school", 170),
    ("safety", _("Safety plans"), "school", 180),
    ("major-decisions", _("Major decisions"), "both", 190),
]

# --- DIS-2: required-disclosure checklists --------------------------------------------
# (org kind, category code, what, frequency). A standing item must be published at any
# time; an annual one in the year; a quarterly one in the quarter.
REQUIRED = [
    ("bureau", "functions", _("Functions, address, office hours, contacts and head"), "standing"),
    ("bureau", "rules", _("Normative documents in force"), "standing"),
    ("bureau", "services", _("Licensing and services: items, basis, conditions, procedure and results"), "standing"),
    ("bureau", "budgets", _("Department budget and final accounts"), "annual"),
    ("bureau", "admin-fees", _("Administrative fee items and standards"), "annual"),
    ("bureau", "procurement", _("Procurement results"), "quarterly"),
    ("bureau", "policies", _("Education policies and their implementation"), "quarterly"),
    ("bureau", "hiring", _("Teacher recruitment: conditions, procedure, results"), "annual"),
    ("school", "basic-facts", _("School profile: address, head, contacts"), "standing"),
    ("school", "school-rules", _("School rules and regulations"), "standing"),
    ("school", "plans", _("Term work plan"), "annual"),
    ("school", "enrollment", _("Enrollment: the five disclosures (policy, plan, rules, cut-off, results)"), "annual"),
    (
        "school",
        "fees",
        _("Fee notice: category, item, standard, basis, scope, unit, approving body, hotline"),
        "annual",
    ),
    ("school", "hiring", _("Hiring and promotion: conditions, procedure, results"), "annual"),
    ("school", "finances", _("Finances and donations received"), "quarterly"),
    ("school", "safety", _("Safety and emergency plans"), "standing"),
    ("school", "enrollment", _("Student aid: policies, standards and recipients"), "annual"),
    ("school", "tenders", _("Tender results"), "annual"),
]

# --- Quarterly inspection (季度检查) --------------------------------------------------
# OVS-1: a school evaluation is a weighted score; its red/amber/green lines are set per
# period in the LOCAL table OVS-1-score-thresholds and applied by core.clocks.score_rag
# (each Inspection records the lines it was computed with).
COMPLETENESS_WEIGHT = 0.6
TIMELINESS_WEIGHT = 0.4

# --- FOI-5: the annual report's deadline (31 January), supervised
REPORT_CLOCK = "FOI-5"

# --- DIS-1: the publication clock (a core supervision from creation or change to publication)
PUBLICATION_CLOCK = "DIS-1"

# --- FOI-2 / FOI-3: the reply clock (a core supervision) and the ways it stops ----------

REPLY_CLOCK = "FOI-3"
CORRECTION_CLOCK = "FOI-2"  # how long the office has to ask for a correction
CONSULTATION_PAUSE = "consultation"  # FOI-3: capped by FOI-3-consultation (15 wd)
CORRECTION_PAUSE = "correction"  # FOI-2: the clock restarts when the correction arrives
# FOI-1: online, and (条例 Art. 31) by fax or email, a request is received on the day
# both sides confirm it; in person, that day; by registered post, the day signed for.
CONFIRMATION_CHANNELS = frozenset({"online", "fax", "email"})


# --- FOI-4: reply types and reasons ---------------------------------------------------
# Reasons follow the statutory annual report table (国办公开办函〔2021〕30号).
NOT_DISCLOSED_REASONS = [
    ("state-secret", _("State secret")),
    ("law-forbids", _("Other laws or regulations forbid disclosure")),
    ("security-stability", _("Would endanger security or social stability")),
    ("third-party", _("Protects a third party's lawful rights")),
    ("internal-affairs", _("Internal affairs information")),
    ("process-info", _("Process information (discussions, drafts, consultations)")),
    ("enforcement-file", _("Administrative enforcement case file")),
    ("inquiry-matter", _("An administrative inquiry matter")),
]
CANNOT_PROVIDE_REASONS = [
    ("not-held", _("This body does not hold the information")),
    ("must-be-made", _("No existing information; it would have to be made")),
    ("still-unclear", _("Still unclear after correction")),
]
NOT_PROCESSED_REASONS = [
    ("complaint", _("It is a petition, report or complaint")),
    ("repeated", _("Repeated application")),
    ("publication", _("Asks for a public publication")),
    ("mass-repeated", _("Many repeated applications without good reason")),
    ("confirm-reissue", _("Asks to confirm or reissue information already obtained")),
]
OTHER_REASONS = [
    ("no-correction", _("No correction in time without good reason")),
    ("fee-unpaid", _("Fee notice not paid in time")),
    ("other", _("Other")),
]
REASONS: dict[str, list[tuple[str, Any]]] = {
    "disclosed": [],
    "partly": [],
    "not_disclosed": NOT_DISCLOSED_REASONS,
    "cannot_provide": CANNOT_PROVIDE_REASONS,
    "not_processed": NOT_PROCESSED_REASONS,
    "other": OTHER_REASONS,
}
COMPLAINT_REASON = "complaint"


def reason_label(reply_type: str, reason: str) -> str:
    return str(dict(REASONS.get(reply_type, [])).get(reason, reason))


# --- FOI-5: the request table's columns ------------------------------------------------
REPORT_COLUMNS = ["person", "business", "research", "nonprofit", "legal", "other"]


# --- FOI-5: the six statutory sections (国办公开办函〔2021〕30号) ---------------------------
# The headings are the statutory text, always in Chinese in the issued document.
REPORT_SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
# Section 2 figures the platform holds no record of: entered by the office (key, label, statutory text).
REPORT_SECTION2_ENTERED = [
    ("licensing", _("Licensing decisions made this year"), "行政许可：本年处理决定数量"),
    ("penalties", _("Administrative penalties decided this year"), "行政处罚：本年处理决定数量"),
    ("enforcement", _("Administrative enforcement decided this year"), "行政强制：本年处理决定数量"),
    ("fees_wan", _("Administrative fees collected this year (10,000 yuan)"), "行政事业性收费：本年收费金额（万元）"),
]
# Section 4: reconsideration and litigation, one row each, the statutory result columns.
REPORT_SECTION4_ROWS = [
    ("review", _("Administrative reconsideration"), "行政复议"),
    ("suit_direct", _("Litigation without prior reconsideration"), "未经复议直接起诉"),
    ("suit_after", _("Litigation after reconsideration"), "复议后起诉"),
]
REPORT_SECTION4_COLUMNS = [
    ("upheld", _("upheld"), "结果维持"),
    ("corrected", _("corrected"), "结果纠正"),
    ("other", _("other result"), "其他结果"),
    ("pending", _("not yet concluded"), "尚未审结"),
    ("total", _("total"), "总计"),
]


def report_entered_keys() -> list[str]:
    """Every figure the office enters (section 2's and section 4's)."""
    keys = [key for key, _label, _text in REPORT_SECTION2_ENTERED]
    keys += [f"{row}.{col}" for row, _l, _t in REPORT_SECTION4_ROWS for col, _l2, _t2 in REPORT_SECTION4_COLUMNS]
    return keys
