"""Public search over published issues, stories and recommended reads.

Everything searched starts from the models' `published()` querysets, so a
draft can never be found. Two engines sit behind one `search()` function,
each in a module of its own, each with `rank(text)` (the hits, best first)
and `build(hits, text)` (the results of the hits on one page):

- `postgres`: stored, indexed vectors, `websearch_to_tsquery`, a bounded
  ranking and `ts_headline` on the page shown only; accents folded by the
  `english_unaccent` configuration.
- `fallback` (SQLite for local runs and tests): every word of the query must
  appear in the accent-folded, lower-cased text, newest first.

What they share (the query's cleaning, the fields searched, the results) is
in `engine`; highlighting, from escaped text only, in `highlight`; the
statement timeout in `limits`. A query's hits are cached for
SEARCH_CACHE_SECONDS, under the page cache's generation, so a correction or
an unpublished issue is never served from there (a scheduled issue may join
them that much late). The page is `newsroom.views.SearchView`.
"""

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection

from newsroom.search import fallback, postgres
from newsroom.search.engine import Result, clean_query
from newsroom.search.limits import SearchTimeout, statement_timeout

PAGE_SIZE = 20
#: The kinds of result, as `?kind=` names them, with the label of each filter.
KINDS = {"issue": "Issues", "story": "Stories", "read": "Recommended reads"}

__all__ = [
    "KINDS",
    "PAGE_SIZE",
    "Result",
    "SearchTimeout",
    "clean_query",
    "paginate",
    "results_page",
    "search",
]


class Results(Sequence):
    """A query's hits, best first; a slice of them is built into `Result`s.

    The paginator counts them all but builds only the page it shows.
    """

    def __init__(self, hits, build, text):
        self.hits, self._build, self.text = hits, build, text

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._build(self.hits[index], self.text)
        return self._build([self.hits[index]], self.text)[0]

    def counts(self):
        """How many hits of each kind."""
        counts = dict.fromkeys(KINDS, 0)
        for hit in self.hits:
            counts[_kind(hit)] += 1
        return counts

    def of_kind(self, kind):
        """The hits of one kind only, still best first."""
        hits = [hit for hit in self.hits if _kind(hit) == kind]
        return Results(hits, self._build, self.text)


def _kind(hit):
    """A hit's kind: PostgreSQL's hits are (kind, pk, rank, date) rows, the
    fallback's are results already."""
    return hit[0] if isinstance(hit, tuple) else hit.kind


def _engine():
    return postgres if connection.vendor == "postgresql" else fallback


def search(query: str) -> Results:
    """Published issues, stories and reads matching `query`, best first."""
    from newsroom import caching

    query = clean_query(query)
    if not query:
        return Results([], fallback.build, query)
    engine = _engine()
    seconds = getattr(settings, "SEARCH_CACHE_SECONDS", 60)
    digest = hashlib.sha256(query.encode()).hexdigest()
    key = f"search:{caching.current_generation()}:{engine.__name__}:{digest}"
    hits = cache.get(key) if seconds else None
    if hits is None:
        hits = engine.rank(query)
        if seconds:
            cache.set(key, hits, timeout=seconds)
    return Results(hits, engine.build, query)


def paginate(results, page_number):
    """A page of results; any bad or out-of-range page number gets a real page."""
    return Paginator(results, PAGE_SIZE).get_page(page_number)


def results_page(query: str, page_number, kind=""):
    """The page of results for `query` (of `kind` only, if given), how many of
    each kind there are, and how many are shown; found within the statement
    timeout, else SearchTimeout."""
    with statement_timeout():
        results = search(query)
        shown = results.of_kind(kind) if kind else results
        page = paginate(shown, page_number)
    return page, results.counts(), len(shown)
