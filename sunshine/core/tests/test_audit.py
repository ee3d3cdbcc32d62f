"""The audit log: hash chain, append-only, verification, and the audit administrator's page."""

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from io import StringIO

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sunshine.core.audit import audit_context, audit_record, audit_verify, entry_hash
from sunshine.core.models import AuditEntry, AuditHead
from sunshine.core.models.audit import GENESIS_HASH, AuditImmutableError
from sunshine.core.testing import ANONYMOUS, EVERYONE, client_for
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def canonical(entry):
    return json.dumps(
        [
            entry.seq,
            entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            entry.actor_id,
            entry.actor_label,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.target_label,
            entry.data,
            entry.ip,
            entry.alg,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def chain_key():
    """The chain key as the docs define it: HKDF-SHA256 of SUNSHINE_AUDIT_KEY, info "sunshine audit chain"."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sunshine audit chain").derive(
        settings.SUNSHINE_AUDIT_KEY.encode()
    )


def make_chain(n=6):
    user = UserFactory(username="clerk", full_name="王老师")
    school = SchoolFactory()
    for i in range(n):
        audit_record(actor=user if i % 2 else None, action="test.thing_do", target=school, data={"i": i})


def run_verify():
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue()


def test_entries_form_a_keyed_sha256_chain():
    user = UserFactory(username="clerk", full_name="王老师")
    school = SchoolFactory(name="第一小学")
    first = audit_record(actor=user, action="orgs.thing_create", target=school, data={"n": 1})
    second = audit_record(actor=None, action="orgs.thing_close", data={"n": 2})
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    for entry in AuditEntry.objects.order_by("seq"):
        assert entry.alg == "hmac-sha256"
        message = entry.prev_hash.encode() + canonical(entry)
        assert entry.hash == hmac.new(chain_key(), message, hashlib.sha256).hexdigest()
        assert entry.hash != hashlib.sha256(message).hexdigest()
    first.refresh_from_db()
    assert first.actor_label == "王老师 (clerk)"
    assert (first.target_type, first.target_id, first.target_label) == ("orgs.organization", str(school.pk), "第一小学")
    assert second.actor is None and second.actor_label == ""
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (2, second.hash)


@override_settings(SUNSHINE_AUDIT_HASH="sm3")
def test_sm3_chain_and_mixed_algorithms_verify():
    with override_settings(SUNSHINE_AUDIT_HASH="sha256"):
        audit_record(actor=None, action="test.a")
    entry = audit_record(actor=None, action="test.b", data={"x": "阳光"})
    entry.refresh_from_db()
    mac = crypto_hmac.HMAC(chain_key(), hashes.SM3())
    mac.update(entry.prev_hash.encode() + canonical(entry))
    assert entry.alg == "hmac-sm3"
    assert entry.hash == mac.finalize().hex()
    assert audit_verify().ok


def test_data_is_normalised_so_it_survives_the_database():
    audit_record(
        actor=None,
        action="test.types",
        data={"day": dt.date(2026, 3, 1), "amount": Decimal("12.50"), "rate": 0.3, "big": 1e20, "ids": (1, 2)},
    )
    entry = AuditEntry.objects.get()
    assert entry.data == {"day": "2026-03-01", "amount": "12.50", "rate": "0.3", "big": "1e+20", "ids": [1, 2]}
    assert audit_verify().ok


def test_ip_comes_from_the_request_context():
    with audit_context(ip="::ffff:10.1.2.3"):
        audit_record(actor=None, action="test.ip")
    audit_record(actor=None, action="test.noip")
    assert list(AuditEntry.objects.order_by("seq").values_list("ip", flat=True)) == ["10.1.2.3", None]
    assert audit_verify().ok


def test_entries_are_append_only():
    make_chain(2)
    entry = AuditEntry.objects.get(seq=1)
    entry.action = "test.other"
    with pytest.raises(AuditImmutableError):
        entry.save()
    with pytest.raises(AuditImmutableError):
        entry.delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.bulk_create([AuditEntry(seq=9, at=timezone.now(), action="x")])
    assert AuditEntry.objects.get(seq=1).action == "test.thing_do"
    assert AuditEntry.objects.count() == 2


def test_audit_verify_reports_count_and_head_hash():
    make_chain(6)
    head = AuditHead.objects.get()
    output = run_verify()
    assert "OK 6 entries" in output
    assert head.hash in output


def test_an_empty_log_never_verifies():
    with pytest.raises(CommandError, match=r"\[empty\]"):
        run_verify()
    result = audit_verify()
    assert (result.ok, result.problem, result.count) == (False, "empty", 0)


def test_audit_verify_names_a_row_altered_by_raw_sql():
    make_chain(6)
    entry = AuditEntry.objects.get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET data=%s WHERE seq=%s", ['{"i": 99}', 3])
    with pytest.raises(CommandError, match=rf"altered.*seq 3 \(id {entry.pk}\)") as exc:
        run_verify()
    assert "seq 2 " not in str(exc.value)
    result = audit_verify()
    assert (result.ok, result.problem, result.bad_seq, result.bad_id, result.count) == (
        False,
        "altered",
        3,
        entry.pk,
        2,
    )


def test_audit_verify_names_the_gap_of_a_deleted_row():
    make_chain(6)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq=%s", [4])
    with pytest.raises(CommandError, match=r"deleted.*seq 5 .*expected seq 4"):
        run_verify()
    result = audit_verify()
    assert (result.problem, result.bad_seq) == ("deleted", 5)


def test_audit_verify_detects_deleted_last_rows_via_the_head():
    make_chain(6)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq >= %s", [5])
    result = audit_verify()
    assert (result.ok, result.problem, result.bad_seq, result.count) == (False, "deleted", 5, 4)


def test_audit_verify_names_two_swapped_rows():
    make_chain(6)
    b = AuditEntry.objects.get(seq=4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET seq=%s WHERE seq=%s", [1000, 3])
        cursor.execute("UPDATE core_auditentry SET seq=%s WHERE seq=%s", [3, 4])
        cursor.execute("UPDATE core_auditentry SET seq=%s WHERE seq=%s", [4, 1000])
    with pytest.raises(CommandError, match=rf"reordered.*seq 3 \(id {b.pk}\).*now at seq 4"):
        run_verify()
    result = audit_verify()
    assert (result.problem, result.bad_seq, result.bad_id) == ("reordered", 3, b.pk)


def test_audit_verify_catches_an_alteration_with_a_rewritten_hash():
    make_chain(6)
    entry = AuditEntry.objects.get(seq=2)
    forged = entry_hash(
        alg=entry.alg,
        prev_hash=entry.prev_hash,
        seq=2,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_label=entry.target_label,
        data={"i": 99},
        ip=entry.ip,
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET data=%s, hash=%s WHERE seq=%s", ['{"i": 99}', forged, 2])
    # Row 2 is self-consistent now, but row 3 still points at the original row 2.
    result = audit_verify()
    assert (result.problem, result.bad_seq) == ("link", 3)
    assert "seq 2" in result.message


def test_audit_verify_walks_many_rows_in_small_chunks():
    make_chain(30)
    result = audit_verify(chunk_size=7)
    assert result.ok and result.count == 30


# --- The page: audit administrator only (三员分立) --------------------------------------


def test_audit_admin_reads_and_filters_the_log():
    client, _ = client_for(Role.AUDIT_ADMIN)  # granting the role (and logging in) is itself audited
    n0 = AuditEntry.objects.count()
    make_chain(4)
    url = reverse("core:audit-list")
    response = client.get(url)
    assert response.status_code == 200
    assert [e.seq for e in response.context["entries"]] == list(range(n0 + 4, 0, -1))
    assert "test.thing_do" in response.content.decode()
    response = client.get(url, {"action": "orgs."})
    assert [e.action for e in response.context["entries"]] == ["orgs.membership_grant"]
    response = client.get(url, {"actor": "clerk"})
    assert [e.seq for e in response.context["entries"]] == [n0 + 4, n0 + 2]
    today = timezone.localdate()
    response = client.get(url, {"date_from": today, "date_to": today, "action": "test."})
    assert len(response.context["entries"]) == 4
    response = client.get(url, {"date_to": today - dt.timedelta(days=1)})
    assert list(response.context["entries"]) == []
    response = client.get(url, {"date_from": today, "date_to": today - dt.timedelta(days=1)})
    assert list(response.context["entries"]) == []
    assert response.context["filter_form"].errors


def test_audit_list_is_paginated():
    client, _ = client_for(Role.AUDIT_ADMIN)
    n0 = AuditEntry.objects.count()
    make_chain(55)
    response = client.get(reverse("core:audit-list"), {"page": 2, "action": "test."})
    assert response.status_code == 200
    assert [e.seq for e in response.context["entries"]] == [n0 + 5, n0 + 4, n0 + 3, n0 + 2, n0 + 1]
    assert "action=test." in response.content.decode()


def test_audit_admin_verifies_the_chain_from_the_page():
    client, _ = client_for(Role.AUDIT_ADMIN)
    make_chain(3)
    total = AuditEntry.objects.count()
    response = client.post(reverse("core:audit-verify"))
    assert response.status_code == 200
    assert response.context["verify_result"].ok
    assert response.context["verify_result"].count == total
    assert AuditEntry.objects.filter(action="core.audit_chain_verify").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action=%s WHERE seq=%s", ["test.forged", 2])
    response = client.post(reverse("core:audit-verify"))
    result = response.context["verify_result"]
    assert (result.ok, result.bad_seq) == (False, 2)
    assert "altered" in response.content.decode()


@pytest.mark.parametrize("who", [w for w in EVERYONE if w != Role.AUDIT_ADMIN])
def test_everyone_but_the_audit_admin_is_refused(who):
    """三员分立: system and security administrators are refused like everyone else."""
    client, _ = client_for(who)
    make_chain(2)
    before = AuditEntry.objects.count()
    for response in (client.get(reverse("core:audit-list")), client.post(reverse("core:audit-verify"))):
        if who == ANONYMOUS:
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]
        else:
            assert response.status_code == 403
            assert b"test.thing_do" not in response.content
    assert AuditEntry.objects.count() == before
