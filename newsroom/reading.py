"""How the reader's pages talk about text: reading time, first sentences, dates.

Plain functions on plain text, with no ORM calls, so they are tested
without a database.
"""

import math
import re
from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.text import Truncator

#: A reader of news reads about this many words a minute.
WORDS_PER_MINUTE = 230

# A sentence ends at . ! ? or … (closing quotes and brackets may follow),
# before a space and a capital, a digit or an opening quote. "Dr. smith" or
# "U.S. officials" are rare enough in news copy not to matter here.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘(\[]?[A-ZÁÉÍÓÚÑ0-9])")


def word_count(*texts: str) -> int:
    return sum(len(text.split()) for text in texts if text)


def reading_minutes(*texts: str) -> int:
    """Whole minutes to read `texts`, rounded up, at least one."""
    return max(1, math.ceil(word_count(*texts) / WORDS_PER_MINUTE))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of plain, single-spaced `text`."""
    bounds, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        bounds.append((start, end.end()))
        start = end.end() + 1
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def first_sentence(text: str, max_words: int = 40) -> str:
    """The first sentence of plain `text`, cut at `max_words` words with "…"."""
    text = " ".join((text or "").split())
    end = _SENTENCE_END.search(text)
    sentence = text[: end.end()] if end else text
    return Truncator(sentence).words(max_words, truncate="…")


def html_datetime(value: datetime) -> str:
    """`value` as an HTML `datetime` attribute: local time, whole seconds, offset.

    Django's "c" format keeps microseconds, which HTML's grammar does not
    allow past three digits; validators reject them.
    """
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


def domain(url: str) -> str:
    """The host of `url` as readers write it: `https://www.elpitazo.net/x` → `elpitazo.net`."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")
