"""The PostgreSQL engine: full text, ranked and highlighted by the database.

Queries are parsed by `websearch_to_tsquery`, ranked with `SearchRank` and
highlighted with `SearchHeadline`, through the `english_unaccent`
configuration (newsroom/migrations/0001) so accents are folded on both sides:
"tomas guanipa" finds "Tomás Guanipa".
"""

from functools import reduce
from operator import add

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import F, Func, TextField, Value

from issues.models import Issue
from newsroom.search import engine
from newsroom.search.highlight import START, STOP, marked
from stories.models import RecommendedRead, Story

SEARCH_CONFIG = "english_unaccent"


def search(text: str) -> list[engine.Result]:
    """Published issues, stories and reads matching `text`, best ranked first."""
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    issues = _ranked(
        Issue.objects.published(),
        engine.ISSUE_FIELDS,
        F("dek"),
        query,
    )
    stories = _ranked(
        Story.objects.published().select_related("issue"),
        engine.STORY_FIELDS,
        _strip_tags_sql("body", "why_it_matters", "more_information"),
        query,
    )
    reads = _ranked(
        RecommendedRead.objects.published().select_related("issue", "source"),
        engine.READ_FIELDS,
        F("summary"),
        query,
    )
    results = engine.build_results(
        issues,
        stories,
        reads,
        lambda obj: marked(obj.snippet, rich=isinstance(obj, Story)),
        engine.query_terms(text),
    )
    return sorted(results, key=lambda r: (r.rank, r.published_at), reverse=True)


def document(weighted_fields):
    """The weighted, accent-folded text search vector of a kind's fields."""
    return reduce(
        add,
        (
            SearchVector(field, weight=weight, config=SEARCH_CONFIG)
            for field, weight in weighted_fields
        ),
    )


def _strip_tags_sql(*fields):
    """The rich text fields' text without HTML tags, for their headline."""
    return Func(
        engine.joined_text(fields),
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _ranked(queryset, weighted_fields, headline_source, query):
    """The best matches, ranked, each with a highlighted snippet of its text.

    The headline is of the whole text, its matches marked: `highlight.marked`
    cuts the passage to show, as the other engine's snippets are cut.
    """
    vector = document(weighted_fields)
    return (
        queryset.annotate(document=vector)
        .filter(document=query)
        .annotate(
            rank=SearchRank(vector, query),
            snippet=SearchHeadline(
                headline_source,
                query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                highlight_all=True,
            ),
        )
        .order_by("-rank")[: engine.RESULTS_PER_KIND]
    )
