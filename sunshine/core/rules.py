"""What each rule of rules.md is called where a person reads it.

Rule IDs (PET-3, FEE-6, OPN-1 …) belong to the code, its docstrings and its tests; a page,
a notification or a document never shows one. :func:`rule_label` turns a rule ID, a
clock ID (``PET-7-review-answer``) or a LOCAL rule key (``FEE-5-notice``) into its
translatable name: the rule's name from :data:`RULE_NAMES`, else the clock's
``description`` (``core.clocks``), else the LOCAL rule's description
(``core.local_rules``). Templates use the ``rule_label`` filter of ``core_site``.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["RULE_ID", "RULE_NAMES", "rule_label"]

# A rule ID inside any text: what must never reach a reader.
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])(?:PET|FOI|FEE|DIS|DEC|OPN|OVS|CAL|FND|ENR)-\d+")

RULE_NAMES: dict[str, str | Promise] = {
    "CAL-1": _("Official working-day calendar"),
    "CAL-2": _("Counting of time limits"),
    "PET-1": _("Petition channels"),
    "PET-2": _("Petition registration"),
    "PET-3": _("Time limit for the notice of acceptance"),
    "PET-4": _("Objection to a forwarded case"),
    "PET-5": _("Time limit for handling"),
    "PET-6": _("Written reply"),
    "PET-7": _("Review and re-examination"),
    "PET-8": _("Feedback on a real-name report"),
    "PET-9": _("Recusal and protection of the filer"),
    "PET-10": _("Petition figures"),
    "DIS-1": _("Time limit for proactive disclosure"),
    "DIS-2": _("Proactive disclosure catalogue"),
    "FOI-1": _("Application for disclosure"),
    "FOI-2": _("Notice to correct an application"),
    "FOI-3": _("Time limit for an FOI reply"),
    "FOI-4": _("Types of FOI reply"),
    "FOI-5": _("Annual disclosure report"),
    "FEE-1": _("No tuition or miscellaneous fees in compulsory education"),
    "FEE-2": _("Categories of education fees"),
    "FEE-3": _("Prohibited fee items"),
    "FEE-4": _("Fee notice"),
    "FEE-5": _("Fee notice and collection window"),
    "FEE-6": _("Veto for illegal fees"),
    "OPN-1": _("Time limit for responding to public opinion"),
    "OVS-1": _("Red, amber and green supervision"),
    "OVS-2": _("Veto in the annual conduct evaluation"),
    "OVS-3": _("Major matters decided collectively"),
    "OVS-4": _("Rectification deadline"),
    "OVS-5": _("Circulation and study of documents"),
    "DEC-1": _("Public comment period"),
    "DEC-2": _("Statutory steps of a major decision"),
    "DEC-3": _("Principal leader speaks last"),
    "FND-1": _("Time-schedule progress"),
    "FND-2": _("Payment against certified progress"),
    "FND-3": _("Time limit for transferring funds"),
    "ENR-1": _("Admission by computer lottery"),
    "ENR-2": _("Quota seats for junior schools"),
    "ENR-3": _("Publication of recruitment results"),
    "ENR-4": _("Five disclosures of enrollment"),
}


def rule_label(rule_id: object) -> str:
    """The name a person reads for a rule, clock or LOCAL rule ID; "" for anything else
    (never the ID itself)."""
    from sunshine.core.clocks import CLOCKS
    from sunshine.core.local_rules import LOCAL_RULES

    key = str(rule_id or "").strip()
    if key in RULE_NAMES:
        return str(RULE_NAMES[key])
    if key in CLOCKS and CLOCKS[key].description:
        return str(CLOCKS[key].description)
    if key in LOCAL_RULES:
        return str(LOCAL_RULES[key].description)
    match = RULE_ID.match(key)
    return str(RULE_NAMES.get(match.group(0), "")) if match else ""
