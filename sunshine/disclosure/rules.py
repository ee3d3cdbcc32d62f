"""The disclosure rules of rules.md as data: DIS-2's catalogue and checklists, FOI-4's
reply types and reasons, FOI-5's table, and the inspection's thresholds."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

# --- DIS-2: catalogue categories ------------------------------------------------------
# (code, name, scope, order). scope: "bureau", "school" or "both".
CATEGORIES = [
    ("rules", N_("Rules and normative documents"), "bureau", 10),
    ("functions", N_("Functions, address, hours, contacts and head"), "bureau", 20),
    ("services", N_("Licensing and services"), "bureau", 30),
    ("budgets", N_("Budgets and final accounts"), "bureau", 40),
    ("admin-fees", N_("Administrative fee items, bases and standards"), "bureau", 50),
    ("procurement", N_("Procurement"), "bureau", 60),
    ("policies", N_("Education policies and their implementation"), "bureau", 70),
    ("hiring", N_("Hiring and promotion"), "both", 80),
    ("basic-facts", N_("Basic facts"), "school", 110),
    ("school-rules", N_("School rules"), "school", 120),
    ("plans", N_("Plans and summaries"), "school", 130),
    ("enrollment", N_("Enrollment and student aid"), "school", 140),
    ("fees", N_("Fees"), "school", 150),
    ("tenders", N_("Tender results"), "both", 160),
    ("finances", N_("Finances and donations"), "school", 170),
    ("safety", N_("Safety plans"), "school", 180),
    ("major-decisions", N_("Major decisions"), "both", 190),
]

# --- DIS-2: required-disclosure checklists --------------------------------------------
# (org kind, category code, what, frequency). A standing item must be published at any
# time; an annual one in the year; a quarterly one in the quarter.
REQUIRED = [
    ("bureau", "functions", N_("Functions, address, office hours, contacts and head"), "standing"),
    ("bureau", "rules", N_("Normative documents in force"), "standing"),
    ("bureau", "budgets", N_("Department budget and final accounts"), "annual"),
    ("bureau", "admin-fees", N_("Administrative fee items and standards"), "annual"),
    ("bureau", "procurement", N_("Procurement results"), "quarterly"),
    ("bureau", "policies", N_("Education policies and their implementation"), "quarterly"),
    ("bureau", "hiring", N_("Teacher recruitment: conditions, procedure, results"), "annual"),
    ("school", "basic-facts", N_("School profile: address, head, contacts"), "standing"),
    ("school", "school-rules", N_("School rules and regulations"), "standing"),
    ("school", "plans", N_("Term work plan"), "annual"),
    ("school", "enrollment", N_("Enrollment: the five disclosures (policy, plan, rules, cut-off, results)"), "annual"),
    (
        "school",
        "fees",
        N_("Fee notice: category, item, standard, basis, scope, unit, approving body, hotline"),
        "annual",
    ),
    ("school", "hiring", N_("Hiring and promotion: conditions, procedure, results"), "annual"),
    ("school", "finances", N_("Finances and donations received"), "quarterly"),
    ("school", "safety", N_("Safety and emergency plans"), "standing"),
]

# --- Quarterly inspection (季度检查) --------------------------------------------------
# OVS-1: a school evaluation is a weighted score; its red/amber/green lines are set per
# period in the LOCAL table OVS-1-score-thresholds and applied by core.clocks.score_rag
# (each Inspection records the lines it was computed with).
COMPLETENESS_WEIGHT = 0.6
TIMELINESS_WEIGHT = 0.4

# --- FOI-2 / FOI-3: the reply clock (a core supervision) and the ways it stops ----------

REPLY_CLOCK = "FOI-3"
CORRECTION_CLOCK = "FOI-2"  # how long the office has to ask for a correction
CONSULTATION_PAUSE = "consultation"  # FOI-3: capped by FOI-3-consultation (15 wd)
CORRECTION_PAUSE = "correction"  # FOI-2: the clock restarts when the correction arrives


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
