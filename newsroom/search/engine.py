"""What both search engines share: the query as searched, the fields searched,
and the results they return.

An engine is a module with `search(text) -> list[Result]`, given a query that
`clean_query` has already cleaned; it starts from the models' `published()`
querysets, so a draft can never be found.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils.safestring import SafeString

from newsroom.search.highlight import START, STOP, fold, highlight

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_KIND = 100
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

_CONTROL = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f{START}{STOP}]")


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


def query_terms(text: str) -> list[str]:
    """The query's words, folded, without websearch's quotes, signs and `or`."""
    words = (fold(word).strip("\"'()-") for word in text.split())
    return list(dict.fromkeys(w for w in words if w and w != "or"))[:MAX_TERMS]


def joined_text(fields):
    """The fields' text, one after the other with a space between, in SQL."""
    parts = []
    for field in fields:
        parts += [F(field), Value(" ")]
    return Concat(*parts, output_field=TextField())


def build_results(issues, stories, reads, snippet, terms) -> list[Result]:
    """The matching issues, stories and reads as results, titles highlighted.

    `snippet(obj)` gives each result's highlighted excerpt, the engine's own
    way. A story or read is dated by its issue and shown with its headline.
    """

    def result(kind, obj, title, issue=None):
        return Result(
            kind=kind,
            title=highlight(title, terms, length=MAX_TITLE_LENGTH),
            url=obj.get_absolute_url(),
            snippet=snippet(obj),
            published_at=(issue or obj).published_at,
            context=issue.headline if issue else "",
            rank=getattr(obj, "rank", 0.0),
        )

    return (
        [result("issue", issue, issue.headline) for issue in issues]
        + [result("story", story, story.headline, story.issue) for story in stories]
        + [
            result(
                "read",
                read,
                read.source.name if read.source else "Recommended read",
                read.issue,
            )
            for read in reads
        ]
    )
