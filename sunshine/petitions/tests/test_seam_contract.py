"""The contract of ``core.seams.petition_intake``, run against petitions, its real
receiver: another module's typed intake becomes a case (PET-1 channel, PET-2 fields),
and only the case's id and number go back — never its receipt code, which reaches the
filer's own receipt page when the filer is at the browser, and nobody otherwise."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from sunshine.core.receipts import receipt_code_grouped
from sunshine.core.seams import PetitionIntake, PetitionIntakeResult, SeamUnavailable, petition_intake
from sunshine.core.testing import audit_entries_containing, receipt_codes_drawn
from sunshine.petitions.access import RECEIPT_ONCE_KEY
from sunshine.petitions.models import Petition
from sunshine.petitions.services import receipt_lookup
from sunshine.petitions.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _intake(w, **changes):
    values = {
        "kind": "complaint",
        "channel": "foi",
        "title": "信息公开申请实为投诉",
        "facts": "学校乱收费",
        "request": "查处",
        "subject_organization_id": w.school.pk,
        "source_label": "disclosure.foirequest:7",
        "named": True,
        "name": "测试丁",
        "phone": "13900004444",
    }
    values.update(changes)
    return PetitionIntake(**values)


def test_a_hand_over_files_a_case_and_returns_only_its_id_and_number(w):
    with receipt_codes_drawn() as codes:
        result = petition_intake(_intake(w), actor=None)
    (code,) = codes
    assert type(result) is PetitionIntakeResult
    petition = Petition.objects.get(pk=result.case_id)
    assert result.case_number == petition.number
    assert petition.channel == "foi" and petition.named and petition.kind == "complaint"
    assert petition.bureau == w.bureau and petition.source_label == "disclosure.foirequest:7"
    assert receipt_lookup(code=code, ip=None) == petition  # the code drawn is the case's code ...
    assert code not in repr(result) and code not in str(vars(result))  # ... and the caller never holds it
    assert audit_entries_containing(code) == []
    assert "测试丁" not in repr(_intake(w)) and "13900004444" not in repr(_intake(w))  # identity kept out of logs


def test_a_filer_at_the_browser_gets_the_code_on_petitions_receipt_page_once(w):
    client = Client()
    client.get("/")  # a session
    session = client.session
    with receipt_codes_drawn() as codes:
        result = petition_intake(
            _intake(w, channel="web", named=False, name="", phone="", filer_session=session), actor=None
        )
    session.save()
    (code,) = codes
    assert code not in str(session[RECEIPT_ONCE_KEY])  # sealed in the session store
    page = client.get(petition_intake.page_url("receipt")).content.decode()
    assert receipt_code_grouped(code) in page and result.case_number in page
    assert receipt_code_grouped(code) not in client.get(petition_intake.page_url("receipt")).content.decode()


def test_the_bureau_comes_from_the_intake_when_there_is_no_subject_unit(w):
    result = petition_intake(_intake(w, subject_organization_id=None, bureau_id=w.bureau.pk), actor=None)
    assert Petition.objects.get(pk=result.case_id).bureau == w.bureau


def test_a_case_petitions_refuses_raises_validation_error_and_files_nothing(w):
    with pytest.raises(ValidationError):
        petition_intake(_intake(w, kind="no-such-kind"), actor=None)
    assert not Petition.objects.exists()


def test_the_seam_is_typed_and_says_when_no_module_receives_it(w):
    with pytest.raises(TypeError):
        petition_intake({"title": "x"}, actor=None)  # type: ignore[arg-type]
    with petition_intake.absent(), pytest.raises(SeamUnavailable):
        petition_intake(_intake(w), actor=None)
    assert petition_intake.installed
