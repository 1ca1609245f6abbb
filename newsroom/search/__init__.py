"""Public search over published issues, stories and recommended reads.

Everything searched starts from the models' `published()` querysets, so a
draft can never be found. Two engines sit behind one `search()` function,
each in a module of its own:

- `postgres`: full text with `websearch_to_tsquery`, ranked and highlighted
  by PostgreSQL, accents folded by the `english_unaccent` configuration.
- `fallback` (SQLite for local runs and tests): every word of the query must
  appear in the accent-folded, lower-cased text, newest first.

What they share (the query's cleaning, the fields searched, the results) is
in `engine`; highlighting, from escaped text only, in `highlight`. The page
is `newsroom.views.SearchView`.
"""

from django.core.paginator import Paginator
from django.db import connection

from newsroom.search import fallback, postgres
from newsroom.search.engine import Result, clean_query

PAGE_SIZE = 20
#: The kinds of result, as `?kind=` names them, with the label of each filter.
KINDS = {"issue": "Issues", "story": "Stories", "read": "Recommended reads"}

__all__ = ["KINDS", "PAGE_SIZE", "Result", "clean_query", "paginate", "search"]


def search(query: str) -> list[Result]:
    """Published issues, stories and reads matching `query`, best first."""
    query = clean_query(query)
    if not query:
        return []
    if connection.vendor == "postgresql":
        return postgres.search(query)
    return fallback.search(query)


def paginate(results, page_number):
    """A page of results; any bad or out-of-range page number gets a real page."""
    return Paginator(results, PAGE_SIZE).get_page(page_number)
