"""Attacks on the audit log by someone who can write the database: each one passes a
bare chain check (or would have, before the chain was keyed) and is caught here —
by the key kept outside the database, or by a signed anchor kept by the audit
administrator outside the database."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from sunshine.core.audit import (
    audit_anchor_export,
    audit_anchor_load,
    audit_anchor_write,
    audit_record,
    audit_rekey,
    audit_verify,
    entry_hash,
)
from sunshine.core.models import AuditEntry, AuditHead
from sunshine.core.models.audit import GENESIS_HASH

pytestmark = pytest.mark.django_db


def make_chain(n):
    for i in range(n):
        audit_record(actor=None, action="test.thing_do", data={"i": i})


def anchor_file(tmp_path):
    path = tmp_path / "anchor.json"
    call_command("audit_anchor", "--out", str(path), stderr=StringIO())
    return path


def verify_with(path):
    out = StringIO()
    call_command("audit_verify", "--anchor", str(path), stdout=out)
    return out.getvalue()


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def recompute_from(seq, *, alg, data_of=lambda entry: entry.data):
    """What an attacker does after editing entry ``seq``: recompute every hash from there."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        data = data_of(entry)
        digest = entry_hash(
            alg=alg,
            prev_hash=prev,
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            target_label=entry.target_label,
            data=data,
            ip=entry.ip,
        )
        raw(
            "UPDATE core_auditentry SET data=%s, alg=%s, prev_hash=%s, hash=%s WHERE seq=%s",
            [json.dumps(data), alg, prev, digest, entry.seq],
        )
        prev = digest
    raw("UPDATE core_audithead SET hash=%s WHERE id=1", [prev])


def test_anchor_export_is_signed_and_verifies(tmp_path):
    make_chain(4)
    path = anchor_file(tmp_path)
    content = json.loads(path.read_text())
    head = AuditHead.objects.get()
    assert (content["seq"], content["hash"]) == (head.seq, head.hash)
    assert content["signature"] and content["at"]
    assert "anchored seq 4 matches" in verify_with(path)
    make_chain(2)  # the chain grows past the anchor: still fine
    assert "OK 6 entries" in verify_with(path)
    with pytest.raises(FileExistsError):  # an older anchor is never overwritten
        call_command("audit_anchor", "--out", str(path), stderr=StringIO())


def test_a_forged_anchor_is_refused(tmp_path):
    make_chain(3)
    path = anchor_file(tmp_path)
    content = json.loads(path.read_text())
    content["seq"] = 2
    content["hash"] = AuditEntry.objects.get(seq=2).hash
    path.write_text(json.dumps(content))
    with pytest.raises(CommandError, match=r"ANCHOR REFUSED.*signature"):
        verify_with(path)
    genuine = audit_anchor_export()
    with override_settings(SUNSHINE_AUDIT_KEY="another-key-another-key-another-key"), pytest.raises(ValueError):
        audit_anchor_load(json.dumps(genuine))  # made under another key


def test_truncation_with_the_head_moved_back_is_caught_by_the_anchor(tmp_path):
    make_chain(6)
    path = anchor_file(tmp_path)
    kept = AuditEntry.objects.get(seq=4)
    raw("DELETE FROM core_auditentry WHERE seq > %s", [4])
    raw("UPDATE core_audithead SET seq=%s, hash=%s WHERE id=1", [4, kept.hash])
    assert audit_verify().ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match=r"\[truncated\].*ends at seq 4.*seq 6"):
        verify_with(path)


def test_wiping_the_log_is_caught_with_or_without_an_anchor(tmp_path):
    make_chain(5)
    path = anchor_file(tmp_path)
    raw("DELETE FROM core_auditentry")
    raw("DELETE FROM core_audithead")
    result = audit_verify()
    assert (result.ok, result.problem) == (False, "empty")
    with pytest.raises(CommandError, match=r"\[wiped\].*records 5 entries"):
        verify_with(path)


def test_rewriting_an_entry_and_recomputing_without_the_key_is_caught():
    make_chain(5)
    # The attacker holds the database, not the key: they recompute with plain SHA-256.
    recompute_from(2, alg="sha256", data_of=lambda e: {"i": 99} if e.seq == 2 else e.data)
    result = audit_verify()
    assert (result.ok, result.problem, result.bad_seq) == (False, "altered", 2)


def test_rewriting_an_entry_and_recomputing_with_the_key_is_caught_by_the_anchor(tmp_path):
    make_chain(5)
    path = anchor_file(tmp_path)
    # Worst case: the attacker also holds the key and recomputes the keyed chain.
    recompute_from(2, alg="hmac-sha256", data_of=lambda e: {"i": 99} if e.seq == 2 else e.data)
    assert audit_verify().ok  # a self-consistent chain
    with pytest.raises(CommandError, match=r"\[rewritten\].*seq 5"):
        verify_with(path)


def test_the_chain_under_another_key_does_not_verify():
    make_chain(3)
    with override_settings(SUNSHINE_AUDIT_KEY="another-key-another-key-another-key"):
        result = audit_verify()
    assert (result.ok, result.problem, result.bad_seq) == (False, "altered", 1)


def test_anchor_export_refuses_a_broken_chain(tmp_path):
    make_chain(3)
    raw("UPDATE core_auditentry SET action=%s WHERE seq=%s", ["test.forged", 2])
    with pytest.raises(CommandError, match="does not verify"):
        anchor_file(tmp_path)
    assert audit_anchor_write(tmp_path / "scheduled") is None


def test_the_scheduled_job_writes_anchors_into_the_configured_directory(tmp_path):
    from sunshine.core.scheduler import PERIODIC_JOBS
    from sunshine.core.tasks import audit_anchor_task

    assert PERIODIC_JOBS["audit-anchor"] == ("sunshine.core.tasks.audit_anchor_task", 3600)
    make_chain(2)
    with override_settings(SUNSHINE_AUDIT_ANCHOR_DIR=str(tmp_path / "anchors")):
        written = audit_anchor_task.call()["written"]
    files = list((tmp_path / "anchors").iterdir())
    assert [str(f) for f in files] == [written]
    assert audit_anchor_load(files[0].read_text()).seq == 2


def test_an_unkeyed_chain_is_rekeyed_once_and_only_when_intact():
    make_chain(3)
    recompute_from(1, alg="sha256")  # a chain as written before the key existed
    assert audit_verify().problem == "altered"
    assert audit_rekey(entries=AuditEntry._base_manager, heads=AuditHead.objects) == 3
    result = audit_verify()
    assert result.ok and result.count == 3
    assert set(AuditEntry.objects.values_list("alg", flat=True)) == {"hmac-sha256"}
    with pytest.raises(ValueError, match="already keyed"):
        audit_rekey(entries=AuditEntry._base_manager, heads=AuditHead.objects)


def test_a_tampered_unkeyed_chain_is_not_rekeyed():
    make_chain(3)
    recompute_from(1, alg="sha256")
    raw("UPDATE core_auditentry SET action=%s WHERE seq=%s", ["test.forged", 2])
    with pytest.raises(ValueError, match="seq 2 was altered"):
        audit_rekey(entries=AuditEntry._base_manager, heads=AuditHead.objects)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_on_postgresql_the_application_role_cannot_update_or_delete_audit_rows():
    from django.db import DatabaseError, transaction

    make_chain(2)
    raw("CREATE ROLE sunshine_test_app NOSUPERUSER")
    raw("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON core_auditentry TO sunshine_test_app")
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending, so TRUNCATE reaches the trigger
    for sql in (
        "UPDATE core_auditentry SET action='x' WHERE seq=1",
        "DELETE FROM core_auditentry WHERE seq=2",
        "TRUNCATE core_auditentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("SET LOCAL ROLE sunshine_test_app")
            raw(sql)
    assert AuditEntry.objects.count() == 2
    assert audit_verify().ok
