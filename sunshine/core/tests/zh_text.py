"""What a person reads on a page, and what in it is not Chinese.

The visible text of an HTML page (no script, style, template or head except <title>;
nothing hidden or marked lang="en"; <option> text, button values, placeholders and
titles included; URLs, e-mail addresses and file extensions removed) is checked for
English words outside :data:`ALLOW`, rule IDs (PET-3) and snake_case codes
(above_standard). Text inside <code>, <kbd> and <samp> is machine text: only rule IDs
count there. The same rules as the zh-Hans crawl of a running demo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sunshine.core.rules import RULE_ID

# Acronyms and names of file formats a Chinese page writes in Latin letters.
ALLOW = frozenset(
    {"icp", "pdf", "word", "excel", "rss", "atom", "wps", "api", "totp", "url"} | {"csv", "json", "utf", "aes", "gcm"}
)
CODE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_])")
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]{2,}(?![A-Za-z0-9_])")
URLISH = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\.(?:csv|xlsx?|docx?|pdf|json|txt|zip|wps|ofd|rtf|png|jpe?g)(?![A-Za-z])",
    re.IGNORECASE,
)
LITERAL = frozenset({"code", "kbd", "samp"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)


class VisiblePage(HTMLParser):
    """Visible text, literal text, links and the <html lang> of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []
        self.literal: list[str] = []
        self.links: list[str] = []
        self.lang: str | None = None

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        skip = (
            tag in ("script", "style", "template", "head")
            or a.get("lang", "").lower().startswith("en")
            or "hidden" in a
            or (tag == "input" and a.get("type", "").lower() == "hidden")
        )
        if not self._hidden() and not skip:
            self.text.extend(a[attr] for attr in ("placeholder", "title") if a.get(attr))
            if tag == "input" and a.get("type", "").lower() in ("submit", "button", "reset") and a.get("value"):
                self.text.append(a["value"])
        if tag == "title":
            self.stack.append(("title", False))
        elif tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if (self.stack and self.stack[-1][0] == "title") or not self._hidden():
            if any(tag in LITERAL for tag, _skip in self.stack):
                self.literal.append(data)
            else:
                self.text.append(data)


@dataclass
class Offences:
    words: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.rule_ids or self.codes)


def offences(text: str, literal: str = "", *, allow: frozenset[str] = frozenset()) -> Offences:
    """English words, rule IDs and snake_case codes in ``text`` (first appearance order)."""
    text = URLISH.sub(" ", text)
    ids = list(dict.fromkeys(RULE_ID.findall(text) + RULE_ID.findall(literal)))
    text = RULE_ID.sub(" ", text)
    codes = list(dict.fromkeys(CODE.findall(text)))
    text = CODE.sub(" ", text)
    words = list(dict.fromkeys(w for w in WORD.findall(text) if w.lower() not in ALLOW | allow))
    return Offences(words=words, rule_ids=ids, codes=codes)


def page_read(html: str) -> VisiblePage:
    page = VisiblePage()
    page.feed(html)
    page.close()
    return page
