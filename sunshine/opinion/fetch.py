"""Polite fetching and parsing of sources: feeds, web pages, imported files.

Everything here is pure (no database): ``fetch_url`` gets bytes over HTTP(S) with a
timeout, retries with back-off, conditional requests (ETag / Last-Modified) and a hard
size cap checked while streaming; ``parse_feed``, ``parse_page`` and ``parse_import``
turn bytes into :class:`Item` s, decoding UTF-8 or GB18030/GBK text. Bad input raises
:class:`FetchError` with a translatable message; the caller records it on the source.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = [
    "DEMO_DIR",
    "MAX_BYTES",
    "FetchError",
    "FetchResult",
    "Item",
    "decode_text",
    "fetch_url",
    "parse_feed",
    "parse_import",
    "parse_page",
]

MAX_BYTES = 5 * 1024 * 1024  # refuse anything larger, while streaming
TIMEOUT_S = 15
RETRIES = 2  # after the first try: 3 tries in all, on network errors and 5xx
USER_AGENT = "SunshineOpinionMonitor/1.0 (education bureau)"
DEMO_DIR = Path(__file__).resolve().parent / "demo"  # the only place file:// may read
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A source could not be fetched or parsed; ``str()`` is a translated message."""


@dataclass
class FetchResult:
    status: int  # 200, or 304 when nothing changed
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass
class Item:
    guid: str
    url: str
    title: str
    text: str
    published_at: datetime | None = None
    author: str = ""
    likes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --- HTTP -----------------------------------------------------------------------------


def _read_capped(response: Any, limit: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise FetchError(_("The response is too large (over %(mb)s MB); refused.") % {"mb": limit // (1024 * 1024)})
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise FetchError(_("The response is too large (over %(mb)s MB); refused.") % {"mb": limit // (1024 * 1024)})
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(url: str, limit: int) -> FetchResult:
    path = Path(urllib.request.url2pathname(url.removeprefix("file://"))).resolve()
    if not path.is_relative_to(DEMO_DIR) or not path.is_file():
        raise FetchError(_("Only the feeds shipped with the product can be read from a file."))
    if path.stat().st_size > limit:
        raise FetchError(_("The response is too large (over %(mb)s MB); refused.") % {"mb": limit // (1024 * 1024)})
    body = path.read_bytes()
    content_type = "text/html" if path.suffix in {".html", ".htm"} else "application/xml"
    return FetchResult(status=200, body=body, content_type=content_type)


def check_public_address(url: str) -> None:
    """Refuse an address that resolves to this machine or an internal network (loopback,
    private, link-local, reserved, multicast): staff enter source addresses, and the
    fetcher must not become a way to reach the bureau's internal systems (SSRF).
    ``settings.SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES`` lifts this (tests with a local
    server; an intranet feed the bureau trusts). A DNS answer that changes between this
    check and the connection is not covered; a reverse proxy with an allow-list is."""
    if getattr(settings, "SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES", False):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("The source could not be reached: %(reason)s") % {"reason": exc}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise FetchError(_("This address is on an internal network; only public sources may be fetched."))


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another public address."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not newurl.startswith(("http://", "https://")):
            raise FetchError(_("The address must start with http:// or https://."))
        check_public_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_CheckedRedirect)


def fetch_url(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = TIMEOUT_S,
    limit: int = MAX_BYTES,
    retries: int = RETRIES,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """GET ``url`` politely. Retries network errors and 5xx answers ``retries`` times,
    waiting ``backoff``, 2×``backoff``…; a 4xx answer, a too-large body or a bad
    scheme fails at once. Returns status 304 with no body when the server says the
    conditional request found nothing new."""
    if url.startswith("file://"):
        return _read_file(url, limit)
    if not url.startswith(("http://", "https://")):
        raise FetchError(_("The address must start with http:// or https://."))
    check_public_address(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    attempt = 0
    while True:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
        try:
            with _opener.open(request, timeout=timeout) as response:
                body = _read_capped(response, limit)
                return FetchResult(
                    status=response.status,
                    body=body,
                    content_type=response.headers.get("Content-Type", ""),
                    etag=response.headers.get("ETag", "") or "",
                    last_modified=response.headers.get("Last-Modified", "") or "",
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return FetchResult(status=304, etag=etag, last_modified=last_modified)
            if exc.code < 500 or attempt >= retries:
                raise FetchError(_("The server answered with error %(code)s.") % {"code": exc.code}) from exc
        except FetchError:
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            if attempt >= retries:
                reason = getattr(exc, "reason", exc)
                raise FetchError(_("The source could not be reached: %(reason)s") % {"reason": reason}) from exc
        sleep(backoff * (2**attempt))
        attempt += 1


# --- Text decoding ---------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_ENC_RE = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)["']""", re.IGNORECASE)
_GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936"}


def _declared(body: bytes, content_type: str) -> str:
    match = _CHARSET_RE.search(content_type.encode("ascii", "ignore")) or _XML_ENC_RE.search(body[:200])
    if match is None:
        match = _CHARSET_RE.search(body[:4096])
    if match is None:
        return ""
    name = match.group(1).decode("ascii").lower()
    return "gb18030" if name in _GB_NAMES else name


def decode_text(body: bytes, content_type: str = "") -> tuple[str, str]:
    """``body`` as text and the encoding used: the declared charset if it decodes,
    else UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    candidates = [_declared(body, content_type), "utf-8-sig", "gb18030"]
    for name in filter(None, candidates):
        try:
            return body.decode(name), "utf-8" if name == "utf-8-sig" else name
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8"


# --- Feeds -------------------------------------------------------------------------------


def _when(struct: Any) -> datetime | None:
    if not struct:
        return None
    year, month, day, hour, minute, second = struct[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _plain(html: str) -> str:
    if not html or "<" not in html:
        return (html or "").strip()
    from lxml import html as lxml_html

    try:
        return " ".join(lxml_html.fromstring(html).text_content().split())
    except Exception:  # lxml raises several types on junk
        return re.sub(r"<[^>]+>", " ", html).strip()


def parse_feed(body: bytes, content_type: str = "") -> list[Item]:
    """Items of an RSS or Atom document. A document that is not a feed at all, or is
    broken before its first item, raises FetchError; a feed that is only slightly
    malformed (feedparser's "bozo") still yields the items it could read."""
    import feedparser

    text, _encoding = decode_text(body, content_type)
    # feedparser re-detects from bytes; hand it UTF-8 with a matching declaration.
    text = _XML_ENC_RE.sub(b'<?xml version="1.0" encoding="utf-8"', text.encode("utf-8"), count=1).decode()
    parsed = feedparser.parse(text)
    if not parsed.entries:
        if parsed.bozo:
            raise FetchError(
                _("The feed is not valid XML: %(error)s") % {"error": str(parsed.get("bozo_exception", ""))[:200]}
            )
        if not parsed.feed:
            raise FetchError(_("This is not an RSS or Atom feed."))
        return []
    items: list[Item] = []
    for entry in parsed.entries:
        content = ""
        if entry.get("content"):
            content = entry["content"][0].get("value", "")
        text_value = _plain(content or entry.get("summary", "") or entry.get("description", ""))
        title = _plain(entry.get("title", ""))
        link = entry.get("link", "") or ""
        guid = entry.get("id", "") or link or title
        if not (title or text_value):
            continue
        likes = entry.get("likes") or entry.get("slash_comments") or 0
        items.append(
            Item(
                guid=str(guid)[:500],
                url=str(link)[:500],
                title=title[:300],
                text=text_value,
                published_at=_when(entry.get("published_parsed") or entry.get("updated_parsed")),
                author=str(entry.get("author", ""))[:100],
                likes=int(likes) if str(likes).isdigit() else 0,
            )
        )
    return items


# --- Web pages ---------------------------------------------------------------------------

_NOISE = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe")


def parse_page(body: bytes, url: str, content_type: str = "") -> list[Item]:
    """One item: the article text of an HTML page (``<article>``, else ``<main>``, else
    the body less navigation, scripts and footers). A page with no text raises
    FetchError."""
    from lxml import etree
    from lxml import html as lxml_html

    text, _encoding = decode_text(body, content_type)
    if not text.strip():
        raise FetchError(_("The page is empty."))
    try:
        doc = lxml_html.document_fromstring(text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise FetchError(_("The page could not be read as HTML.")) from exc
    for bad in doc.xpath("|".join(f"//{tag}" for tag in _NOISE)):
        bad.drop_tree()
    root = (doc.xpath("//article") or doc.xpath("//main") or doc.xpath("//body") or [doc])[0]
    paragraphs = [" ".join(p.text_content().split()) for p in root.xpath(".//p")]
    article = "\n".join(p for p in paragraphs if p) or " ".join(root.text_content().split())
    title_nodes = doc.xpath("//h1") or doc.xpath("//title")
    title = " ".join(title_nodes[0].text_content().split()) if title_nodes else ""
    if len(article.strip()) < 10:
        raise FetchError(_("The page has no article text."))
    published = None
    meta = doc.xpath("//meta[@property='article:published_time']/@content | //time/@datetime")
    if meta:
        published = _parse_time(str(meta[0]))
    return [Item(guid=url, url=url, title=title[:300], text=article, published_at=published)]


# --- Imports -----------------------------------------------------------------------------

_COLUMNS = {
    "id": ("id", "guid", "编号", "留言编号"),
    "title": ("title", "标题", "主题", "留言主题"),
    "text": ("text", "content", "正文", "内容", "详情", "留言详情"),
    "url": ("url", "link", "链接", "网址"),
    "published_at": ("published_at", "time", "date", "时间", "发布时间", "留言时间"),
    "author": ("author", "作者", "用户", "留言用户"),
    "likes": ("likes", "点赞数", "点赞"),
}


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    value = str(value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _row_item(row: dict[str, Any], number: int) -> Item:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}

    def pick(name: str) -> Any:
        for column in _COLUMNS[name]:
            if column.lower() in lowered and lowered[column.lower()] not in (None, ""):
                return lowered[column.lower()]
        return ""

    title = str(pick("title")).strip()
    text = str(pick("text")).strip()
    if not (title or text):
        raise ValueError(_("Row %(n)s has neither a title nor a text.") % {"n": number})
    likes = pick("likes")
    when_raw = pick("published_at")
    published = _parse_time(when_raw)
    if when_raw and published is None:
        raise ValueError(_("Row %(n)s has a time that cannot be read: %(v)s") % {"n": number, "v": str(when_raw)[:40]})
    guid = str(pick("id")).strip() or str(pick("url")).strip()
    return Item(
        guid=guid[:500],
        url=str(pick("url"))[:500],
        title=title[:300],
        text=text,
        published_at=published,
        author=str(pick("author"))[:100],
        likes=int(float(likes)) if str(likes).replace(".", "", 1).isdigit() else 0,
    )


def parse_import(body: bytes, filename: str) -> tuple[list[Item], list[str]]:
    """Items of a CSV, JSON (a list, or JSON lines) or Excel file, and one message per
    refused row. A file that cannot be read at all raises FetchError."""
    suffix = Path(filename).suffix.lower()
    rows: list[dict[str, Any]]
    if suffix in {".xlsx", ".xlsm"}:
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a bad file
            raise FetchError(_("The Excel file could not be read.")) from exc
        sheet = book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            return [], []
        header = [str(h or "").strip() for h in values[0]]
        rows = [dict(zip(header, row, strict=False)) for row in values[1:] if any(c not in (None, "") for c in row)]
    elif suffix in {".json", ".jsonl"}:
        text, _enc = decode_text(body)
        try:
            data = (
                json.loads(text)
                if text.lstrip().startswith("[")
                else [json.loads(x) for x in text.splitlines() if x.strip()]
            )
        except json.JSONDecodeError as exc:
            raise FetchError(_("The JSON file is not valid: %(error)s") % {"error": exc.msg}) from exc
        if not all(isinstance(row, dict) for row in data):
            raise FetchError(_("The JSON file must hold a list of objects."))
        rows = data
    elif suffix in {".csv", ".txt"}:
        text, _enc = decode_text(body)
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise FetchError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc
    else:
        raise FetchError(_("Import a CSV, JSON or Excel (.xlsx) file."))
    items: list[Item] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=2 if suffix != ".json" else 1):
        try:
            items.append(_row_item(row, number))
        except ValueError as exc:
            errors.append(str(exc))
    return items, errors
