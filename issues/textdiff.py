"""Word-level differences between two texts, for the history's compare page.

Rich text is compared as a reader reads it (`readable`: paragraphs and list
items on lines of their own, no tags), then word by word (`word_diff`). The
result is HTML built only from escaped text: the words taken out wrapped in
<del>, the words added in <ins>, each run also announced in words for
screen readers ("removed:", "added:"), so the difference is never told by
colour alone. Plain Python, no database.
"""

import difflib
import re
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Tags after which a reader sees a new line; <li> also gets a bullet.
_BLOCKS = {"p", "li", "h3", "h4", "blockquote", "br", "ul", "ol"}
# Words with the spaces after them, so a run of changed words is marked once.
_TOKENS = re.compile(r"^\s+|\S+\s*")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def readable(html: str) -> str:
    """Stored rich text as text: a paragraph or list item a line, tags gone."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def word_diff(old: str, new: str):
    """`old` and `new` as HTML, their words taken out and added marked.

    Returns (old_html, new_html): the old text with <del> around what the
    new one lacks, the new text with <ins> around what it adds.
    """
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(
        a=[token.strip() for token in old_tokens],
        b=[token.strip() for token in new_tokens],
        autojunk=False,
    )
    old_html, new_html = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        before, after = "".join(old_tokens[a1:a2]), "".join(new_tokens[b1:b2])
        if op == "equal":
            old_html.append(escape(before))
            new_html.append(escape(after))
            continue
        if before.strip():
            old_html.append(_mark("del", "removed", before))
        else:
            old_html.append(escape(before))
        if after.strip():
            new_html.append(_mark("ins", "added", after))
        else:
            new_html.append(escape(after))
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))


def _mark(tag, said, text):
    """`text` in <tag>, leading and trailing spaces left outside it."""
    stripped = text.strip()
    start = text.index(stripped)
    lead, trail = text[:start], text[start + len(stripped) :]
    return (
        f'{escape(lead)}<{tag}><span class="visually-hidden">{said}: </span>'
        f"{escape(stripped)}</{tag}>{escape(trail)}"
    )
