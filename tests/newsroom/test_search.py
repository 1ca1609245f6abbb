"""Search: what readers find, what they never find, and bad input."""

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import timezone
from django.utils.html import strip_tags

from issues.models import Issue
from newsroom.search import postgres
from stories.models import RecommendedRead, Story

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture
def edition(make_issue, make_story, make_read, make_source):
    """A slice of the seed edition: an issue, two stories and a read."""
    issue = make_issue(
        headline="The Carter Center Says Goodbye with a Damning Verdict",
        slug="carter-center-goodbye",
        dek=(
            "This week’s #NowWhatVenezuela also covers a confrontation between "
            "illegal miners and indigenous groups in Amazonas"
        ),
    )
    make_story(
        issue=issue,
        headline="Key takeaways from the Carter Center’s detailed report",
        slug="carter-center-report",
        body=(
            "<p>The Carter Center released its final report on the July 28 "
            "elections this week.</p>"
        ),
    )
    make_story(
        issue=issue,
        headline="Conflict between indigenous groups and miners in Manapiare",
        slug="manapiare",
        body=(
            "<p>Runrunes reported that the Venezuelan state is mediating with "
            "Yekuana and Sanema communities in Santa Rosa de Tencua.</p>"
        ),
    )
    make_read(
        issue=issue,
        source=make_source(name="Efecto Cocuyo", slug="efecto-cocuyo"),
        summary=(
            "The moderate wing of Primero Justicia, led by Henrique Capriles "
            "and Tomás Guanipa, announced their participation in the "
            "mega-elections."
        ),
    )
    return issue


def results_of(response):
    return response.context["results"]


@pytest.mark.parametrize(
    "query, kind, title",
    [
        ("Tomas Guanipa", "read", "Efecto Cocuyo"),
        ("tomás guanipa", "read", "Efecto Cocuyo"),
        ("TOMAS", "read", "Efecto Cocuyo"),
        ("yekuana", "story", "Conflict between indigenous groups and miners"),
        ("carter center", "issue", "The Carter Center Says Goodbye"),
        ("carter center", "story", "Key takeaways from the Carter Center"),
    ],
)
def test_seed_content_is_found_with_or_without_accents(
    client, edition, query, kind, title
):
    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    found = [(r.kind, strip_tags(r.title)) for r in results_of(response)]
    assert any(k == kind and t.startswith(title) for k, t in found), found
    page = response.content.decode()
    assert "<mark>" in page


def test_result_links_lead_to_the_published_pages(client, edition):
    response = client.get(SEARCH, {"q": "carter center"})

    for result in results_of(response):
        target = client.get(result.url.split("#")[0])
        assert target.status_code == 200, result.url


def test_matches_are_highlighted_in_titles(client, edition):
    response = client.get(SEARCH, {"q": "damning verdict"})

    (result,) = results_of(response)
    assert result.title == (
        "The Carter Center Says Goodbye with a <mark>Damning</mark> <mark>Verdict</mark>"
    )


def test_matches_are_highlighted_in_the_snippet(client, edition):
    response = client.get(SEARCH, {"q": "Sanema"})

    (result,) = results_of(response)
    assert result.kind == "story"
    assert "<mark>Sanema</mark>" in result.snippet
    assert "<mark>Sanema</mark>" in response.content.decode()


def test_accented_text_is_highlighted_when_searched_without_accents(client, edition):
    response = client.get(SEARCH, {"q": "tomas guanipa"})

    page = response.content.decode()
    assert "<mark>Tomás</mark>" in page
    assert "<mark>Guanipa</mark>" in page


def test_better_matches_come_first_on_postgresql_newest_first_elsewhere(
    client, make_issue, make_story
):
    older = make_issue(
        headline="Carter Center mission", published_at=timezone.now() - timedelta(9)
    )
    newer = make_issue(headline="Weekly report", published_at=timezone.now())
    make_story(
        issue=newer,
        headline="Elections",
        body="<p>A passing mention of the Carter Center.</p>",
    )

    response = client.get(SEARCH, {"q": "carter center"})

    first = results_of(response)[0]
    if connection.vendor == "postgresql":
        assert strip_tags(first.title) == older.headline, "headline matches first"
    else:
        assert first.context == newer.headline, "the newest match comes first"


def test_unpublished_content_is_never_found(client, make_issue, make_story, make_read):
    for status, when in [
        (Issue.Status.DRAFT, None),
        (Issue.Status.IN_REVIEW, None),
        (Issue.Status.UNPUBLISHED, timezone.now() - timedelta(days=1)),
        (Issue.Status.PUBLISHED, timezone.now() + timedelta(days=1)),
    ]:
        hidden = make_issue(
            headline="Secret zanzibar plan", status=status, published_at=when
        )
        make_story(issue=hidden, headline="Zanzibar story", body="<p>zanzibar</p>")
        make_read(issue=hidden, summary="Zanzibar read")

    response = client.get(SEARCH, {"q": "zanzibar"})

    assert response.status_code == 200
    assert results_of(response) == []
    assert "Nothing published matches" in response.content.decode()


def test_empty_query_shows_a_friendly_form(client):
    response = client.get(SEARCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="q"' in page
    assert "Type a few words" in page


def test_query_is_reflected_escaped_only(client, edition):
    attack = '"><script>alert(1)</script>'

    response = client.get(SEARCH, {"q": attack})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in page
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_stored_markup_in_a_snippet_stays_text(client, make_story):
    make_story(
        headline="Quoting markup",
        body="<p>Someone typed &lt;script&gt;alert(1)&lt;/script&gt; in tachira.</p>",
    )

    response = client.get(SEARCH, {"q": "tachira"})

    page = response.content.decode()
    assert "<mark>tachira</mark>" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_ampersands_are_escaped_once(client, make_issue, make_story):
    make_issue(headline="Weekly", dek="Oil & gas in Zulia")
    make_story(headline="Fuel", body="<p>Power &amp; water in Zulia</p>")

    page = client.get(SEARCH, {"q": "zulia"}).content.decode()

    assert "Oil &amp; gas in <mark>Zulia</mark>" in page
    assert "Power &amp; water in <mark>Zulia</mark>" in page


def test_markup_in_a_title_stays_text(client, make_issue):
    make_issue(headline="<script>alert(1)</script> in Orinoco")

    page = client.get(SEARCH, {"q": "orinoco"}).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in <mark>Orinoco</mark>" in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "carter " * 2000},
        {"q": "\x00\x01 carter"},
        {"q": '" - or ( ) & | ! <-> : * \\'},
        {"q": "-carter"},
        {"q": "%_%"},
        {"q": "carter", "page": "abc"},
        {"q": "carter", "page": "-1"},
        {"q": "carter", "page": "99999"},
        {"q": ["carter", "center"]},
    ],
)
def test_absurd_input_gets_a_normal_page(client, edition, params):
    response = client.get(SEARCH, params)

    assert response.status_code == 200


def test_long_queries_are_cut_to_the_cap(client, edition):
    response = client.get(SEARCH, {"q": "carter " + "y" * 500})

    assert len(response.context["query"]) == 200


def test_results_are_paginated_and_keep_the_query(client, make_issue):
    for n in range(25):
        make_issue(headline=f"Orinoco report {n}")

    first = client.get(SEARCH, {"q": "orinoco"})
    second = client.get(SEARCH, {"q": "orinoco", "page": "2"})

    assert len(results_of(first)) == 20
    assert len(results_of(second)) == 5
    assert 'href="?q=orinoco&amp;page=2"' in first.content.decode()
    assert "25 results" in first.content.decode()


# SQLite: one query per kind. PostgreSQL: the timeout set in a savepoint of
# the test's transaction (three statements: savepoint, set_config, release),
# one query ranking all three kinds, and one per kind shown on the page. Both:
# one for the newsletters the footer's form offers.
SEARCH_QUERIES = {"sqlite": 4, "postgresql": 8}


@pytest.mark.parametrize("size", [1, 8])
def test_search_runs_a_fixed_number_of_queries(
    client, make_issue, make_story, make_read, django_assert_num_queries, size
):
    for n in range(size):
        issue = make_issue(headline=f"Orinoco issue {n}")
        make_story(issue=issue, headline=f"Orinoco story {n}")
        make_read(issue=issue, summary=f"Orinoco read {n}")

    with django_assert_num_queries(SEARCH_QUERIES[connection.vendor]):
        response = client.get(SEARCH, {"q": "orinoco"})

    assert response.context["result_count"] == 3 * size


def test_issues_stories_and_reads_are_searched_through_their_indexes(edition):
    index_names = {
        name
        for table in ("issues_issue", "stories_story", "stories_recommendedread")
        for name in connection.introspection.get_constraints(connection.cursor(), table)
    }
    indexes = {"issues_issue_search", "stories_story_search", "stories_read_search"}
    if connection.vendor != "postgresql":
        # No GIN here: the fallback reads the folded text of every row.
        assert not indexes & index_names
        return
    assert indexes <= index_names
    with connection.cursor() as cursor:
        # Too few rows for the planner to prefer an index on its own: leave it
        # no way to find the matches but a bitmap scan of a matching index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    query = SearchQuery("carter center", config=postgres.SEARCH_CONFIG)

    for model, index in [
        (Issue, "issues_issue_search"),
        (Story, "stories_story_search"),
        (RecommendedRead, "stories_read_search"),
    ]:
        matches = model.objects.order_by().filter(search_vector=query)
        assert index in matches.explain(), f"{model.__name__} search reads every row"
