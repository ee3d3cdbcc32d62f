"""Issue 13: an anonymous filer is not identifiable from the audit log. Every public
action on a case (filing on the web, writing back with a file, rating, applying for
review, a fee complaint handed over through the seam) leaves no address, no account
and no file name in the permanent log; a citizen signed in who files anonymously is
not linked to the case (PET-8). Each test reproduces the attack — the filer's address
and username searched for in the whole log after the action — and shows it fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunshine.core.models import AuditEntry
from sunshine.petitions.models import Petition
from sunshine.petitions.tests.test_views_public import PNG, answered_case, form_data, make_district, open_case

FILER_IP = "203.0.113.77"
FILE_NAME = "张三的举报材料.png"


@pytest.fixture
def district(db: None) -> dict[str, Any]:
    return make_district()


def audit_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_holding(*needles: str, after: int = 0) -> list[str]:
    """Every audit entry after seq ``after``, all fields (address included), that
    contains a needle. (Signing in is audited with the address; what follows is not.)"""
    found = []
    for entry in AuditEntry.objects.filter(seq__gt=after).order_by("seq"):
        text = " ".join(
            (
                entry.actor_label,
                str(entry.actor_id or ""),
                entry.target_label,
                json.dumps(entry.data, ensure_ascii=False),
                entry.ip or "",
            )
        )
        found += [f"{entry.action}: {needle}" for needle in needles if needle and needle in text]
    return found


def citizen_client() -> tuple[Client, Any]:
    user = get_user_model().objects.create_user(username="citizen-wang", password="x" * 12)
    client = Client(REMOTE_ADDR=FILER_IP)
    client.force_login(user)
    client.get("/")
    return client, user


def test_anonymous_web_filing_by_a_signed_in_citizen_keeps_no_address_no_account(district: dict[str, Any]) -> None:
    """PET-8: the signed-in citizen chose anonymous: not linked, not in the log."""
    client, user = citizen_client()
    before = audit_seq()
    upload = SimpleUploadedFile(FILE_NAME, PNG, content_type="image/png")
    response = client.post(reverse("petitions:file"), {**form_data(), "attachments": [upload]})
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.filer_user is None and petition.created_by is None and not petition.named
    assert AuditEntry.objects.filter(action="petitions.petition_file").exists()
    assert audit_holding(FILER_IP, user.username, FILE_NAME, after=before) == []
    assert not AuditEntry.objects.filter(actor=user, seq__gt=before).exists()


def test_named_web_filing_keeps_the_link_in_the_case_but_not_in_the_log(district: dict[str, Any]) -> None:
    client, user = citizen_client()
    before = audit_seq()
    data = form_data(filer="named", name="王五", phone="13900001111")
    assert client.post(reverse("petitions:file"), data).status_code == 302
    petition = Petition.objects.get()
    assert petition.filer_user == user  # the citizen's own "my cases"
    assert audit_holding(FILER_IP, user.username, "王五", after=before) == []


def test_writing_back_rating_and_review_keep_no_address(district: dict[str, Any]) -> None:
    filed = answered_case(district)
    client = Client(REMOTE_ADDR=FILER_IP)
    assert open_case(client, filed.receipt_code).status_code == 302
    upload = SimpleUploadedFile(FILE_NAME, PNG, content_type="image/png")
    assert (
        client.post(reverse("petitions:track-message"), {"text": "补充材料。", "attachments": [upload]}).status_code
        == 302
    )
    assert client.post(reverse("petitions:track-rate"), {"satisfaction": "unsatisfied"}).status_code == 302
    assert client.post(reverse("petitions:track-review"), {"review-reasons": "事实不清。"}).status_code == 302
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"petitions.message_receive", "core.file_upload", "petitions.petition_transition"} <= actions
    assert audit_holding(FILER_IP, FILE_NAME) == []


def test_a_fee_complaint_through_the_seam_keeps_no_address_no_account(district: dict[str, Any]) -> None:
    """The intake seam with the filer at the browser (``filer_session``) is a public action."""
    from sunshine.core.seams import PetitionIntake, petition_intake

    client, user = citizen_client()
    before = audit_seq()
    session = client.session
    intake = PetitionIntake(
        kind="complaint",
        channel="web",
        title="收费投诉",
        facts="多收了资料费。",
        request="退还。",
        subject_organization_id=district["school"].pk,
        source_label="fees.notice:1",
        named=False,
        filer_session=session,
    )
    from sunshine.core.audit import audit_context

    with audit_context(ip=FILER_IP):
        result = petition_intake(intake, actor=user)
    petition = Petition.objects.get(pk=result.case_id)
    assert petition.created_by is None and petition.filer_user is None
    assert audit_holding(FILER_IP, user.username, after=before) == []


def test_staff_actions_still_record_the_address_and_the_account(district: dict[str, Any]) -> None:
    """The suppression is for the public only: staff stay accountable."""
    from sunshine.core.audit import audit_context
    from sunshine.petitions import services

    filed = answered_case(district)
    with audit_context(ip="198.51.100.5"):
        services.petition_note_internal(petition=filed.petition, actor=district["inspector"], text="内部。")
    entry = AuditEntry.objects.get(action="petitions.note_add")
    assert entry.ip == "198.51.100.5" and entry.actor == district["inspector"]


def test_the_filers_messages_are_rate_limited_per_address(district: dict[str, Any]) -> None:
    """Public forms had no rate limit: now a few an hour, then a wait with the time to come back."""
    from sunshine.core.throttle import PUBLIC_FORM
    from sunshine.petitions.models import Message

    filed = answered_case(district)
    client = Client(REMOTE_ADDR=FILER_IP)
    client.cookies["django_language"] = "en"
    assert open_case(client, filed.receipt_code).status_code == 302
    before = Message.objects.count()
    for i in range(PUBLIC_FORM.free):
        assert client.post(reverse("petitions:track-message"), {"text": f"补充 {i}"}).status_code == 302
    refused = client.post(reverse("petitions:track-message"), {"text": "再补充"})
    assert refused.status_code == 429 and "Too many submissions" in refused.content.decode()
    assert int(refused["Retry-After"]) <= PUBLIC_FORM.delays[0]
    assert Message.objects.count() == before + PUBLIC_FORM.free


def test_the_web_form_is_rate_limited_per_address_and_the_code_is_sealed(district: dict[str, Any]) -> None:
    from sunshine.core.throttle import PUBLIC_FORM
    from sunshine.petitions.access import RECEIPT_ONCE_KEY

    client = Client(REMOTE_ADDR=FILER_IP)
    client.cookies["django_language"] = "en"
    for _ in range(PUBLIC_FORM.free):
        assert client.post(reverse("petitions:file"), form_data()).status_code == 302
    sealed = str(client.session[RECEIPT_ONCE_KEY])
    assert Petition.objects.order_by("-pk").first().number not in sealed  # not readable in the session store
    refused = client.post(reverse("petitions:file"), form_data())
    assert refused.status_code == 429 and "Too many submissions" in refused.content.decode()
    assert Petition.objects.count() == PUBLIC_FORM.free
    # Another address files as usual.
    assert Client(REMOTE_ADDR="198.51.100.20").post(reverse("petitions:file"), form_data()).status_code == 302
