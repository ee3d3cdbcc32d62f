from django.db import migrations


def checklist_complete(apps, schema_editor):
    """DIS-2: add the checklist items the rule lists and the first list lacked (the
    bureau's licensing and services; a school's student aid and tender results)."""
    from sunshine.disclosure import rules

    Category = apps.get_model("disclosure", "Category")
    RequiredItem = apps.get_model("disclosure", "RequiredItem")
    for code, name, scope, order in rules.CATEGORIES:
        Category.objects.get_or_create(
            code=code, defaults={"name": rules.catalogue_msgid(name), "scope": scope, "rule": "DIS-2", "order": order}
        )
    for index, (kind, code, name, frequency) in enumerate(rules.REQUIRED):
        RequiredItem.objects.get_or_create(
            org_kind=kind,
            category=Category.objects.get(code=code),
            name=rules.catalogue_msgid(name),
            defaults={"frequency": frequency, "order": index},
        )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0007_foi2_correction_due_on")]

    operations = [migrations.RunPython(checklist_complete, migrations.RunPython.noop)]
