"""Codes as a person reads them (``core.labels``, job and file-purpose labels): no model
label, role code or rule ID (PET-3, clock PET-7-review-answer, LOCAL FEE-5-notice)
reaches a page through them."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from sunshine.core.labels import labelled, model_label, role_label, text_labelled
from sunshine.core.rules import RULE_ID, rule_label
from sunshine.core.scheduler import PERIODIC_JOBS, job_label
from sunshine.core.tests.zh_text import offences
from sunshine.core.uploads import purpose_label


def test_model_and_role_codes_read_as_their_names() -> None:
    with translation.override("zh-hans"):
        assert model_label("accounts.user") == "用户"
        assert model_label("core.supervision") and not offences(model_label("core.supervision"))
        assert model_label("no.such") == "" and model_label("") == ""
        assert not offences(role_label("leader")) and role_label("leader") != "leader"
        assert role_label("not-a-role") == "not-a-role"


def test_rule_ids_in_stored_data_read_as_rule_names() -> None:
    """PET-3 (a rule), PET-7-review-answer (a clock), FEE-5-notice (a LOCAL rule)."""
    with translation.override("zh-hans"):
        data = {"rule_id": "PET-3", "clock": "PET-7-review-answer", "key": "FEE-5-notice", "role": "leader", "n": 2}
        shown = labelled(data)
        assert shown["rule_id"] == rule_label("PET-3")
        assert shown["clock"] == rule_label("PET-7-review-answer")
        assert shown["key"] == rule_label("FEE-5-notice")
        assert shown["role"] == role_label("leader") and shown["n"] == 2
        assert not RULE_ID.search(str(shown))
        assert not RULE_ID.search(text_labelled("见 PET-5 与 OPN-1。"))
        rendered = Template("{% load core_site %}{{ t|model_label }} {{ d|labelled }}").render(
            Context({"t": "accounts.user", "d": {"rule_id": "OPN-1"}})
        )
        assert "用户" in rendered and "OPN-1" not in rendered


def test_every_scheduled_job_and_file_purpose_has_a_chinese_name() -> None:
    with translation.override("zh-hans"):
        for name in PERIODIC_JOBS:
            assert job_label(name) and not offences(job_label(name)), name
        for purpose in ("core.issued_document", "fees.ledger", "disclosure.attachment", "petitions.attachment"):
            assert purpose_label(purpose) and not offences(purpose_label(purpose)), purpose


def test_a_seams_source_label_reads_as_the_models_name_and_number() -> None:
    from django.utils import translation

    from sunshine.core.labels import source_text

    with translation.override("zh-hans"):
        assert source_text("disclosure.foirequest:7") == f"{model_label('disclosure.foirequest')} 7"
        assert "foirequest" not in source_text("disclosure.foirequest:7")
        assert source_text("funds.allocation:3:2026").endswith(" 3 2026")
    assert source_text("no.such:1") == "" and source_text("") == "" and source_text(None) == ""
