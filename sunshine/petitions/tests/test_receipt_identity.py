"""Receipt codes (guessing rate-limited, never stored) and the filer's identity
(encrypted, never in logs or the audit, opened only with a role and a reason)."""

import contextlib
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from sunshine.core.models import AuditEntry
from sunshine.orgs.models import Role
from sunshine.petitions import rules
from sunshine.petitions import services as svc
from sunshine.petitions.models import FilerIdentity, IdentityOpening, Petition, ReceiptAttempt
from sunshine.petitions.tests.factories import confirm_accused, file_case, make_world, member

pytestmark = pytest.mark.django_db

NAME, PHONE, ID_NUMBER, ADDRESS = "测试姓名甲乙", "13912345678", "990101198801017777", "示范区某某路88号"
IDENTITY = svc.IdentityInput(name=NAME, phone=PHONE, id_number=ID_NUMBER, address=ADDRESS, email="x@example.invalid")


@pytest.fixture
def w():
    return make_world()


def test_receipt_lookup_finds_with_spaces_and_dashes(w):
    filed = file_case(w)
    code = filed.receipt_code
    assert svc.receipt_lookup(code=f"{code[:4]} {code[4:8]}-{code[8:]}", ip="10.0.0.1") == filed.petition
    assert ReceiptAttempt.objects.get().succeeded


@pytest.mark.parametrize(
    "bad", ["", "123", "1234567890abcdef", "１２３４５６７８９０１２３４５６", "1" * 17, "x" * 5000]
)
def test_malformed_receipt_code_is_refused_before_any_query(w, bad, django_assert_num_queries):
    """Bad input: a malformed code gets a clear message and touches nothing."""
    with django_assert_num_queries(0), pytest.raises(ValidationError) as err:
        svc.receipt_lookup(code=bad, ip="10.0.0.1")
    assert err.value.code == "format"


def test_ten_thousand_guesses_find_nothing_and_are_throttled(w):
    """Receipt guessing: 10,000 random guesses from one address — none succeeds, the
    throttle engages after RECEIPT_MAX_FAILURES, every attempt is recorded without
    the code, no case changes; even the right code is refused while throttled."""
    import random
    import time

    from sunshine.core.throttle import GUESS_ADDRESS

    filed = file_case(w)
    started = time.monotonic()
    before = list(Petition.objects.values())
    rng = random.Random(20261122)
    found = throttled = 0
    for _ in range(10_000):
        guess = f"{rng.randrange(10**16):016d}"
        if guess == filed.receipt_code:
            continue
        try:
            found += svc.receipt_lookup(code=guess, ip="203.0.113.9") is not None
        except svc.ReceiptThrottled:
            throttled += 1
    assert found == 0
    # The free guesses, then one more each time a (growing) wait has passed meanwhile.
    elapsed, waited, extra = time.monotonic() - started, 0, 0
    for delay in GUESS_ADDRESS.delays:
        waited += delay
        extra += waited <= elapsed
    assert 10_000 - rules.RECEIPT_MAX_FAILURES - extra <= throttled <= 10_000 - rules.RECEIPT_MAX_FAILURES
    assert ReceiptAttempt.objects.count() == 10_000
    assert ReceiptAttempt.objects.filter(succeeded=True).count() == 0
    # On a slow machine the last wait may have passed meanwhile: one more wrong guess
    # (taken or refused) engages the throttle again, and then even the right code waits.
    with contextlib.suppress(svc.ReceiptThrottled):
        svc.receipt_lookup(code="0" * 16, ip="203.0.113.9")
    with pytest.raises(svc.ReceiptThrottled):
        svc.receipt_lookup(code=filed.receipt_code, ip="203.0.113.9")
    # Another address is not affected; the right code works there.
    assert svc.receipt_lookup(code=filed.receipt_code, ip="198.51.100.7") == filed.petition
    assert list(Petition.objects.values()) == before
    columns = [f.column for f in ReceiptAttempt._meta.concrete_fields]
    assert columns == ["id", "succeeded", "throttled", "at"]  # PET-9: no code and no address stored


def test_throttle_waits_minutes_and_the_window_restarts(w):
    """After the free wrong codes the address waits (seconds, growing), never an hour;
    once the wait and the window have passed, the count starts again."""
    from datetime import timedelta

    from django.utils import timezone

    from sunshine.core.models import ThrottleCounter
    from sunshine.core.throttle import GUESS_ADDRESS

    for i in range(rules.RECEIPT_MAX_FAILURES):
        svc.receipt_lookup(code=f"{i:016d}", ip="10.1.1.1")
    with pytest.raises(svc.ReceiptThrottled) as refused:
        svc.receipt_lookup(code="9" * 16, ip="10.1.1.1")
    assert refused.value.retry_seconds <= GUESS_ADDRESS.delays[0]
    past = timezone.now() - timedelta(seconds=GUESS_ADDRESS.window + 1)
    ThrottleCounter.objects.update(window_start=past, next_at=past)
    assert svc.receipt_lookup(code="9" * 16, ip="10.1.1.1") is None


def test_identity_is_unreadable_in_the_database_logs_and_audit(w, caplog):
    """Identity encrypted at rest (raw SQL shows no name/phone/ID/address) and never in
    a log record or an audit entry — through filing, the workflow and an opening."""
    caplog.set_level(logging.DEBUG)
    filed = file_case(w, kind="report", identity=IDENTITY, accused_name="某老师")
    p = filed.petition
    svc.petition_accept(petition=p, actor=w.inspector)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.basic, actor=w.inspector)
    svc.identity_open(petition=p, user=w.inspector, reason="核实情况需要联系举报人")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM petitions_fileridentity")
        raw = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM petitions_petition")
        raw += repr(cursor.fetchall())
    for secret in (NAME, PHONE, ID_NUMBER, ADDRESS, PHONE[-8:]):
        assert secret not in raw
        assert secret not in caplog.text
        for entry in AuditEntry.objects.all():
            assert secret not in repr((entry.target_label, entry.data, entry.actor_label))
    assert FilerIdentity.objects.get(petition=p).name == NAME  # decrypts through the field
    assert "sx1$" in raw


def test_identity_open_needs_role_and_reason(w):
    """Custodian model: the bureau's discipline inspectors and leaders open identities,
    with a written reason; every opening is recorded and audited. School staff,
    department staff and the three administrators may not."""
    p = file_case(w, identity=IDENTITY).petition
    svc.petition_accept(petition=p, actor=w.inspector)
    confirm_accused(p, w.inspector)
    svc.petition_assign(petition=p, organization=w.school, actor=w.inspector)
    with pytest.raises(ValidationError):
        svc.identity_open(petition=p, user=w.inspector, reason="  ")
    refused = [w.principal, w.clerk, w.staff] + [
        member(w.bureau, role) for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.SUPERVISOR)
    ]
    for user in refused:
        with pytest.raises(PermissionDenied):
            svc.identity_open(petition=p, user=user, reason="想看看")
    assert not IdentityOpening.objects.exists()
    for user in (w.inspector, w.leader):
        assert svc.identity_open(petition=p, user=user, reason="需要当面核实").phone == PHONE
    assert IdentityOpening.objects.filter(petition=p).count() == 2
    entries = AuditEntry.objects.filter(action="petitions.identity_open", target_id=str(p.pk))
    assert {e.actor_id for e in entries} == {w.inspector.pk, w.leader.pk}


def test_identity_open_refused_to_the_accused(w):
    """PET-9: an inspector accused in the case cannot open the reporter's identity."""
    p = file_case(w, kind="report", identity=IDENTITY, accused_user=w.inspector).petition
    with pytest.raises(PermissionDenied):
        svc.identity_open(petition=p, user=w.inspector, reason="核实")
    assert svc.identity_open(petition=p, user=w.leader, reason="核实").name == NAME


def test_anonymous_case_has_no_identity(w):
    p = file_case(w).petition
    with pytest.raises(ValidationError):
        svc.identity_open(petition=p, user=w.inspector, reason="核实")
    assert not FilerIdentity.objects.exists()
