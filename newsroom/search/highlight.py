"""Highlighting of matches, built from escaped text only.

The engines only say *where* the matches are: the fallback by the query's
folded terms, PostgreSQL by markers around them in a headline of the whole
text. One function, `excerpt`, then picks the passage to show around the
first match, the same way for both. `<mark>` is added around pieces that were
escaped first, so nothing a writer typed is ever marked safe.
"""

import html
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsroom.reading import sentences

SNIPPET_CHARS = 240
# A sentence up to this long is shown whole rather than cut mid-phrase.
LONGEST_SENTENCE = 360
# Where a passage must be cut inside a sentence, it ends at a comma, dash or
# the like if one lies in its last part, else after a whole word.
_CLAUSE_END = re.compile(r"[,;:—–)](?= )")
_DANGLING = ' ,;:—–-(“‘"'

# Private-use characters mark the matches in PostgreSQL's headlines; they
# survive escaping unchanged and are then replaced by <mark> tags. A query
# never carries them (see `engine.clean_query`).
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Tomás" → "tomas"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def excerpt(text: str, first_match: int | None, length=SNIPPET_CHARS):
    """(start, end) of the passage of `text` to show: it holds the first match
    (at `first_match`, or the opening when None) and starts and ends on whole
    words.

    The passage is the sentence holding the match, with the sentences after
    it while they fit in `length`; a sentence longer than LONGEST_SENTENCE is
    cut around the match instead, at the end of a clause where there is one.
    """
    if len(text) <= length:
        return 0, len(text)
    at = first_match or 0
    bounds = sentences(text)
    index = next((n for n, (a, b) in enumerate(bounds) if a <= at < b + 1), 0)
    start, end = bounds[index]
    if end - start > LONGEST_SENTENCE and at - start > length // 3:
        start = text.rfind(" ", start, at - length // 3) + 1
    if end - start <= LONGEST_SENTENCE:
        for _, following_end in bounds[index + 1 :]:
            if following_end - start > length:
                break
            end = following_end
        return start, end
    end = text.rfind(" ", start, start + length + 1)
    end = end if end > at else min(len(text), start + length)
    clauses = [m.end() for m in _CLAUSE_END.finditer(text, start + length // 2, end)]
    if clauses and clauses[-1] > at:
        end = clauses[-1]
    return start, end


def _marked_passage(text, spans, length):
    start, end = excerpt(text, spans[0][0] if spans else None, length)
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
    body = "".join(pieces)
    if end < len(text):
        body = body.rstrip(_DANGLING) + " …"
    return mark_safe(("… " if start else "") + body)


def highlight(text: str, terms, length=SNIPPET_CHARS) -> SafeString:
    """`text` (a passage around the first match when longer than `length`), with
    every match of a term in <mark>; accents and case are ignored, all is escaped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    folded = "".join((fold(c) or c)[0] for c in text)
    spans = sorted(
        (m.start(), m.start() + len(term))
        for term in terms
        for m in re.finditer(re.escape(term), folded)
    )
    return _marked_passage(text, spans, length)


def marked(headline: str, rich: bool, length=SNIPPET_CHARS) -> SafeString:
    """A passage of a PostgreSQL headline of the whole text, its markers as <mark>.

    A headline of rich text still has the entities of its HTML: decode them
    first, so "&amp;" reads "&" rather than being escaped a second time.
    """
    text = html.unescape(headline or "") if rich else headline or ""
    text = " ".join(text.split())
    spans, plain, cursor = [], [], 0
    for match in _MARKED.finditer(text):
        plain.append(text[cursor : match.start()])
        offset = sum(map(len, plain))
        plain.append(match.group(1))
        spans.append((offset, offset + len(match.group(1))))
        cursor = match.end()
    plain.append(text[cursor:])
    plain_text = "".join(plain).replace(START, "").replace(STOP, "")
    return _marked_passage(plain_text, spans, length)
