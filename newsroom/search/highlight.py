"""Highlighting of matches, built from escaped text only.

The engines only say *where* the matches are: the fallback by the query's
folded terms, PostgreSQL by markers around them in its headlines. `<mark>` is
added around pieces that were escaped first, so nothing a writer typed is
ever marked safe.
"""

import html
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 240

# Private-use characters mark the matches in PostgreSQL's headlines; they
# survive escaping unchanged and are then replaced by <mark> tags. A query
# never carries them (see `engine.clean_query`).
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Tomás" → "tomas"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def highlight(text: str, terms, length=SNIPPET_CHARS) -> SafeString:
    """`text` (an excerpt around the first match when longer than `length`), with
    every match of a term in <mark>; accents and case are ignored, all is escaped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    folded = "".join((fold(c) or c)[0] for c in text)
    spans = sorted(
        (m.start(), m.start() + len(term))
        for term in terms
        for m in re.finditer(re.escape(term), folded)
    )
    start = 0
    if len(text) > length and spans and spans[0][0] > length // 3:
        start = text.rfind(" ", 0, spans[0][0] - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces += [
            escape(text[cursor:span_start]),
            f"<mark>{escape(text[span_start:span_end])}</mark>",
        ]
        cursor = span_end
    pieces.append(escape(text[cursor:end]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)


def marked(headline: str, rich: bool) -> SafeString:
    """Escape a PostgreSQL headline, then turn its markers into <mark> tags.

    A headline of rich text still has the entities of its HTML: decode them
    first, so "&amp;" reads "&" rather than being escaped a second time.
    """
    text = html.unescape(headline or "") if rich else headline or ""
    escaped = escape(text)
    with_marks = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(with_marks.replace(START, "").replace(STOP, ""))
