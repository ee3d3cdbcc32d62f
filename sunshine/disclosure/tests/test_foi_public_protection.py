"""Issue 12/13 on the FOI side: the public request keeps no address and no account in
the audit log; the tracker is throttled like petitions' (wrong codes per address and
per code, a wait of minutes, attempts left shown); the form is rate-limited per
address; the receipt code sits sealed in the session, not readable."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from sunshine.core.models import AuditEntry
from sunshine.core.throttle import GUESS_ADDRESS, PUBLIC_FORM
from sunshine.disclosure.models import FoiRequest
from sunshine.disclosure.views.public import RECEIPT_SESSION_KEY

from .conftest import District

IP = "203.0.113.88"
FORM = {
    "applicant_kind": "person",
    "applicant_name": "赵磊",
    "contact": "13900000000",
    "description": "2026年秋季学期学区划分方案",
    "form": "electronic",
}


def test_a_signed_in_request_leaves_no_address_and_no_account_in_the_audit_log(district: District) -> None:
    user = get_user_model().objects.create_user(username="citizen-zhao", password="x" * 12)
    client = Client(REMOTE_ADDR=IP)
    client.force_login(user)
    client.get("/")
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    assert client.post(reverse("disclosure:foi"), FORM).status_code == 302
    assert FoiRequest.objects.get().requester == user  # "my requests" still works
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert any(e.action == "disclosure.foirequest_create" for e in entries)
    for entry in entries:
        text = " ".join((entry.actor_label, entry.target_label, json.dumps(entry.data, ensure_ascii=False)))
        assert entry.ip is None and entry.actor_id is None and user.username not in text


def test_the_receipt_code_is_sealed_in_the_session(district: District) -> None:
    client = Client()
    assert client.post(reverse("disclosure:foi"), FORM).status_code == 302
    stored = client.session[RECEIPT_SESSION_KEY]
    done = client.get(reverse("disclosure:foi-done")).content.decode()
    code = done.split('id="receipt-code">')[1].split("<")[0].replace(" ", "")
    assert len(code) == 16 and code not in str(stored) and FoiRequest.objects.get().number not in str(stored)
    assert RECEIPT_SESSION_KEY not in client.session


def test_wrong_codes_at_the_tracker_are_throttled_with_attempts_left_and_a_short_wait(district: District) -> None:
    """Before: any number of guesses. Now the free ones count down, then a wait of seconds."""
    client = Client(REMOTE_ADDR=IP)
    client.cookies["django_language"] = "en"
    for i in range(GUESS_ADDRESS.free):
        wrong = client.post(reverse("disclosure:foi-track"), {"code": f"{i:016d}"})
        assert wrong.status_code == 404
        assert f"{GUESS_ADDRESS.free - i - 1} attempts left" in wrong.content.decode()
    refused = client.post(reverse("disclosure:foi-track"), {"code": "9" * 16})
    assert refused.status_code == 429 and "Too many wrong codes" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= GUESS_ADDRESS.delays[0]
    # Another address is not held up.
    assert (
        Client(REMOTE_ADDR="198.51.100.9").post(reverse("disclosure:foi-track"), {"code": "9" * 16}).status_code == 404
    )


def test_the_public_form_is_rate_limited_per_address(district: District) -> None:
    client = Client(REMOTE_ADDR=IP)
    client.cookies["django_language"] = "en"
    for _ in range(PUBLIC_FORM.free):
        assert client.post(reverse("disclosure:foi"), FORM).status_code == 302
    refused = client.post(reverse("disclosure:foi"), FORM)
    assert refused.status_code == 429 and "Too many submissions" in refused.content.decode()
    assert int(refused["Retry-After"]) <= PUBLIC_FORM.delays[0]
    assert FoiRequest.objects.count() == PUBLIC_FORM.free
