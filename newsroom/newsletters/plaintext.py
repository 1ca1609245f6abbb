"""Stored rich text as the plain-text part of an email says it.

Paragraphs stay whole, one to a line, so every sentence reads as it does on
the page; list items start with "- " (or their number); a link's address is
written out on a line of its own after its paragraph, so it neither breaks
the sentence it sits in nor disappears. No ORM here: this is text in, text out.
"""

import textwrap
from html.parser import HTMLParser

BLOCKS = {"p", "li", "blockquote", "h3", "h4", "ul", "ol", "div"}


class _TextWriter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.words = []
        self.links = []
        self.pending_links = []
        self.lists = []
        self.href = None
        self.link_text = []
        self.quote = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._end_block()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            self.words.append("- " if kind[0] == "ul" else f"{kind[1]}. ")
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "br":
            self.words.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href") or None
            self.link_text = []

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            text = " ".join("".join(self.link_text).split())
            if self.href not in (text, f"mailto:{text}"):
                self.pending_links.append(f"{text}: {self.href}" if text else self.href)
            elif not text:
                self.pending_links.append(self.href)
            self.href = None
        if tag in BLOCKS:
            self._end_block()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1

    def handle_data(self, data):
        self.words.append(data)
        if self.href is not None:
            self.link_text.append(data)

    def _end_block(self):
        lines = "".join(self.words).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if text:
            prefix = "> " * self.quote
            self.blocks.append(prefix + text.replace("\n", "\n" + prefix))
        self.blocks.extend(self.pending_links)
        self.words, self.pending_links = [], []

    def text(self):
        self._end_block()
        return "\n".join(self.blocks)


def html_to_text(html):
    """`html` (the rich-text allow-list) as plain text; see the module's docstring."""
    writer = _TextWriter()
    writer.feed(html or "")
    writer.close()
    return writer.text()


def flowed(text, width=76):
    """`text` as format=flowed lines (RFC 3676): long lines broken at spaces.

    A broken line ends with a space (a soft break, which flowed readers join
    back); quoted lines keep their "> " on every piece; lines that would read
    as quotes or as "From " are space-stuffed. No line ends in a space
    unless it is soft, so every other line break stays hard.
    """
    out = []
    for line in text.split("\n"):
        line = line.rstrip()
        quote = ""
        while line.startswith("> ") or line == ">":
            quote += ">"
            line = line[2:]
        pieces = textwrap.wrap(
            line,
            width=max(20, width - len(quote)),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        for n, piece in enumerate(pieces):
            if piece.startswith((" ", "From ")) or (
                not quote and piece.startswith(">")
            ):
                piece = " " + piece
            if quote:
                piece = f"{quote} {piece}"
            out.append(piece + (" " if n < len(pieces) - 1 else ""))
    return "\n".join(out)


def wrap_html(html, width=900):
    """`html` with no line longer than `width` characters, broken at spaces.

    Mail lines are limited to 998 bytes; breaking between words or
    attributes changes nothing a reader sees, and keeps the part in 8-bit
    encoding, readable as it was written.
    """
    out = []
    for line in html.split("\n"):
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            if cut <= 0:
                cut = line.find(" ", width)
                if cut < 0:
                    break
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)
