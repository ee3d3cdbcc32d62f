"""The reply's number now comes from core's document series ("petitions.reply"): carry
each bureau's reply counter over, so that no number already given is given again."""

from django.db import migrations


def forwards(apps, schema_editor):
    CaseCounter = apps.get_model("petitions", "CaseCounter")
    DocumentSeries = apps.get_model("core", "DocumentSeries")
    for counter in CaseCounter.objects.filter(kind="reply"):
        series, _created = DocumentSeries.objects.get_or_create(
            organization_id=counter.bureau_id, kind="petitions.reply", year=counter.year, defaults={"last": 0}
        )
        if series.last < counter.last:
            series.last = counter.last
            series.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0001_initial"),
        ("core", "0007_issued_documents"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
