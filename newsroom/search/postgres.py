"""The PostgreSQL engine: stored vectors, websearch queries, bounded ranking.

Each issue, story and read has a stored, GIN-indexed `search_vector` that the
database keeps up to date (the `*_search_vector` migrations of issues/ and
stories/), through the `english_unaccent` configuration (newsroom/migrations/
0001), so accents are folded on both sides: "tomas guanipa" finds "Tomás
Guanipa". Queries are parsed by `websearch_to_tsquery`. A search is two steps:

- `rank(text)`, one query: for each kind, the CANDIDATES matches written
  last (the highest keys: in a newsroom, the newest) are ranked by `ts_rank`
  on their stored vectors and the best RESULTS_PER_KIND kept. Nothing reads a
  match's text, and however common the words, no more than CANDIDATES rows of
  a kind are ranked. The planner finds a rare word's matches through the GIN
  index and a common word's by walking the primary key backwards, stopping
  at the CANDIDATES-th; ordering by the issue's publish time instead would
  make it read every match to sort them (200 ms for a word in 50,000 stories,
  against 4).
- `build(hits, text)`: the hits on the page shown, with `ts_headline` (which
  does read the text) for those twenty or so only.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Func, TextField, Value

from issues.models import Issue
from newsroom.search import engine
from newsroom.search.highlight import START, STOP, marked
from stories.models import RecommendedRead, Story

SEARCH_CONFIG = "english_unaccent"
#: The most matches of one kind that are ranked, the last written first.
CANDIDATES = 500

# What each kind's vector holds is written in SQL, in the migrations' triggers;
# engine.*_FIELDS say the same for the fallback.


def _query(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _ranked(queryset, date, query, kind):
    """The kind's best matches among its last CANDIDATES: (kind, pk, rank, date)."""
    newest = queryset.filter(search_vector=query).order_by("-pk").values("pk")
    newest = newest[:CANDIDATES]
    return (
        queryset.model._base_manager.filter(pk__in=newest)
        .annotate(
            kind=Value(kind),
            rank=SearchRank(F("search_vector"), query),
            date=F(date),
        )
        .order_by("-rank", "-date")
        .values_list("kind", "pk", "rank", "date")[: engine.RESULTS_PER_KIND]
    )


def rank(text: str) -> list[tuple]:
    """Every kind's best matches of `text`, best first: (kind, pk, rank, date)."""
    query = _query(text)
    issues = _ranked(Issue.objects.published(), "published_at", query, "issue")
    stories = _ranked(Story.objects.published(), "issue__published_at", query, "story")
    reads = _ranked(
        RecommendedRead.objects.published(), "issue__published_at", query, "read"
    )
    hits = list(issues.union(stories, reads, all=True))
    return sorted(hits, key=lambda hit: (hit[2], hit[3]), reverse=True)


def _headline(source, query):
    """The whole text with its matches marked: `highlight.marked` cuts the
    passage to show, as the other engine's snippets are cut."""
    return SearchHeadline(
        source,
        query,
        config=SEARCH_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        highlight_all=True,
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


def build(hits, text: str) -> list[engine.Result]:
    """The results for `hits` (a page of them), in their order, highlighted.

    One query per kind on the page, each through `published()` again, and
    `ts_headline` on these rows only.
    """
    query = _query(text)
    wanted = {kind: [pk for k, pk, _, _ in hits if k == kind] for kind, *_ in hits}
    issues = stories = reads = []
    if wanted.get("issue"):
        issues = Issue.objects.published().filter(pk__in=wanted["issue"])
        issues = issues.annotate(snippet=_headline(F("dek"), query))
    if wanted.get("story"):
        stories = Story.objects.published().filter(pk__in=wanted["story"])
        stories = stories.select_related("issue").annotate(
            snippet=_headline(
                _strip_tags_sql("body", "why_it_matters", "more_information"),
                query,
            )
        )
    if wanted.get("read"):
        reads = RecommendedRead.objects.published().filter(pk__in=wanted["read"])
        reads = reads.select_related("issue", "source").annotate(
            snippet=_headline(F("summary"), query)
        )
    ranks = {(kind, pk): rank for kind, pk, rank, _ in hits}
    for kind, objects in (("issue", issues), ("story", stories), ("read", reads)):
        for obj in objects:
            obj.rank = ranks[(kind, obj.pk)]
    results = engine.build_results(
        issues,
        stories,
        reads,
        lambda obj: marked(obj.snippet, rich=isinstance(obj, Story)),
        engine.query_terms(text),
    )
    return sorted(results, key=lambda r: (r.rank, r.published_at), reverse=True)
