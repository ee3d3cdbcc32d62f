"""``manage.py opinion_export_reviewed OUTPUT``: the posts monitors have reviewed, as
JSON lines ``{"title", "text", "education", "topic", "stance"}`` — the format of
``opinion_train --extra``, so the bureau's own reviews train its next model. The file
holds citizens' posts as they were published: keep it inside the bureau."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date

from sunshine.opinion.models import Post


class Command(BaseCommand):
    help = "Write the reviewed opinion posts as training data (JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output")
        parser.add_argument("--since", help="only posts reviewed on or after this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        posts = Post.objects.filter(reviewed_at__isnull=False).order_by("reviewed_at", "pk")
        if options["since"]:
            since = parse_date(options["since"])
            if since is None:
                raise CommandError(f"Not a date: {options['since']}")
            posts = posts.filter(reviewed_at__date__gte=since)
        count = 0
        with Path(options["output"]).open("w", encoding="utf-8") as out:
            for post in posts.only("title", "text", "education", "topic", "stance").iterator():
                row = {
                    "title": post.title,
                    "text": post.text,
                    "education": int(post.education),
                    "topic": post.topic if post.education else "",
                    "stance": post.stance,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        self.stdout.write(f"{count} reviewed posts written to {options['output']}")
