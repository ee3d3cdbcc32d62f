"""Fixtures of the opinion tests: a LOCAL HTTP server (a thread on 127.0.0.1) that
serves the feed and page fixtures, honours ETag, and can send a huge body; and a
small district with schools named in the fixtures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sunshine.core.testing import user_with_role
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    hits: dict[str, int] = {}

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65536 + b" -->"
            try:
                for _ in range(1024 * 16):  # up to 1 GB, unless the client hangs up
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/flaky" and self.hits[self.path] < 2:
            self.send_response(503)
            self.end_headers()
            return
        route = self.routes.get(self.path if self.path != "/flaky" else "/feed.xml")
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        status, headers, body = route
        etag = headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feed_server() -> Iterator[Any]:
    def file(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    Handler.routes = {
        "/feed.xml": (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, file("feed.xml")),
        "/atom.xml": (200, {"Content-Type": "application/atom+xml"}, file("atom.xml")),
        "/gbk.xml": (200, {"Content-Type": "application/xml"}, file("feed_gbk.xml")),
        "/broken.xml": (200, {"Content-Type": "application/xml"}, file("broken.xml")),
        "/page.html": (200, {"Content-Type": "text/html; charset=utf-8"}, file("page.html")),
        "/empty.html": (200, {"Content-Type": "text/html"}, file("empty.html")),
    }
    Handler.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    server.hits = Handler.hits  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def district(db: None) -> dict[str, Any]:
    """A bureau with three schools and its office, where ``monitor`` (department staff)
    watches opinion."""
    bureau = BureauFactory(name="测试区教育局")
    office = DepartmentFactory(parent=bureau, name="测试区教育局办公室")
    return {
        "bureau": bureau,
        "school1": SchoolFactory(parent=bureau, name="测试区第一中学", level="junior"),
        "school2": SchoolFactory(parent=bureau, name="测试区第二中学", level="junior"),
        "school3": SchoolFactory(parent=bureau, name="测试区第三中学", level="junior"),
        "office": office,
        "monitor": user_with_role(Role.DEPARTMENT_STAFF, organization=office),
    }
