"""Field encryption, key rotation, keyed hashes (core/crypto.py, core/fields.py)."""

import base64
import hashlib
import hmac
from io import StringIO

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from sunshine.core import crypto
from sunshine.core.crypto import DecryptionError, FieldKeyError
from sunshine.core.models import AuditEntry, EncryptionCanary

KEY_A = "ka:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "kb:" + base64.b64encode(b"B" * 32).decode()
KEY_A_WRONG = "ka:" + base64.b64encode(b"Z" * 32).decode()
CTX = EncryptionCanary.value_context()
SECRET = "张三 350302199001011234"


def raw_value(label: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM core_encryptioncanary WHERE label = %s", [label])
        return cursor.fetchone()[0]


def test_context_is_model_and_field():
    assert CTX == "core.encryptioncanary.value"


@override_settings(SUNSHINE_FIELD_KEYS=KEY_A)
def test_encrypt_round_trip_and_format():
    token = crypto.encrypt(SECRET, context=CTX)
    prefix, alg, key_id, blob = token.split("$")
    assert (prefix, alg, key_id) == ("sx1", "aes-256-gcm", "ka")
    assert len(base64.b64decode(blob)) == 12 + len(SECRET.encode()) + 16
    assert crypto.decrypt(token, context=CTX) == SECRET
    # A fresh random nonce each time: equal plaintexts never look equal.
    assert crypto.encrypt(SECRET, context=CTX) != token


@override_settings(SUNSHINE_FIELD_KEYS=KEY_A)
def test_ciphertext_is_bound_to_its_context_and_tamper_evident():
    token = crypto.encrypt(SECRET, context=CTX)
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, context="petitions.petition.filer_name")
    prefix, alg, key_id, blob = token.split("$")
    raw = bytearray(base64.b64decode(blob))
    raw[15] ^= 1
    with pytest.raises(DecryptionError):
        crypto.decrypt(f"{prefix}${alg}${key_id}${base64.b64encode(bytes(raw)).decode()}", context=CTX)
    # Relabelling the key id is caught too (the key id is in the associated data).
    relabelled = f"{KEY_A},kc:{KEY_A.split(':')[1]}"
    with override_settings(SUNSHINE_FIELD_KEYS=relabelled), pytest.raises(DecryptionError):
        crypto.decrypt(token.replace("$ka$", "$kc$"), context=CTX)
    with pytest.raises(DecryptionError):
        crypto.decrypt("plain text", context=CTX)


def test_missing_and_wrong_keys_give_clear_errors():
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        token = crypto.encrypt(SECRET, context=CTX)
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_B), pytest.raises(FieldKeyError, match="ka"):
        crypto.decrypt(token, context=CTX)
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A_WRONG), pytest.raises(DecryptionError, match="ka") as exc:
        crypto.decrypt(token, context=CTX)
    assert SECRET not in str(exc.value)
    for bad in ("", "nocolon", "ka:not-base64!", "ka:" + base64.b64encode(b"short").decode(), f"{KEY_A},{KEY_A}"):
        with override_settings(SUNSHINE_FIELD_KEYS=bad), pytest.raises(FieldKeyError):
            crypto.encrypt("x", context=CTX)
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A, SUNSHINE_FIELD_CIPHER="des"), pytest.raises(FieldKeyError):
        crypto.encrypt("x", context=CTX)


@pytest.mark.django_db
@override_settings(SUNSHINE_FIELD_KEYS=KEY_A)
def test_field_stores_ciphertext_only_and_reads_plaintext():
    EncryptionCanary.objects.create(label="p", value=SECRET)
    stored = raw_value("p")
    assert stored.startswith("sx1$aes-256-gcm$ka$")
    assert SECRET not in stored
    assert "350302" not in stored
    assert EncryptionCanary.objects.get(label="p").value == SECRET
    # NULL-free blank value stays empty; nothing else is stored in clear.
    EncryptionCanary.objects.create(label="empty", value="")
    assert raw_value("empty") == ""
    assert EncryptionCanary.objects.get(label="empty").value == ""
    # The content cannot be searched (it would silently never match).
    with pytest.raises(TypeError):
        EncryptionCanary.objects.filter(value=SECRET).count()


@pytest.mark.django_db
def test_field_read_with_wrong_key_fails_loudly():
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        EncryptionCanary.objects.create(label="p", value=SECRET)
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_B), pytest.raises(FieldKeyError):
        EncryptionCanary.objects.get(label="p")


@pytest.mark.django_db
def test_rotate_field_keys_moves_everything_to_the_current_key():
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        for i in range(5):
            EncryptionCanary.objects.create(label=f"r{i}", value=f"{SECRET}-{i}")
        EncryptionCanary.objects.create(label="blank", value="")
    with override_settings(SUNSHINE_FIELD_KEYS=f"{KEY_B},{KEY_A}"):
        out = StringIO()
        call_command("rotate_field_keys", "--dry-run", "--batch-size", "2", stdout=out)
        assert "would re-encrypt 5" in out.getvalue()
        assert all(raw_value(f"r{i}").startswith("sx1$aes-256-gcm$ka$") for i in range(5))

        out = StringIO()
        call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
        assert "core.encryptioncanary.value: 6 values, 0 current, 1 empty, re-encrypted 5" in out.getvalue()
        assert all(raw_value(f"r{i}").startswith("sx1$aes-256-gcm$kb$") for i in range(5))
        assert AuditEntry.objects.filter(action="core.field_keys_rotate").count() == 1

        out = StringIO()
        call_command("rotate_field_keys", stdout=out)  # idempotent
        assert "5 current, 1 empty, re-encrypted 0" in out.getvalue()
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_B):
        assert sorted(EncryptionCanary.objects.exclude(label="blank").values_list("value", flat=True)) == [
            f"{SECRET}-{i}" for i in range(5)
        ]
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A), pytest.raises(FieldKeyError):
        list(EncryptionCanary.objects.all())


@pytest.mark.django_db
def test_rotate_encrypts_a_plaintext_column_left_from_before_encryption():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_encryptioncanary (label, value, created_at) VALUES (%s, %s, %s)",
            ["legacy", SECRET, "2026-01-01 00:00:00"],
        )
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        call_command("rotate_field_keys", stdout=StringIO())
        assert raw_value("legacy").startswith("sx1$aes-256-gcm$ka$")
        assert EncryptionCanary.objects.get(label="legacy").value == SECRET


@pytest.mark.django_db
def test_sm4_gcm_path_and_switching_cipher():
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        EncryptionCanary.objects.create(label="aes", value=SECRET)
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A, SUNSHINE_FIELD_CIPHER="sm4-gcm"):
        EncryptionCanary.objects.create(label="sm4", value=SECRET)
        token = raw_value("sm4")
        assert token.startswith("sx1$sm4-gcm$ka$")
        assert SECRET not in token
        # Independently: it IS SM4-GCM under HKDF-SHA256(key)[:16], with the documented AAD.
        blob = base64.b64decode(token.split("$")[3])
        sm4_key = HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"sunshine sm4-gcm field key").derive(
            b"A" * 32
        )
        decryptor = Cipher(algorithms.SM4(sm4_key), modes.GCM(blob[:12], blob[-16:])).decryptor()
        decryptor.authenticate_additional_data(f"sx1|sm4-gcm|ka|{CTX}".encode())
        assert (decryptor.update(blob[12:-16]) + decryptor.finalize()).decode() == SECRET
        # The AES value still reads; rotation moves it to SM4.
        assert EncryptionCanary.objects.get(label="aes").value == SECRET
        out = StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "re-encrypted 1" in out.getvalue()
        assert raw_value("aes").startswith("sx1$sm4-gcm$ka$")
        assert EncryptionCanary.objects.get(label="aes").value == SECRET
    with override_settings(SUNSHINE_FIELD_KEYS=f"{KEY_B},{KEY_A}", SUNSHINE_FIELD_CIPHER="sm4-gcm"):
        call_command("rotate_field_keys", stdout=StringIO())
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_B, SUNSHINE_FIELD_CIPHER="sm4-gcm"):
        assert raw_value("sm4").startswith("sx1$sm4-gcm$kb$")
        assert set(EncryptionCanary.objects.values_list("value", flat=True)) == {SECRET}


@pytest.mark.django_db
def test_canary_check_proves_the_key_set():
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_A):
        result = crypto.canary_check()
        assert result.ok and result.is_current and result.key_id == "ka"
    with override_settings(SUNSHINE_FIELD_KEYS=f"{KEY_B},{KEY_A}"):
        result = crypto.canary_check()
        assert result.ok and not result.is_current
    with override_settings(SUNSHINE_FIELD_KEYS=KEY_B):
        result = crypto.canary_check()
        assert not result.ok and "ka" in result.message


@override_settings(SUNSHINE_HASH_KEY="k1")
def test_keyed_hash_is_hmac_sha256_separated_by_purpose():
    expected = hmac.new(b"k1", b"receipt\x00123", hashlib.sha256).hexdigest()
    assert crypto.keyed_hash("123", purpose="receipt") == expected
    assert crypto.keyed_hash("123", purpose="blind-index") != expected
    with override_settings(SUNSHINE_HASH_KEY="k2"):
        assert crypto.keyed_hash("123", purpose="receipt") != expected
    with override_settings(SUNSHINE_HASH_KEY=""), pytest.raises(FieldKeyError):
        crypto.keyed_hash("123", purpose="receipt")


def test_constant_time_equals():
    assert crypto.constant_time_equals("abc", "abc")
    assert crypto.constant_time_equals(b"abc", "abc")
    assert not crypto.constant_time_equals("abc", "abd")
    assert not crypto.constant_time_equals("abc", "abcd")


def test_receipt_codes_are_16_random_digits():
    from sunshine.core.crypto import receipt_code_new

    codes = {receipt_code_new() for _ in range(200)}
    assert len(codes) == 200  # no repeats in 200 draws of 10^16
    assert all(len(code) == 16 and code.isdigit() for code in codes)
    assert len(receipt_code_new(6)) == 6


def test_blind_indexes_and_receipt_hashes_use_separate_keys(settings):
    """The phone blind index is not under the receipt key: a leak of one key opens
    nothing of the other, and each key changes only its own hashes."""
    from sunshine.core.crypto import blind_index, keyed_hash

    phone, receipt = blind_index("13800000000", purpose="p"), keyed_hash("13800000000", purpose="p")
    assert phone != receipt
    settings.SUNSHINE_HASH_KEY = "another-receipt-key-another-receipt-key"
    assert blind_index("13800000000", purpose="p") == phone
    assert keyed_hash("13800000000", purpose="p") != receipt
    settings.SUNSHINE_INDEX_KEY = "another-index-key-another-index-key"
    assert blind_index("13800000000", purpose="p") != phone
