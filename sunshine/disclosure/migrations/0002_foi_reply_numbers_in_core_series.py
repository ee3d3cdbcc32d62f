"""The FOI reply letter's number now comes from core's document series
("disclosure.foi_reply"): start each bureau's series after the replies already numbered."""

from django.db import migrations
from django.db.models import Count


def forwards(apps, schema_editor):
    FoiRequest = apps.get_model("disclosure", "FoiRequest")
    DocumentSeries = apps.get_model("core", "DocumentSeries")
    numbered = (
        FoiRequest.objects.exclude(reply_number="")
        .filter(replied_on__isnull=False)
        .values("organization_id", "replied_on__year")
        .annotate(n=Count("pk"))
    )
    for row in numbered:
        series, _created = DocumentSeries.objects.get_or_create(
            organization_id=row["organization_id"],
            kind="disclosure.foi_reply",
            year=row["replied_on__year"],
            defaults={"last": 0},
        )
        if series.last < row["n"]:
            series.last = row["n"]
            series.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_initial"),
        ("core", "0007_issued_documents"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
