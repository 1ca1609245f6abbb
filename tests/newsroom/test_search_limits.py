"""Search stays bounded: stored vectors kept current, a statement timeout, a
short-lived cache of each query's hits."""

import pytest
from django.db import connection
from django.utils.html import strip_tags

from issues.models import Issue
from newsroom.search import fallback, postgres

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def titles(response):
    return [strip_tags(result.title) for result in response.context["results"]]


def test_an_edited_story_is_found_by_its_new_words(client, make_story):
    story = make_story(headline="Blackout in Zulia", body="<p>Power is out.</p>")
    assert titles(client.get(SEARCH, {"q": "generators"})) == []

    story.body = "<p>Hospitals run on generators.</p>"
    story.save()

    assert titles(client.get(SEARCH, {"q": "generators"})) == ["Blackout in Zulia"]


def test_a_renamed_source_finds_its_reads_by_the_new_name(
    client, make_read, make_source
):
    source = make_source(name="Runrunes")
    make_read(source=source, summary="A long read on the mines.")

    source.name = "Runrun.es Investigations"
    source.save()

    assert titles(client.get(SEARCH, {"q": "investigations"})) == [
        "Runrun.es Investigations"
    ]
    assert titles(client.get(SEARCH, {"q": "runrunes"})) == []


def test_reads_written_in_bulk_are_found(client, make_issue, make_source):
    from stories.models import RecommendedRead

    issue = make_issue()
    RecommendedRead.objects.bulk_create(
        [RecommendedRead(issue=issue, source=make_source(), summary="Tepuy fires")]
    )

    assert len(titles(client.get(SEARCH, {"q": "tepuy"}))) == 1


def slow_sql():
    if connection.vendor == "postgresql":
        return "SELECT pg_sleep(5)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 100000000) SELECT count(*) FROM n"
    )


@pytest.fixture
def slow_ranking(monkeypatch):
    """Every search runs a query that would take far longer than the timeout."""

    def rank(text):
        with connection.cursor() as cursor:
            cursor.execute(slow_sql())
        return []

    for engine in (postgres, fallback):
        monkeypatch.setattr(engine, "rank", rank)


def test_a_search_past_the_statement_timeout_gets_a_clear_page(
    client, settings, make_issue, slow_ranking
):
    settings.SEARCH_STATEMENT_TIMEOUT = 0.2
    make_issue(headline="Orinoco report")

    response = client.get(SEARCH, {"q": "orinoco"})

    assert response.status_code == 503
    assert "This search took too long and was stopped" in response.content.decode()
    assert response["Retry-After"] == "30"
    # The connection is fine afterwards: the next page still answers.
    assert client.get("/issues/").status_code == 200
    assert Issue.objects.published().count() == 1


def test_a_query_is_ranked_once_while_its_hits_are_cached(
    client, make_issue, django_assert_max_num_queries
):
    make_issue(headline="Orinoco report")
    first = client.get(SEARCH, {"q": "orinoco"})

    with django_assert_max_num_queries(10) as repeated:
        second = client.get(SEARCH, {"q": "orinoco"})

    assert titles(second) == titles(first) == ["Orinoco report"]
    ranked = [q for q in repeated.captured_queries if "ts_rank" in q["sql"]]
    assert ranked == []
    if connection.vendor == "sqlite":
        searched = [q for q in repeated.captured_queries if "newsroom_fold" in q["sql"]]
        assert searched == [], "the fallback's hits are its results"


def test_a_correction_is_searchable_at_once_despite_the_cache(client, make_issue):
    issue = make_issue(headline="Orinoco report")
    assert titles(client.get(SEARCH, {"q": "orinoco"})) == ["Orinoco report"]

    issue.headline = "Orinoco report, corrected"
    issue.save()

    assert titles(client.get(SEARCH, {"q": "orinoco"})) == ["Orinoco report, corrected"]


def test_an_unpublished_issue_leaves_cached_search_results_at_once(client, make_issue):
    make_issue(headline="Orinoco report")
    pulled = make_issue(headline="Orinoco secret")
    assert len(titles(client.get(SEARCH, {"q": "orinoco"}))) == 2

    pulled.status = Issue.Status.UNPUBLISHED
    pulled.save()

    assert titles(client.get(SEARCH, {"q": "orinoco"})) == ["Orinoco report"]
