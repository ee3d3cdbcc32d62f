"""Posts stored before SimHash shingles were hashed vectorised (splitmix64 instead of
BLAKE2b) get their hash recomputed, so old and new posts still group together."""

from django.db import migrations


def recompute(apps, schema_editor):
    from sunshine.opinion.grouping import simhash

    Post = apps.get_model("opinion", "Post")
    batch = []
    for post in Post.objects.only("pk", "title", "text").iterator(chunk_size=2000):
        post.simhash = simhash(f"{post.title} {post.text}")
        batch.append(post)
        if len(batch) >= 2000:
            Post.objects.bulk_update(batch, ["simhash"])
            batch = []
    if batch:
        Post.objects.bulk_update(batch, ["simhash"])


class Migration(migrations.Migration):
    dependencies = [("opinion", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
