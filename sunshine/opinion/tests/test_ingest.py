"""Ingestion from a LOCAL HTTP server: feeds, pages, bad input, imports. Nothing
reaches the internet."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from sunshine.core.actors import SYSTEM
from sunshine.opinion import fetch, services
from sunshine.opinion.models import Event, ImportBatch, Post, Source

pytestmark = pytest.mark.django_db


def _source(district: dict[str, Any], url: str, kind: str = Source.Kind.FEED) -> Source:
    return services.source_create(actor=district["monitor"], name=url, kind=kind, url=url, bureau=district["bureau"])


def test_feed_is_fetched_classified_grouped_and_never_stored_twice(feed_server, district):
    source = _source(district, f"{feed_server.url}/feed.xml")
    outcome = services.source_fetch(source=source, actor=SYSTEM)
    assert outcome.ok and outcome.added == 3
    posts = {p.guid: p for p in Post.objects.all()}
    assert posts["t-1"].education and posts["t-1"].topic == "food"
    assert not posts["t-3"].education and posts["t-3"].topic == ""
    # The two near-duplicates form one event naming the school.
    assert posts["t-1"].event_id == posts["t-2"].event_id is not None
    event = Event.objects.get()
    assert event.posts_count == 2
    assert list(event.organizations.all()) == [district["school1"]]
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.last_error == ""

    # Conditional request: the server answers 304, nothing new, nothing lost.
    again = services.source_fetch(source=source, actor=SYSTEM)
    assert again.ok and again.not_modified and Post.objects.count() == 3
    # Without the ETag the same items come back and are skipped as duplicates.
    Source.objects.filter(pk=source.pk).update(etag="")
    source.refresh_from_db()
    third = services.source_fetch(source=source, actor=SYSTEM)
    assert third.added == 0 and third.duplicates == 3 and Post.objects.count() == 3


def test_atom_and_gbk_feeds(feed_server, district):
    atom = services.source_fetch(source=_source(district, f"{feed_server.url}/atom.xml"), actor=SYSTEM)
    gbk = services.source_fetch(source=_source(district, f"{feed_server.url}/gbk.xml"), actor=SYSTEM)
    assert atom.added == 1 and gbk.added == 1
    assert Post.objects.get(guid="urn:test:atom:1").text.startswith("测试区第二中学初三年级")
    assert Post.objects.get(guid="g-1").title == "测试区实验小学门口车辆乱停很危险"


def test_web_page_article_text_is_extracted(feed_server, district):
    outcome = services.source_fetch(
        source=_source(district, f"{feed_server.url}/page.html", Source.Kind.PAGE), actor=SYSTEM
    )
    assert outcome.added == 1
    post = Post.objects.get()
    assert post.title == "测试区第三中学宿舍漏水一个月没人修"
    assert "天花板漏水" in post.text and "var x" not in post.text and "版权所有" not in post.text


def test_bad_sources_are_marked_and_stop_nothing_else(feed_server, district):
    good = _source(district, f"{feed_server.url}/feed.xml")
    services.source_fetch(source=good, actor=SYSTEM)
    stored = Post.objects.count()
    broken = _source(district, f"{feed_server.url}/broken.xml")
    empty = _source(district, f"{feed_server.url}/empty.html", Source.Kind.PAGE)
    dead = _source(district, f"{feed_server.url}/gone.xml")
    atom = _source(district, f"{feed_server.url}/atom.xml")
    counts = services.sources_fetch_due(actor=SYSTEM)  # the good feed is not due again yet
    assert counts["failed"] == 3 and counts["fetched"] == 1
    for source in (broken, empty, dead):
        source.refresh_from_db()
        assert source.last_error and source.failures == 1 and source.next_fetch_at is not None
    assert Post.objects.count() == stored + 1  # atom's one post; the good feed's posts intact
    assert Post.objects.filter(source=atom).count() == 1


def test_huge_response_is_refused_while_streaming(feed_server, district):
    source = _source(district, f"{feed_server.url}/huge")
    outcome = services.source_fetch(source=source, actor=SYSTEM)
    assert not outcome.ok
    source.refresh_from_db()
    assert "MB" in source.last_error
    assert Post.objects.count() == 0


def test_server_errors_are_retried_with_backoff(feed_server):
    waits: list[float] = []
    result = fetch.fetch_url(f"{feed_server.url}/flaky", sleep=waits.append, backoff=0.01)
    assert result.status == 200 and waits == [0.01]
    with pytest.raises(fetch.FetchError):
        fetch.fetch_url(f"{feed_server.url}/gone.xml", sleep=waits.append)
    assert waits == [0.01]  # a 404 is not retried


def test_file_urls_are_limited_to_the_shipped_demo_feeds(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text("<rss/>")
    with pytest.raises(fetch.FetchError):
        fetch.fetch_url(secret.as_uri())
    assert fetch.fetch_url((fetch.DEMO_DIR / "feed.xml").as_uri()).body.startswith(b"<?xml")


def test_decode_text_handles_gbk_and_utf8():
    text = "示范区第一中学"
    assert fetch.decode_text(text.encode("gbk"))[0] == text
    assert fetch.decode_text(text.encode("utf-8"))[0] == text
    assert fetch.decode_text(text.encode("gb18030"), "text/html; charset=GB2312")[0] == text


def test_import_csv_json_excel_with_duplicates_and_bad_rows(district):
    source = services.source_create(
        actor=district["monitor"], name="导入", kind=Source.Kind.IMPORT, bureau=district["bureau"]
    )
    csv_body = (
        "编号,标题,内容,时间\n"
        "a1,测试区第一中学乱收费,测试区第一中学收取资料费300元,2026-11-20 10:00\n"
        "a2,,,2026-11-20\n"
        "a3,测试区第二中学补课,周末补课,not-a-date\n"
    ).encode("gbk")
    batch = services.posts_import(source=source, filename="posts.csv", body=csv_body, actor=district["monitor"])
    assert (batch.added, batch.duplicates, batch.refused) == (1, 0, 2)
    again = services.posts_import(source=source, filename="posts.csv", body=csv_body, actor=district["monitor"])
    assert (again.added, again.duplicates) == (0, 1)
    rows = [{"id": "j1", "title": "测试区第三中学食堂", "text": "食堂饭菜太差"}]
    assert (
        services.posts_import(
            source=source, filename="p.json", body=json.dumps(rows).encode(), actor=district["monitor"]
        ).added
        == 1
    )
    book = openpyxl.Workbook()
    book.active.append(["id", "title", "text"])
    book.active.append(["x1", "测试区第一中学宿舍漏水", "宿舍漏水没人修"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert (
        services.posts_import(source=source, filename="p.xlsx", body=buffer.getvalue(), actor=district["monitor"]).added
        == 1
    )
    assert Post.objects.count() == 3 and ImportBatch.objects.count() == 4
    with pytest.raises(ValidationError):
        services.posts_import(source=source, filename="p.json", body=b"[{broken", actor=district["monitor"])
    with pytest.raises(ValidationError):
        services.posts_import(source=source, filename="p.pdf", body=b"%PDF", actor=district["monitor"])
    assert Post.objects.count() == 3  # nothing lost, nothing added


def test_manual_entry(district):
    source = services.source_create(
        actor=district["monitor"], name="人工", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    post = services.post_create_manual(
        source=source, actor=district["monitor"], title="测试区第一中学老师体罚学生", text="老师体罚学生"
    )
    assert post.education
    with pytest.raises(ValidationError):
        services.post_create_manual(
            source=source, actor=district["monitor"], title="测试区第一中学老师体罚学生", text="老师体罚学生"
        )
