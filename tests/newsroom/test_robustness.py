"""Bad query strings and unknown slugs get a 404 or a normal page, never a 5xx.

A cached page asked for with another spelling of its query string (a year it
ignores, `page=01`) is first sent to its one address; the tests follow that.
"""

import pytest

ATTACK = '"><script>alert(1)</script>'
BAD_QUERIES = [
    {"page": "abc"},
    {"page": "-1"},
    {"page": "0"},
    {"page": "99999"},
    {"page": "1e9"},
    {"page": ATTACK},
    {"year": "abc"},
    {"year": "-2025"},
    {"year": "99999"},
    {"year": "0000"},
    {"year": "０２０２５"},
    {"year": ATTACK},
    {"q": "x" * 10_000},
    {"q": ATTACK},
    {"q": "\x00"},
    {"frequency": ATTACK},
]
LIST_PAGES = [
    "/",
    "/issues/",
    "/series/now-what/",
    "/tags/amazonas/",
    "/sources/",
    "/sources/runrunes/",
    "/search/",
    "/donate/",
    "/feed/",
    "/feed/atom/",
    "/series/now-what/feed/",
    "/tags/amazonas/feed/",
    "/sitemap.xml",
]


@pytest.fixture
def site(make_series, make_issue, make_story, make_source, make_read):
    series = make_series(slug="now-what")
    issue = make_issue(series=series, tags=["amazonas"])
    runrunes = make_source(name="Runrunes", slug="runrunes")
    make_story(issue=issue, sources=[runrunes], tags=["amazonas"])
    make_read(issue=issue, source=runrunes)


@pytest.mark.parametrize("path", LIST_PAGES)
def test_bad_query_strings_never_get_a_server_error(client, site, path):
    for query in BAD_QUERIES:
        response = client.get(path, query, follow=True)

        assert response.status_code in (200, 404), (path, query)
        assert ATTACK not in response.content.decode(), (path, query)


def test_a_page_number_past_the_end_is_a_404_not_an_error(client, site):
    response = client.get("/issues/", {"page": "99999"})

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_malformed_year_shows_the_whole_archive(client, site):
    response = client.get("/issues/", {"year": "twenty"}, follow=True)

    assert response.status_code == 200
    assert response.content.decode().count('class="item-headline"') == 1


def test_a_search_for_markup_is_shown_as_text(client, site):
    response = client.get("/search/", {"q": ATTACK})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


UNKNOWN = [
    "/issues/no-such-issue/",
    "/issues/no-such-issue/no-such-story/",
    "/series/no-such-series/",
    "/series/no-such-series/feed/",
    "/tags/no-such-tag/",
    "/tags/no-such-tag/feed/",
    "/sources/no-such-source/",
    "/preview/not-a-token/",
    "/issues/%00/",
    "/issues/" + "a" * 5000 + "/",
    "/wp-login.php",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_addresses_are_404(client, site, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "<script" not in response.content.decode()
