"""The audit chain becomes keyed (HMAC under SUNSHINE_AUDIT_KEY) and, on PostgreSQL,
append-only in the database itself.

1. ``alg`` grows to hold ``hmac-sha256`` / ``hmac-sm3``.
2. An existing chain is verified under its unkeyed hashes and re-keyed in order; a
   broken chain stops the migration (re-keying it would launder the tampering).
3. On PostgreSQL, a trigger refuses UPDATE, DELETE and TRUNCATE of audit entries to
   every role but a superuser (who could drop the trigger anyway); the application's
   role must therefore be no superuser. See docs/operations.md.
"""

from django.db import migrations, models

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on core_auditentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;
CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON core_auditentry FROM PUBLIC;
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def rekey(apps, schema_editor):
    from sunshine.core.audit import audit_rekey

    audit_rekey(
        entries=apps.get_model("core", "AuditEntry")._base_manager,
        heads=apps.get_model("core", "AuditHead")._base_manager,
    )


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_supervision_pauses_extensions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="alg",
            field=models.CharField(
                choices=[
                    ("hmac-sha256", "HMAC-SHA256"),
                    ("hmac-sm3", "HMAC-SM3"),
                    ("sha256", "SHA-256"),
                    ("sm3", "SM3"),
                ],
                max_length=16,
                verbose_name="hash algorithm",
            ),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(trigger_create, trigger_drop),
    ]
