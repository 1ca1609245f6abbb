"""Public search over published issues, stories and recommended reads.

Everything searched starts from the models' `published()` querysets, so a
draft can never be found. Two engines sit behind one `search()` function:

- PostgreSQL: full text with `websearch_to_tsquery`, ranked with `SearchRank`
  and highlighted with `SearchHeadline`, through the `english_unaccent`
  configuration (newsroom/migrations/0001) so accents are folded on both
  sides: "tomas guanipa" finds "Tomás Guanipa".
- Other databases (SQLite for local runs and tests): every word of the query
  must appear in the accent-folded, lower-cased text, newest first. Folding
  is done by a Python function registered on the SQLite connection.

Highlighting is built from escaped text: the engines only say *where* the
matches are, and `<mark>` is added around pieces that were escaped first.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import add

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import TemplateView

from issues.models import Issue
from newsroom.richtext import plain_text
from stories.models import RecommendedRead, Story

SEARCH_CONFIG = "english_unaccent"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_KIND = 100
PAGE_SIZE = 20
SNIPPET_CHARS = 240
MAX_TITLE_LENGTH = 300

# What each kind is searched on, with its weight in the ranking. On PostgreSQL
# the vectors of issues and stories are GIN-indexed as exactly these
# expressions (issues/ and stories/ migrations `*_search_index`), so a change
# here needs a new index too; a test checks the index is used.
ISSUE_FIELDS = [("headline", "A"), ("dek", "B")]
STORY_FIELDS = [
    ("headline", "A"),
    ("body", "B"),
    ("why_it_matters", "B"),
    ("more_information", "C"),
]
READ_FIELDS = [("source__name", "A"), ("summary", "B")]

# Private-use characters mark the matches in PostgreSQL's headlines; they
# survive escaping unchanged and are then replaced by <mark> tags.
_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


@dataclass
class Result:
    """One thing that matched, as the results page shows it.

    `title` and `snippet` are escaped text with the matches in <mark>.
    """

    kind: str
    title: SafeString
    url: str
    snippet: SafeString
    published_at: datetime
    context: str = ""
    rank: float = 0.0


def clean_query(raw) -> str:
    """The query as searched: control characters dropped, spaces collapsed, capped."""
    text = _CONTROL.sub(" ", str(raw or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Tomás" → "tomas"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(query: str) -> list[Result]:
    """Published issues, stories and reads matching `query`, best first."""
    query = clean_query(query)
    if not query:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(query)
    return _search_fallback(query)


def paginate(results, page_number):
    """A page of results; any bad or out-of-range page number gets a real page."""
    return Paginator(results, PAGE_SIZE).get_page(page_number)


# PostgreSQL ---------------------------------------------------------------


def _strip_tags_sql(*fields):
    """The rich text fields' text without HTML tags, for their headline."""
    parts = []
    for field in fields:
        parts += [F(field), Value(" ")]
    return Func(
        Concat(*parts, output_field=TextField()),
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def document(weighted_fields):
    """The weighted, accent-folded text search vector of a kind's fields."""
    return reduce(
        add,
        (
            SearchVector(field, weight=weight, config=SEARCH_CONFIG)
            for field, weight in weighted_fields
        ),
    )


def _ranked(queryset, weighted_fields, headline_source, query, fragments=0):
    """The best matches, ranked, each with a highlighted snippet of its text.

    Long text (stories) gets up to `fragments` passages around the matches;
    short text (a dek, a summary) is shown whole, up to 40 words.
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
                start_sel=_START,
                stop_sel=_STOP,
                max_words=40,
                min_words=15,
                max_fragments=fragments,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank")[:RESULTS_PER_KIND]
    )


def _marked(headline: str, rich: bool) -> SafeString:
    """Escape a PostgreSQL headline, then turn its markers into <mark> tags.

    A headline of rich text still has the entities of its HTML: decode them
    first, so "&amp;" reads "&" rather than being escaped a second time.
    """
    text = html.unescape(headline or "") if rich else headline or ""
    escaped = escape(text)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(_START, "").replace(_STOP, ""))


def _search_postgresql(text: str) -> list[Result]:
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    issues = _ranked(
        Issue.objects.published(),
        ISSUE_FIELDS,
        F("dek"),
        query,
    )
    stories = _ranked(
        Story.objects.published().select_related("issue"),
        STORY_FIELDS,
        _strip_tags_sql("body", "why_it_matters", "more_information"),
        query,
        fragments=2,
    )
    reads = _ranked(
        RecommendedRead.objects.published().select_related("issue", "source"),
        READ_FIELDS,
        F("summary"),
        query,
    )
    results = _results(
        issues,
        stories,
        reads,
        lambda obj: _marked(obj.snippet, rich=isinstance(obj, Story)),
        query_terms(text),
    )
    return sorted(results, key=lambda r: (r.rank, r.published_at), reverse=True)


# Fallback -----------------------------------------------------------------


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
    parts = []
    for field in fields:
        parts += [F(field), Value(" ")]
    return Func(
        Concat(*parts, output_field=TextField()),
        function="newsroom_fold",
        output_field=TextField(),
    )


def _matching(queryset, weighted_fields, terms):
    queryset = queryset.annotate(folded=_folded(*(f for f, _ in weighted_fields)))
    for term in terms:
        queryset = queryset.filter(folded__contains=term)
    return queryset


def query_terms(text: str) -> list[str]:
    """The query's words, folded, without websearch's quotes, signs and `or`."""
    words = (fold(word).strip("\"'()-") for word in text.split())
    return list(dict.fromkeys(w for w in words if w and w != "or"))[:MAX_TERMS]


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


def _search_fallback(text: str) -> list[Result]:
    _register_fold(connection)
    terms = query_terms(text)
    if not terms:
        return []
    issues = _matching(Issue.objects.published(), ISSUE_FIELDS, terms)
    stories = _matching(
        Story.objects.published().select_related("issue"), STORY_FIELDS, terms
    )
    reads = _matching(
        RecommendedRead.objects.published().select_related("issue", "source"),
        READ_FIELDS,
        terms,
    )
    limit = slice(0, RESULTS_PER_KIND)
    results = _results(
        issues.order_by("-published_at")[limit],
        stories.order_by("-issue__published_at", "position")[limit],
        reads.order_by("-issue__published_at", "position")[limit],
        lambda obj: highlight(_snippet_source(obj), terms),
        terms,
    )
    return sorted(results, key=lambda r: r.published_at, reverse=True)


def _snippet_source(obj):
    """The plain text a result's snippet is cut from."""
    if isinstance(obj, Issue):
        return obj.dek
    if isinstance(obj, Story):
        return plain_text(
            " ".join([obj.body, obj.why_it_matters, obj.more_information])
        )
    return obj.summary


# Both ---------------------------------------------------------------------


def _results(issues, stories, reads, snippet, terms) -> list[Result]:
    def title(text):
        return highlight(text, terms, length=MAX_TITLE_LENGTH)

    results = [
        Result(
            kind="issue",
            title=title(issue.headline),
            url=issue.get_absolute_url(),
            snippet=snippet(issue),
            published_at=issue.published_at,
            rank=getattr(issue, "rank", 0.0),
        )
        for issue in issues
    ]
    results += [
        Result(
            kind="story",
            title=title(story.headline),
            url=story.get_absolute_url(),
            snippet=snippet(story),
            published_at=story.issue.published_at,
            context=story.issue.headline,
            rank=getattr(story, "rank", 0.0),
        )
        for story in stories
    ]
    results += [
        Result(
            kind="read",
            title=title(read.source.name if read.source else "Recommended read"),
            url=read.get_absolute_url(),
            snippet=snippet(read),
            published_at=read.issue.published_at,
            context=read.issue.headline,
            rank=getattr(read, "rank", 0.0),
        )
        for read in reads
    ]
    return results


class SearchView(TemplateView):
    """`/search/?q=…`: a form, then the matching page of results."""

    template_name = "newsroom/search.html"

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        context = super().get_context_data(query=query, **kwargs)
        if query:
            results = search(query)
            page = paginate(results, self.request.GET.get("page"))
            context.update(
                results=page.object_list,
                page_obj=page,
                result_count=len(results),
            )
        return context
