import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    """The table keeps each form token's SHA-256 from now on, never the token."""
    FormSubmission = apps.get_model("core", "FormSubmission")
    for row in FormSubmission.objects.only("pk", "token").iterator():
        FormSubmission.objects.filter(pk=row.pk).update(token=hashlib.sha256(row.token.encode("utf-8")).hexdigest())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="formsubmission",
            name="sealed_receipt",
            field=models.TextField(blank=True, default="", verbose_name="sealed receipt"),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
    ]
