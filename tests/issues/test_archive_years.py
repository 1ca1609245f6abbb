"""The archive can be browsed by year."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache


def published(year):
    return datetime(year, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def archive(make_issue):
    make_issue(headline="Mega-elections called", published_at=published(2025))
    make_issue(headline="The Carter Center leaves", published_at=published(2024))
    make_issue(headline="Primaries held", published_at=published(2023))


def test_the_archive_lists_every_year_with_issues(client, archive):
    html = client.get("/issues/").content.decode()

    assert 'aria-label="Browse by year"' in html
    for year in (2025, 2024, 2023):
        assert f'href="/issues/?year={year}"' in html


def test_a_year_shows_only_that_years_issues(client, archive):
    response = client.get("/issues/", {"year": "2024"})

    html = response.content.decode()
    assert "<h1>Issues of 2024</h1>" in html
    assert "The Carter Center leaves" in html
    assert "Mega-elections called" not in html and "Primaries held" not in html
    assert '<span aria-current="page">2024</span>' in html


def test_a_year_without_issues_says_so(client, archive):
    response = client.get("/issues/", {"year": "1999"})

    assert response.status_code == 200
    assert "No issues published yet." in response.content.decode()


def test_pages_of_a_year_keep_the_year(client, make_issue):
    for day in range(1, 23):
        make_issue(published_at=datetime(2024, 1, day, tzinfo=UTC))

    html = client.get("/issues/", {"year": "2024"}).content.decode()

    assert 'href="?year=2024&amp;page=2"' in html


def test_a_draft_does_not_add_its_year(client, archive, make_issue):
    make_issue(status="draft", published_at=published(2019))

    assert "year=2019" not in client.get("/issues/").content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_a_year_of_the_archive_runs_a_fixed_number_of_queries(
    client, make_issue, django_assert_num_queries, size
):
    for day in range(1, size + 1):
        make_issue(published_at=datetime(2024, 3, day, tzinfo=UTC), tags=["x", "y"])
    make_issue(published_at=published(2023))
    cache.clear()

    # The page cache's lookup, the years, the count, the page, its issues'
    # stories, the most used tags, and the newsletters the footer's sign-up
    # form offers.
    with django_assert_num_queries(7):
        response = client.get("/issues/", {"year": "2024"})

    assert response.content.decode().count('class="item-headline"') == size
