"""The search service (sunshine.core.search) on the engine in use: SQLite FTS5 here,
PostgreSQL's full-text search when DATABASE_URL points at PostgreSQL (CI runs both)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from sunshine.core.models import SearchDocument
from sunshine.core.search import (
    SearchItem,
    search_index,
    search_index_bulk,
    search_query,
    search_register,
    search_remove,
    segment,
)
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")

search_register("core.test", label="Test text")
search_register("core.test-checked", label="Checked text", check=lambda user, hit: hit.title != "不可见的记录")

FEE_BODY = "本校2026年秋季学期收费公示如下：住宿费每生每学期400元，作业本费按实际发生代收。监督电话12345。"


def _index(object_id: int | str, title: str, body: str, **kwargs):
    kwargs.setdefault("published_at", datetime(2026, 9, 1, 9, tzinfo=SH))
    return search_index(doc_type="core.test", object_id=object_id, title=title, body=body, **kwargs)


def test_query_matches_words_not_fragments():
    """ "收费" finds a notice about 收费公示; "费公" — the tail of one word and the head of the
    next, a byte fragment of the text — finds nothing, on either engine."""
    assert "费公" in FEE_BODY  # a substring match (LIKE, trigram) would find it
    assert segment("收费公示") == ["收费", "公示"]
    _index(1, "秋季学期收费公示", FEE_BODY)
    _index(2, "学校安全工作预案", "发生火灾时按照疏散路线有序撤离。")

    assert [h.object_id for h in search_query(q="收费").hits] == ["1"]
    assert [h.object_id for h in search_query(q="收费 公示").hits] == ["1"]
    assert [h.object_id for h in search_query(q="收费公示").hits] == ["1"]  # segmented the same way
    assert search_query(q="费公").total == 0
    assert search_query(q="校收").total == 0
    assert search_query(q="收费 火灾").total == 0  # every word must match


def test_words_inside_a_compound_word_are_found():
    """jieba's search mode adds the shorter words inside a long one (义务教育 → 教育)."""
    _index(1, "义务教育阶段学校招生工作方案", "适龄儿童少年免试就近入学。")
    assert search_query(q="教育").total == 1
    assert search_query(q="义务教育").total == 1


def test_snippet_highlights_the_words_and_escapes_markup():
    _index(1, "住宿收费公示", "<b>注意</b>：" + FEE_BODY + " <script>alert(1)</script>")
    hit = search_query(q="收费").hits[0]
    assert "<mark>收费</mark>" in hit.snippet_html
    assert "<mark>收费</mark>" in hit.title_html
    assert "<script>" not in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert "公示如下" in hit.snippet_html  # words run together again, no index spaces between Chinese words


def test_title_matches_rank_first():
    _index(1, "学生资助政策说明", "本文件说明资助申请流程，附带提到收费减免。")
    _index(2, "收费减免办法", "对家庭经济困难学生减免住宿费。")
    assert [h.object_id for h in search_query(q="减免").hits] == ["2", "1"]


def test_filters_organisation_category_type_and_dates():
    school_a, school_b = SchoolFactory(), SchoolFactory()
    _index(1, "收费公示甲", FEE_BODY, organization_id=school_a.pk, category="fees")
    _index(2, "收费公示乙", FEE_BODY, organization_id=school_b.pk, category="fees")
    _index(
        3,
        "收费政策解读",
        FEE_BODY,
        organization_id=school_a.pk,
        category="policies",
        published_at=datetime(2025, 3, 1, 9, tzinfo=SH),
    )

    def ids(**filters):
        return sorted(h.object_id for h in search_query(q="收费", **filters).hits)

    assert ids() == ["1", "2", "3"]
    assert ids(organization_id=school_a.pk) == ["1", "3"]
    assert ids(category="fees") == ["1", "2"]
    assert ids(category=["policies"], organization_id=[school_a.pk, school_b.pk]) == ["3"]
    assert ids(published_from=date(2026, 1, 1)) == ["1", "2"]
    assert ids(published_to=date(2025, 12, 31)) == ["3"]
    assert ids(published_from=date(2026, 9, 1), published_to=date(2026, 9, 1)) == ["1", "2"]
    assert ids(doc_type="core.test-checked") == []


def test_visibility_public_and_staff():
    """A non-public entry is found only by members of the organisations it is granted to,
    never by the public; a type's check can refuse a hit."""
    school, other = SchoolFactory(), SchoolFactory()
    _index(1, "收费公示草稿", FEE_BODY, organization_id=school.pk, visibility=[school.pk])
    _index(2, "收费公示", FEE_BODY, organization_id=school.pk)
    search_index(doc_type="core.test-checked", object_id=3, title="不可见的记录", body=FEE_BODY, visibility=[school.pk])
    search_index(doc_type="core.test-checked", object_id=4, title="可见的记录", body=FEE_BODY, visibility=[school.pk])

    _, clerk = client_for(Role.SCHOOL_CLERK, organization=school)
    _, stranger = client_for(Role.SCHOOL_CLERK, organization=other)
    public = UserFactory()

    def ids(user, **kw):
        return sorted(h.object_id for h in search_query(q="收费", user=user, **kw).hits)

    assert ids(None) == ["2"]
    assert ids(public) == ["2"]
    assert ids(stranger) == ["2"]
    assert ids(clerk) == ["1", "2", "4"]
    assert ids(clerk, public_only=True) == ["2"]
    assert search_query(q="收费", user=clerk).total == 3


def test_reindex_replaces_and_remove_takes_out():
    _index(1, "收费公示", FEE_BODY)
    _index(1, "招生简章", "今年招生计划为三个班。")
    assert SearchDocument.objects.count() == 1
    assert search_query(q="收费").total == 0  # the old words left the engine's index too
    assert search_query(q="招生").total == 1
    assert search_remove(doc_type="core.test", object_id=1) == 1
    assert search_query(q="招生").total == 0
    assert search_remove(doc_type="core.test", object_id=1) == 0


def test_unregistered_type_and_bad_visibility_are_refused():
    with pytest.raises(ValueError, match="not registered"):
        search_index(doc_type="nope", object_id=1, title="x", body="y")
    with pytest.raises(ValueError, match="visibility"):
        _index(1, "x", "y", visibility="everyone")


def test_empty_or_punctuation_query_finds_nothing():
    _index(1, "收费公示", FEE_BODY)
    assert search_query(q="").total == 0
    assert search_query(q="，。！").total == 0
    assert search_query(q='"收费').total == 1  # quotes in a query cannot break the engine's syntax


def test_bulk_index_and_paging():
    search_index_bulk(
        SearchItem(doc_type="core.test", object_id=i, title=f"第{i}号收费公示", body=FEE_BODY, visibility="public")
        for i in range(25)
    )
    first = search_query(q="收费", limit=10)
    last = search_query(q="收费", limit=10, offset=20)
    assert first.total == 25 and len(first.hits) == 10 and first.has_next
    assert len(last.hits) == 5 and not last.has_next
    assert not {h.object_id for h in first.hits} & {h.object_id for h in last.hits}


def test_engine_structures_exist():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'core_search_fts'")
        else:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'core_searchdocument' AND column_name = 'search_vector'"
            )
        assert cursor.fetchone() is not None


def test_search_page_shows_public_hits(client):
    _index(1, "秋季学期收费公示", FEE_BODY, url="/disclosure/doc/1/")
    response = client.get(reverse("core:search"), {"q": "收费"})
    assert response.status_code == 200
    assert "<mark>收费</mark>" in response.content.decode()
    assert "/disclosure/doc/1/" in response.content.decode()
    response = client.get(reverse("core:search"), {"q": "费公"})
    assert "/disclosure/doc/1/" not in response.content.decode()


def test_a_very_broad_query_is_capped_and_newest_first(monkeypatch):
    from sunshine.core import search

    monkeypatch.setattr(search, "RANK_CAP", 3)
    for i in range(5):
        _index(i, f"第{i}号收费公示", FEE_BODY)
    results = search_query(q="收费", limit=2)
    assert results.capped and results.total == 3
    assert [h.object_id for h in results.hits] == ["4", "3"]
    narrow = search_query(q="收费", organization_id=12345)
    assert not narrow.capped and narrow.total == 0


def test_filters_are_indexed_as_facets_and_never_match_typed_words(db):
    """A filtered query is narrowed by the full-text index itself (organisation and
    category facets), and a person cannot search for a facet token."""
    from sunshine.core.models import SearchDocument
    from sunshine.core.search import facet_tokens, search_index, search_query, search_register

    search_register("facet.test", label="facet test")
    for pk, org, category in ((1, 11, "fees"), (2, 12, "fees"), (3, 11, "policy")):
        search_index(doc_type="facet.test", object_id=pk, title="学校收费公示", body="收费标准", organization_id=org,
                     category=category)  # fmt: skip
    doc = SearchDocument.objects.get(doc_type="facet.test", object_id="1")
    assert set(facet_tokens(organization_id=11, category="fees")) <= set(doc.seg_terms.split())
    hits = search_query(q="收费", organization_id=11, category="fees", doc_type="facet.test").hits
    assert [hit.object_id for hit in hits] == ["1"]
    assert {h.object_id for h in search_query(q="收费", organization_id=[12], doc_type="facet.test").hits} == {"2"}
    assert {h.object_id for h in search_query(q="收费", category=["policy", "fees"], doc_type="facet.test").hits} == {
        "1", "2", "3",
    }  # fmt: skip
    assert search_query(q="sxforg11", doc_type="facet.test").total == 0


def test_date_filters_use_month_facets_and_keep_exact_bounds(db):
    """A publication-date range is narrowed by month facets in the index; the exact
    bounds still apply inside the boundary months (Asia/Shanghai days)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from sunshine.core.search import search_index, search_query, search_register

    sh = ZoneInfo("Asia/Shanghai")
    search_register("facet.dates", label="dates")
    for pk, day in ((1, date(2026, 9, 30)), (2, date(2026, 10, 1)), (3, date(2026, 10, 31)), (4, date(2026, 11, 1))):
        search_index(doc_type="facet.dates", object_id=pk, title="招生公告", body="招生", published_at=datetime(
            day.year, day.month, day.day, 23, 30, tzinfo=sh))  # fmt: skip
    # 1 October, 02:00 in Shanghai is still 30 September in UTC: it belongs to October.
    search_index(doc_type="facet.dates", object_id=5, title="招生公告", body="招生",
                 published_at=datetime(2026, 10, 1, 2, 0, tzinfo=sh))  # fmt: skip
    found = search_query(
        q="招生", doc_type="facet.dates", published_from=date(2026, 10, 1), published_to=date(2026, 10, 31)
    )
    assert sorted(hit.object_id for hit in found.hits) == ["2", "3", "5"]
    found = search_query(
        q="招生", doc_type="facet.dates", published_from=date(2026, 9, 30), published_to=date(2026, 10, 1)
    )
    assert sorted(hit.object_id for hit in found.hits) == ["1", "2", "5"]
    found = search_query(
        q="招生", doc_type="facet.dates", published_from=date(2020, 1, 1), published_to=date(2026, 9, 30)
    )
    assert [hit.object_id for hit in found.hits] == ["1"]  # over 36 months: filtered row by row
