"""The engine for other databases (SQLite for local runs and tests).

Every word of the query must appear in the accent-folded, lower-cased text,
newest first. Folding is done by a Python function registered on the SQLite
connection, the same `fold` that the highlighter uses.
"""

from django.db import connection
from django.db.models import Func, TextField

from issues.models import Issue
from newsroom.richtext import plain_text
from newsroom.search import engine
from newsroom.search.highlight import fold, highlight
from stories.models import RecommendedRead, Story


def rank(text: str) -> list[engine.Result]:
    """Published issues, stories and reads containing every term, newest first."""
    _register_fold(connection)
    terms = engine.query_terms(text)
    if not terms:
        return []
    issues = _matching(Issue.objects.published(), engine.ISSUE_FIELDS, terms)
    stories = _matching(
        Story.objects.published().select_related("issue"), engine.STORY_FIELDS, terms
    )
    reads = _matching(
        RecommendedRead.objects.published().select_related("issue", "source"),
        engine.READ_FIELDS,
        terms,
    )
    limit = slice(0, engine.RESULTS_PER_KIND)
    results = engine.build_results(
        issues.order_by("-published_at")[limit],
        stories.order_by("-issue__published_at", "position")[limit],
        reads.order_by("-issue__published_at", "position")[limit],
        lambda obj: highlight(_snippet_source(obj), terms),
        terms,
    )
    return sorted(results, key=lambda r: r.published_at, reverse=True)


def build(hits, text: str) -> list[engine.Result]:
    """The results of a page of hits: here, `rank` has made them already."""
    return list(hits)


def _register_fold(conn):
    """Make `newsroom_fold(text)` callable from SQLite's SQL on this connection."""
    conn.ensure_connection()
    conn.connection.create_function(
        "newsroom_fold",
        1,
        lambda value: fold(plain_text(value)) if value is not None else None,
        deterministic=True,
    )


def _folded(*fields):
    return Func(
        engine.joined_text(fields),
        function="newsroom_fold",
        output_field=TextField(),
    )


def _matching(queryset, weighted_fields, terms):
    queryset = queryset.annotate(folded=_folded(*(f for f, _ in weighted_fields)))
    for term in terms:
        queryset = queryset.filter(folded__contains=term)
    return queryset


def _snippet_source(obj):
    """The plain text a result's snippet is cut from."""
    if isinstance(obj, Issue):
        return obj.dek
    if isinstance(obj, Story):
        return plain_text(
            " ".join([obj.body, obj.why_it_matters, obj.more_information])
        )
    return obj.summary
