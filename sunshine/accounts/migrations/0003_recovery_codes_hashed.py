"""Recovery codes are kept as keyed hashes (``services.recovery_code_digest``), never as
the codes themselves: existing plaintext codes are hashed in place."""

from django.db import migrations


def hash_codes(apps, schema_editor):
    from sunshine.accounts.services import recovery_code_digest

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if len(token.token) != 16:  # a digest is 16 hex characters; a code is 8 base32 ones
            StaticToken.objects.filter(pk=token.pk).update(token=recovery_code_digest(token.token))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_enrolment_token"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
