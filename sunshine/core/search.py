"""Chinese full-text search: the one interface every module indexes into and queries.

Text is segmented into WORDS with rjieba (jieba's dictionary, shipped in the wheel:
nothing downloaded) before it reaches the database; the words are stored joined by
single spaces, and a query is segmented the same way. The database only ever splits
on spaces, so a query matches whole words, never byte fragments: "收费" finds a notice
about 收费公示, "费公" (the tail of one word and the head of the next) does not.

Engines, behind the same functions:

* SQLite: FTS5 (external content over ``core_searchdocument``), ranked by ``bm25``,
  highlighted with ``snippet()``;
* PostgreSQL: a generated ``tsvector`` ('simple' configuration) with a GIN index,
  ranked by ``ts_rank``, highlighted with ``ts_headline``.

Use::

    search_register("disclosure.document", label=_("Disclosure"))
    search_index(doc_type="disclosure.document", object_id=doc.pk, organization_id=org.pk,
                 category="fees", title=..., body=..., published_at=..., visibility="public",
                 url=doc.get_absolute_url())
    search_remove(doc_type="disclosure.document", object_id=doc.pk)
    results = search_query(q="收费 公示", user=request.user, organization_id=..., limit=20)

``visibility`` is ``"public"`` (anyone, the public site included) or the ids of the
organisations whose members may find the entry in staff search. A module may add a
per-entry ``check(user, hit) -> bool`` in :func:`search_register` for finer rules
(recusal, need-to-know); it filters the page of hits after the database query.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

import rjieba
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from sunshine.core.models import SearchDocument, SearchGrant

__all__ = [
    "SearchHit",
    "SearchItem",
    "SearchResults",
    "search_index",
    "search_index_bulk",
    "search_query",
    "search_register",
    "search_remove",
    "search_types",
    "segment",
    "segment_for_index",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
BODY_MAX_CHARS = 200_000  # a longer text is indexed up to here
QUERY_MAX_CHARS = 100
# A query matching more entries than this is too broad to rank usefully: it is counted
# up to here only ("more than 5,000") and its hits come newest first, which both engines
# answer from their index order without scoring every match (keeps p95 low at 1M entries).
RANK_CAP = 5000
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_HAS_WORD = re.compile(r"\w")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_SPACE = re.compile(r"\s+")


# --- Registry ---------------------------------------------------------------------

HitCheck = Callable[[Any, "SearchHit"], bool]


@dataclass(frozen=True)
class SearchType:
    doc_type: str
    label: str | Promise
    check: HitCheck | None = None


_TYPES: dict[str, SearchType] = {}


def search_register(doc_type: str, *, label: str | Promise, check: HitCheck | None = None) -> None:
    """Declare a kind of indexed text (in the module's ``AppConfig.ready()``).
    ``check(user, hit)``, if given, must also say yes before a NON-public hit is shown."""
    _TYPES[doc_type] = SearchType(doc_type=doc_type, label=label, check=check)


def search_types() -> dict[str, SearchType]:
    return dict(_TYPES)


# --- Segmentation -----------------------------------------------------------------


def segment(text: str) -> list[str]:
    """The words of ``text`` (punctuation kept as its own tokens, whitespace dropped)."""
    return [token for raw in rjieba.cut(_SPACE.sub(" ", text or "")) if (token := raw.strip())]


def _words(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if _HAS_WORD.search(t)]


def segment_for_index(title: str, body: str) -> tuple[str, str, str]:
    """(title, body, extra terms), each as words joined by spaces. The extra terms are
    the shorter words inside long ones (jieba's search mode: 义务教育 → 义务, 教育), so
    a query for a part of a compound word that is itself a word still finds it."""
    body = (body or "")[:BODY_MAX_CHARS]
    title_tokens = segment(title)
    body_tokens = segment(body)
    seen = {t.lower() for t in title_tokens} | {t.lower() for t in body_tokens}
    extra: list[str] = []
    for token in rjieba.cut_for_search(f"{title}\n{body}"):
        token = token.strip()
        key = token.lower()
        if token and key not in seen and _HAS_WORD.search(token):
            seen.add(key)
            extra.append(token)
    return " ".join(title_tokens), " ".join(body_tokens), " ".join(extra)


def _query_words(q: str) -> list[str]:
    words: list[str] = []
    for token in _words(segment((q or "")[:QUERY_MAX_CHARS])):
        if token.lower().startswith(FACET_PREFIX):
            continue  # facet tokens are for filters, not for words typed by a person
        if token.lower() not in (w.lower() for w in words):
            words.append(token)
    return words[:16]


# --- Writing ----------------------------------------------------------------------

Visibility = Literal["public"] | Iterable[int]


@dataclass(frozen=True)
class SearchItem:
    doc_type: str
    object_id: str | int
    title: str
    body: str
    organization_id: int | None = None
    category: str = ""
    published_at: datetime | None = None
    visibility: Any = "public"
    url: str = ""


FACET_PREFIX = "sxf"


def _category_token(category: str) -> str:
    return f"{FACET_PREFIX}cat{hashlib.sha256(category.encode()).hexdigest()[:16]}"


FACET_MAX_MONTHS = 36  # a longer date range is filtered row by row instead


def facet_tokens(*, organization_id: int | None, category: str, published_at: datetime | None = None) -> list[str]:
    """Tokens for the organisation, the category and the month of publication, indexed
    with the extra terms so that SQLite's full-text index itself narrows a filtered query
    (at a million entries, filtering the matches row by row afterwards is too slow)."""
    tokens = []
    if organization_id is not None:
        tokens.append(f"{FACET_PREFIX}org{int(organization_id)}")
    if category:
        tokens.append(_category_token(category))
    if published_at is not None:
        local = published_at.astimezone(SHANGHAI) if timezone.is_aware(published_at) else published_at
        tokens.append(f"{FACET_PREFIX}ym{local:%Y%m}")
    return tokens


def _month_facets(start: date, end: date) -> list[str] | None:
    """The months from ``start`` to ``end`` as facet values, or None when too many."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year}{month:02d}")
        if len(months) > FACET_MAX_MONTHS:
            return None
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _facet_groups(
    *,
    organization_ids: Sequence[int] | None,
    categories: Sequence[str] | None,
    published_from: date | None,
    published_to: date | None,
) -> list[list[str]]:
    """The facet tokens a filtered query requires: every group must match, any token of a
    group will do. Used by both engines, so the full-text index narrows every filter."""
    groups = []
    if organization_ids:
        groups.append([f"{FACET_PREFIX}org{int(pk)}" for pk in organization_ids])
    if categories:
        groups.append([_category_token(c) for c in categories])
    if published_from is not None or published_to is not None:
        months = _month_facets(published_from or date(1970, 1, 1), published_to or timezone.localdate())
        if months:
            groups.append([f"{FACET_PREFIX}ym{month}" for month in months])
    return groups


def _entry(item: SearchItem) -> tuple[SearchDocument, list[int]]:
    if item.doc_type not in _TYPES:
        raise ValueError(f"search type {item.doc_type!r} is not registered (call search_register)")
    seg_title, seg_body, seg_terms = segment_for_index(item.title, item.body)
    seg_terms = " ".join(
        [
            seg_terms,
            *facet_tokens(organization_id=item.organization_id, category=item.category, published_at=item.published_at),
        ]
    )
    public = isinstance(item.visibility, str)
    if public and item.visibility != "public":
        raise ValueError("visibility must be 'public' or organisation ids")
    grants = [] if public else sorted({int(pk) for pk in item.visibility})
    doc = SearchDocument(
        doc_type=item.doc_type,
        object_id=str(item.object_id),
        organization_id=item.organization_id,
        category=item.category or "",
        title=(item.title or "")[:300],
        url=(item.url or "")[:300],
        published_at=item.published_at,
        is_public=public,
        seg_title=seg_title,
        seg_body=seg_body,
        seg_terms=seg_terms,
        indexed_at=timezone.now(),
    )
    return doc, grants


@transaction.atomic
def search_index(
    *,
    doc_type: str,
    object_id: str | int,
    title: str,
    body: str,
    organization_id: int | None = None,
    category: str = "",
    published_at: datetime | None = None,
    visibility: Visibility = "public",
    url: str = "",
) -> SearchDocument:
    """Add or replace the index entry of one object (idempotent; safe to call on every save)."""
    doc, grants = _entry(
        SearchItem(
            doc_type=doc_type,
            object_id=object_id,
            title=title,
            body=body,
            organization_id=organization_id,
            category=category,
            published_at=published_at,
            visibility=visibility,
            url=url,
        )
    )
    values = {
        f.attname: getattr(doc, f.attname)
        for f in SearchDocument._meta.concrete_fields
        if f.attname not in ("id", "doc_type", "object_id")
    }
    # update_or_create locks the row; the unique constraint settles two first inserts.
    entry, _created = SearchDocument.objects.update_or_create(
        doc_type=doc.doc_type, object_id=doc.object_id, defaults=values
    )
    SearchGrant.objects.filter(document=entry).exclude(organization_id__in=grants).delete()
    existing = set(SearchGrant.objects.filter(document=entry).values_list("organization_id", flat=True))
    SearchGrant.objects.bulk_create(
        [SearchGrant(document=entry, organization_id=pk) for pk in grants if pk not in existing]
    )
    return entry


def search_index_bulk(items: Iterable[SearchItem], *, batch_size: int = 2000) -> int:
    """Insert NEW entries in batches (an initial load or a rebuild after
    :func:`search_remove`); returns how many. Existing entries are not replaced."""
    count = 0
    batch: list[tuple[SearchDocument, list[int]]] = []

    def flush() -> None:
        with transaction.atomic():
            docs = SearchDocument.objects.bulk_create([doc for doc, _ in batch])
            grants = [
                SearchGrant(document=doc, organization_id=pk)
                for doc, (_, pks) in zip(docs, batch, strict=False)
                for pk in pks
            ]
            if grants:
                if any(doc.pk is None for doc in docs):  # pragma: no cover - every supported engine returns ids
                    raise RuntimeError("bulk insert returned no ids")
                SearchGrant.objects.bulk_create(grants)

    for item in items:
        batch.append(_entry(item))
        if len(batch) >= batch_size:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    return count


def search_remove(*, doc_type: str, object_id: str | int) -> int:
    """Take an object out of the index (e.g. a withdrawn disclosure); returns 0 or 1."""
    deleted, _ = SearchDocument.objects.filter(doc_type=doc_type, object_id=str(object_id)).delete()
    return 1 if deleted else 0


# --- Querying ---------------------------------------------------------------------


@dataclass
class SearchHit:
    doc_type: str
    type_label: str
    object_id: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    url: str
    organization_id: int | None
    category: str
    published_at: datetime | None
    is_public: bool
    rank: float


@dataclass
class SearchResults:
    query: str
    words: list[str]
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    limit: int = 20
    offset: int = 0
    capped: bool = False  # more than RANK_CAP matches: total is a floor, hits are newest first

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def _join_display(tokens: Sequence[str]) -> str:
    """Words back into running text: the index's spaces go, except between two Latin
    words or numbers (where the original most likely had one)."""
    out = ""
    prev = ""
    for token in tokens:
        bare = token.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")
        if not bare:
            out += token
            continue
        if out and _ASCII_WORD.match(bare[0]) and prev and _ASCII_WORD.match(prev[-1]):
            out += " "
        out += token
        prev = bare
    return out


def _marked_to_html(marked: str) -> SafeString:
    text = _join_display(marked.split(" "))
    escaped = html.escape(text)
    escaped = escaped.replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")
    # An unbalanced marker (a fragment cut by the engine) must not leave an open tag.
    if escaped.count("<mark>") != escaped.count("</mark>"):
        escaped = escaped.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our own <mark> tags


def _mark_title(seg_title: str, words: Sequence[str]) -> SafeString:
    wanted = {w.lower() for w in words}
    tokens = [f"{_MARK_OPEN}{t}{_MARK_CLOSE}" if t.lower() in wanted else t for t in seg_title.split(" ") if t]
    return _marked_to_html(" ".join(tokens))


def _fts5_query(words: Sequence[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _aware_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _aware_end(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def _as_ids(value: int | Iterable[int] | None) -> list[int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return [value]
    return [int(v) for v in value]


def _as_strs(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _user_org_ids(user: Any) -> list[int]:
    from sunshine.orgs.access import organizations_of

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(organizations_of(user).values_list("pk", flat=True))


def search_query(
    *,
    q: str,
    user: Any = None,
    organization_id: int | Iterable[int] | None = None,
    category: str | Iterable[str] | None = None,
    doc_type: str | Iterable[str] | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    public_only: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Entries matching every word of ``q``, best first, with highlighted snippets.

    The public (``user`` None or without an organisation role, or ``public_only``)
    sees public entries only; staff also see entries granted to their organisations
    that pass the type's ``check``. Filters: organisation(s), category(ies), type(s),
    and the publication date range (inclusive, Asia/Shanghai days)."""
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    words = _query_words(q)
    results = SearchResults(query=q, words=words, total=0, limit=limit, offset=offset)
    if not words:
        return results

    where: list[str] = []
    params: list[Any] = []
    org_ids = [] if public_only else _user_org_ids(user)
    if org_ids:
        marks = ", ".join(["%s"] * len(org_ids))
        where.append(
            f"(d.is_public OR EXISTS (SELECT 1 FROM core_searchgrant g WHERE g.document_id = d.id "  # noqa: S608 - constant fragments, values are parameters
            f"AND g.organization_id IN ({marks})))"
        )
        params += org_ids
    else:
        where.append("d.is_public")
    for column, values in (
        ("d.organization_id", _as_ids(organization_id)),
        ("d.category", _as_strs(category)),
        ("d.doc_type", _as_strs(doc_type)),
    ):
        if values is not None:
            where.append(f"{column} IN ({', '.join(['%s'] * len(values))})" if values else "1 = 0")
            params += values
    if published_from is not None:
        where.append("d.published_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(_aware_start(published_from)))
    if published_to is not None:
        where.append("d.published_at <= %s")
        params.append(connection.ops.adapt_datetimefield_value(_aware_end(published_to)))
    filters = " AND ".join(where)  # datetimes adapted as the backend stores them (UTC on SQLite)

    facets = _facet_groups(
        organization_ids=_as_ids(organization_id),
        categories=_as_strs(category),
        published_from=published_from,
        published_to=published_to,
    )
    # Every SQL fragment below is a constant of this module; values travel as parameters.
    columns = (
        "d.id, d.doc_type, d.object_id, d.title, d.url, d.organization_id, d.category, "
        "d.published_at, d.is_public, d.seg_title"
    )
    if connection.vendor == "sqlite":
        match = _fts5_query(words)
        for group in facets:
            match += " AND (" + " OR ".join(f"seg_terms:{token}" for token in group) + ")"
        count_sql = (
            "SELECT count(*) FROM (SELECT 1 FROM core_search_fts f JOIN core_searchdocument d ON d.id = f.rowid "  # noqa: S608 - constant fragments, values are parameters
            f"WHERE core_search_fts MATCH %s AND {filters} LIMIT {RANK_CAP + 1})"
        )
        # The full-text index drives every SQLite query: the unary "+" keeps the planner off
        # the documents table's indexes (it would otherwise test MATCH row by row), and the
        # organisation/category facets are already part of the MATCH above.
        lite_filters = re.sub(r"\bd\.(organization_id|category|doc_type|published_at)\b", r"+d.\1", filters)
        count_sql = count_sql.replace(filters, lite_filters)
        snippet = f"snippet(core_search_fts, 1, '{_MARK_OPEN}', '{_MARK_CLOSE}', ' … ', 40) AS snip"
        page_sql = (  # ranked: rank and page inside; snippets only for the page's rows
            f"SELECT {columns}, p.rank AS rank, {snippet} FROM ("  # noqa: S608 - constant fragments, values are parameters
            "SELECT f.rowid AS rid, -bm25(core_search_fts, 10.0, 1.0, 0.5) AS rank "
            "FROM core_search_fts f JOIN core_searchdocument d ON d.id = f.rowid "
            f"WHERE core_search_fts MATCH %s AND {lite_filters} "
            "ORDER BY rank DESC, d.id LIMIT %s OFFSET %s) p "
            "JOIN core_search_fts ON core_search_fts.rowid = p.rid JOIN core_searchdocument d ON d.id = p.rid "
            "WHERE core_search_fts MATCH %s ORDER BY p.rank DESC, d.id"
        )
        capped_sql = (  # too many matches to rank: the newest, straight off the index
            f"SELECT {columns}, -bm25(core_search_fts, 10.0, 1.0, 0.5) AS rank, {snippet} "  # noqa: S608
            "FROM core_search_fts f JOIN core_searchdocument d ON d.id = f.rowid "
            f"WHERE core_search_fts MATCH %s AND {lite_filters} ORDER BY f.rowid DESC LIMIT %s OFFSET %s"
        )
        lead = [match]
    elif connection.vendor == "postgresql":
        tsquery = "plainto_tsquery('simple', %s)"
        # The GIN index intersects the words with the facet tokens (ranked on the words only).
        facet_query = " & ".join("(" + " | ".join(group) + ")" for group in facets)
        matcher = f"({tsquery} && to_tsquery('simple', %s))" if facets else tsquery
        count_sql = (
            "SELECT count(*) FROM (SELECT 1 FROM core_searchdocument d "  # noqa: S608 - constant fragments, values are parameters
            f"WHERE d.search_vector @@ {matcher} AND {filters} LIMIT {RANK_CAP + 1}) c"
        )
        headline_opts = (
            f"StartSel={_MARK_OPEN}, StopSel={_MARK_CLOSE}, MaxWords=40, MinWords=12, ShortWord=0, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        page_sql = (
            f"SELECT p.*, ts_headline('simple', p.seg_body, {tsquery}, %s) AS snip FROM ("  # noqa: S608 - constant fragments, values are parameters
            f"SELECT {columns}, d.seg_body, ts_rank(d.search_vector, {tsquery}) AS rank "
            f"FROM core_searchdocument d WHERE d.search_vector @@ {matcher} AND {filters} "
            "ORDER BY {order} LIMIT %s OFFSET %s) p ORDER BY {outer}"
        )
        orders = ("rank DESC, d.id", "d.id DESC")
        outer_orders = ("p.rank DESC, p.id", "p.id DESC")
        text = " ".join(words)
        lead = [text, facet_query] if facets else [text]
        if facets:  # the facets cover these filters: keep the planner on the GIN index alone
            pg_filters = (
                filters.replace("d.organization_id IN", "(d.organization_id + 0) IN")
                .replace("d.category IN", "(d.category || '') IN")
                .replace("d.published_at", "(d.published_at + interval '0 seconds')")
            )
            count_sql = count_sql.replace(filters, pg_filters)
            page_sql = page_sql.replace(filters, pg_filters)
    else:  # pragma: no cover
        raise NotImplementedError(connection.vendor)

    with connection.cursor() as cursor:
        cursor.execute(count_sql, [*lead, *params])
        results.total = int(cursor.fetchone()[0])
        if results.total > RANK_CAP:
            results.total, results.capped = RANK_CAP, True
        if results.total == 0 or offset >= results.total:
            return results
        if connection.vendor == "sqlite" and results.capped:
            cursor.execute(capped_sql, [*lead, *params, limit, offset])
        elif connection.vendor == "sqlite":
            cursor.execute(page_sql, [*lead, *params, limit, offset, *lead])
        else:
            order, outer = (
                orders[1] if results.capped else orders[0],
                outer_orders[1] if results.capped else outer_orders[0],
            )
            page_sql = page_sql.replace("{order}", order).replace("{outer}", outer)
            cursor.execute(page_sql, [lead[0], headline_opts, lead[0], *lead, *params, limit, offset])
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]

    for row in rows:
        kind = _TYPES.get(row["doc_type"])
        published = row["published_at"]
        if isinstance(published, str):  # SQLite raw rows
            published = datetime.fromisoformat(published)
        if published is not None and timezone.is_naive(published):
            published = timezone.make_aware(published, ZoneInfo("UTC"))
        hit = SearchHit(
            doc_type=row["doc_type"],
            type_label=str(kind.label) if kind else row["doc_type"],
            object_id=row["object_id"],
            title=row["title"],
            title_html=_mark_title(row["seg_title"], words),
            snippet_html=_marked_to_html(row["snip"] or ""),
            url=row["url"],
            organization_id=row["organization_id"],
            category=row["category"],
            published_at=published,
            is_public=bool(row["is_public"]),
            rank=float(row["rank"] or 0),
        )
        if not hit.is_public and kind is not None and kind.check is not None and not kind.check(user, hit):
            results.total -= 1
            continue
        results.hits.append(hit)
    return results
