"""Sanitised rich text: the one allow-list shared by the editor and every save.

The editor (django-prose-editor) only offers what is listed here, and
`clean_html` applies the same list with nh3 whenever a model is saved, so HTML
that arrives by another road (the importer, the shell, a crafted POST) is
cleaned too. Templates may mark a cleaned value safe; nothing else.
"""

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "Heading": {"levels": [3, 4]},
        "HardBreak": True,
        "Link": {"protocols": ["http", "https", "mailto"]},
        "History": True,
    }
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """Return `html` reduced to the allow-list; an editor's empty paragraph is ''."""
    cleaned = _cleaner.clean(html or "").strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


def plain_text(value: str) -> str:
    """Stored rich text as a reader reads it: no tags, no entities, single spaces."""
    return " ".join(unescape(strip_tags(value or "")).split())


@dataclass(frozen=True)
class Run:
    """A stretch of text with one formatting: bold, italic, and a link or not."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""


@dataclass(frozen=True)
class Block:
    """One paragraph-like piece of rich text, as the channels and exports need it.

    `kind` is "paragraph", "bullet" (an item of a bulleted list), "numbered"
    (an item of a numbered list, `number` its position), "heading" or
    "quote" (a paragraph inside a blockquote). Line breaks are "\\n" in the runs.
    """

    kind: str
    runs: tuple[Run, ...]
    number: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def blocks(html: str) -> list[Block]:
    """Cleaned rich text (see `ALLOWED_TAGS`) as a flat list of `Block`s.

    Whitespace is collapsed as a browser would; nested lists become items in
    document order. Anything outside the allow-list keeps its text only.
    """
    reader = _BlockReader()
    reader.feed(html or "")
    reader.close()
    return reader.result


class _BlockReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.result: list[Block] = []
        self._runs: list[Run] = []
        self._bold = self._italic = self._quote = 0
        self._hrefs: list[str] = []
        self._lists: list[list] = []  # [kind, next number]
        self._heading = False

    def handle_starttag(self, tag, attrs):
        if tag in {"p", "li", "h3", "h4", "blockquote", "ul", "ol"}:
            self._flush()
        if tag in {"strong", "b"}:
            self._bold += 1
        elif tag in {"em", "i"}:
            self._italic += 1
        elif tag == "a":
            self._hrefs.append(dict(attrs).get("href") or "")
        elif tag == "br":
            self._add("\n")
        elif tag in {"ul", "ol"}:
            self._lists.append(["numbered" if tag == "ol" else "bullet", 1])
        elif tag == "blockquote":
            self._quote += 1
        elif tag in {"h3", "h4"}:
            self._heading = True

    def handle_endtag(self, tag):
        if tag in {"strong", "b"}:
            self._bold = max(0, self._bold - 1)
        elif tag in {"em", "i"}:
            self._italic = max(0, self._italic - 1)
        elif tag == "a":
            if self._hrefs:
                self._hrefs.pop()
        elif tag in {"p", "li", "h3", "h4", "blockquote", "ul", "ol"}:
            self._flush()
            if tag in {"ul", "ol"} and self._lists:
                self._lists.pop()
            elif tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            elif tag in {"h3", "h4"}:
                self._heading = False

    def handle_data(self, data):
        self._add(re.sub(r"\s+", " ", data))

    def close(self):
        super().close()
        self._flush()

    def _add(self, text):
        if not text:
            return
        run = Run(
            text,
            bold=self._bold > 0,
            italic=self._italic > 0,
            href=next((h for h in reversed(self._hrefs) if h), ""),
        )
        last = self._runs[-1] if self._runs else None
        if last and (last.bold, last.italic, last.href) == (
            run.bold,
            run.italic,
            run.href,
        ):
            self._runs[-1] = Run(last.text + text, run.bold, run.italic, run.href)
        else:
            self._runs.append(run)

    def _flush(self):
        runs = _trimmed(self._runs)
        self._runs = []
        if not runs:
            return
        number = 0
        if self._heading:
            kind = "heading"
        elif self._lists:
            kind, number = self._lists[-1]
            self._lists[-1][1] += 1
            number = number if kind == "numbered" else 0
        elif self._quote:
            kind = "quote"
        else:
            kind = "paragraph"
        self.result.append(Block(kind, tuple(runs), number))


def _trimmed(runs: list[Run]) -> list[Run]:
    """`runs` without the spaces a browser would not show at either end or
    around a line break."""
    joined = []
    for run in runs:
        text = re.sub(r" *\n *", "\n", run.text)
        joined.append(Run(text, run.bold, run.italic, run.href))
    while joined and not joined[0].text.lstrip(" \n"):
        joined.pop(0)
    while joined and not joined[-1].text.rstrip(" \n"):
        joined.pop()
    if not joined:
        return []
    first = joined[0]
    joined[0] = Run(first.text.lstrip(" \n"), first.bold, first.italic, first.href)
    last = joined[-1]
    joined[-1] = Run(last.text.rstrip(" \n"), last.bold, last.italic, last.href)
    return joined
