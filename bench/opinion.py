"""Opinion benchmark: posts per second for segmentation + classification + grouping
(in memory). Posts: the fictional written training posts, half of them alone (social
media length) and half joined three or four at a time (message-board letter length,
cut at the classifier's 300 characters anyway). Target: over 2,000 posts/s on 2 cores."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.utils import timezone  # noqa: E402

from sunshine.opinion.classify import classify, load_model  # noqa: E402
from sunshine.opinion.grouping import Grouper, OrgMatcher, simhash  # noqa: E402
from sunshine.opinion.training.train import written_posts  # noqa: E402

N = 5000


def main() -> None:
    rng = random.Random(1)
    base = [row.text for row in written_posts()]
    schools = [(i, f"示范区第{i}中学", "") for i in range(1, 41)]
    texts = [
        f"示范区第{rng.randint(1, 40)}中学 " + "".join(rng.sample(base, 1 if i % 2 else rng.randint(3, 4)))
        for i in range(N)
    ]
    model = load_model()
    matcher = OrgMatcher(schools)
    grouper = Grouper()
    now = timezone.now()
    started = time.perf_counter()
    events = 0
    for i, text in enumerate(texts):
        judgement = classify("", text, model)
        orgs = matcher.find(text)
        _cand, created = grouper.add(
            hash_value=simhash(text), at=now + timedelta(seconds=i), organizations=orgs, topic=judgement.topic
        )
        events += created
    elapsed = time.perf_counter() - started
    print(
        f"opinion: {N} posts in {elapsed:.2f} s = {N / elapsed:,.0f} posts/s "
        f"(segmentation + classification + grouping), {events} events, "
        f"mean length {sum(map(len, texts)) / N:.0f} characters"
    )


if __name__ == "__main__":
    main()
