"""Index the organisation, category and month facets of existing search entries (see
``sunshine.core.search.facet_tokens``)."""

from django.db import migrations


def add_facets(apps, schema_editor):
    from sunshine.core.search import facet_tokens

    SearchDocument = apps.get_model("core", "SearchDocument")
    batch = []
    for doc in SearchDocument.objects.iterator(chunk_size=2000):
        tokens = facet_tokens(
            organization_id=doc.organization_id, category=doc.category, published_at=doc.published_at
        )
        missing = [token for token in tokens if token not in doc.seg_terms.split()]
        if missing:
            doc.seg_terms = " ".join([doc.seg_terms, *missing]).strip()
            batch.append(doc)
        if len(batch) >= 2000:
            SearchDocument.objects.bulk_update(batch, ["seg_terms"])
            batch = []
    if batch:
        SearchDocument.objects.bulk_update(batch, ["seg_terms"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_supervision_rule_id_length")]

    operations = [migrations.RunPython(add_facets, migrations.RunPython.noop)]
