"""The fee notice's number is now given when it is published, from core's document series
("fees.notice", per school and the term's year): start each school's series after the
notices it has already published."""

import re

from django.db import migrations

NUMBER = re.compile(r"〔(\d{4})〕(\d+)号$")


def forwards(apps, schema_editor):
    FeeNotice = apps.get_model("fees", "FeeNotice")
    DocumentSeries = apps.get_model("core", "DocumentSeries")
    for notice in FeeNotice.objects.filter(published_at__isnull=False).only("school_id", "number"):
        match = NUMBER.search(notice.number)
        if match is None:
            continue
        year, sequence = int(match.group(1)), int(match.group(2))
        series, _created = DocumentSeries.objects.get_or_create(
            organization_id=notice.school_id, kind="fees.notice", year=year, defaults={"last": 0}
        )
        if series.last < sequence:
            series.last = sequence
            series.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0001_initial"),
        ("core", "0007_issued_documents"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
