"""core.forms' receipt escrow and core.crypto's holder-sealed values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sunshine.core.crypto import DecryptionError, open_for_holder, seal_for_holder, session_secret_put
from sunshine.core.forms import (
    ESCROW_SESSION_KEY,
    receipt_escrow_keep,
    receipt_escrow_recover,
    receipt_escrow_release,
    receipt_escrow_sweep,
    submission_claim,
)
from sunshine.core.models import FormSubmission

TOKEN = "a-form-token-of-enough-length-0123"


def test_a_holder_sealed_value_opens_only_with_its_secret_and_context() -> None:
    sealed = seal_for_holder(TOKEN, "秘密", context="x.y")
    assert "秘密" not in sealed
    assert open_for_holder(TOKEN, sealed, context="x.y") == "秘密"
    with pytest.raises(DecryptionError):
        open_for_holder(TOKEN + "1", sealed, context="x.y")
    with pytest.raises(DecryptionError):
        open_for_holder(TOKEN, sealed, context="x.z")
    with pytest.raises(ValueError):
        seal_for_holder("short", "x", context="x.y")


@pytest.mark.django_db
def test_keep_recover_release() -> None:
    assert submission_claim(TOKEN, purpose="t")
    filer: dict = {}
    session_secret_put(filer, "t.receipt", {"code": "1234"})
    receipt_escrow_keep(TOKEN, filer, "t.receipt")
    row = FormSubmission.objects.get()
    assert row.sealed_receipt and row.token != TOKEN and filer[ESCROW_SESSION_KEY] == row.token

    assert not receipt_escrow_recover("another-token-of-enough-length", {})
    fresh: dict = {}
    assert receipt_escrow_recover(TOKEN, fresh)
    assert fresh["t.receipt"] == filer["t.receipt"]
    receipt_escrow_release(fresh)
    assert FormSubmission.objects.get().sealed_receipt == ""
    assert not receipt_escrow_recover(TOKEN, {})


@pytest.mark.django_db
def test_the_sweep_empties_escrows_older_than_a_receipts_life() -> None:
    for token in (TOKEN, TOKEN + "-new"):
        submission_claim(token, purpose="t")
        held: dict = {}
        session_secret_put(held, "t.receipt", {"code": "1"})
        receipt_escrow_keep(token, held, "t.receipt")
    FormSubmission.objects.filter(token__in=[r.token for r in FormSubmission.objects.all()[:1]]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert receipt_escrow_sweep() == 1
    assert FormSubmission.objects.exclude(sealed_receipt="").count() == 1


@pytest.mark.django_db
def test_a_form_without_a_token_keeps_nothing() -> None:
    held: dict = {}
    session_secret_put(held, "t.receipt", {"code": "1"})
    receipt_escrow_keep("", held, "t.receipt")
    assert ESCROW_SESSION_KEY not in held and not FormSubmission.objects.exists()
