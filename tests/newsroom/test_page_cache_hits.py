"""A cache hit is answered before the middleware it does not need, and is
byte for byte what the miss gave; the headers shared caches and CDNs read."""

import gzip

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware

CACHED = "X-Page-Cache"
pytestmark = pytest.mark.django_db


def without(headers, *names):
    return {k: v for k, v in headers.items() if k not in names}


@pytest.mark.parametrize("encoding", ["", "gzip, deflate"])
def test_a_hit_is_byte_for_byte_the_miss(client, make_story, encoding):
    story = make_story(headline="Miners clash on the Paru")
    path = story.issue.get_absolute_url()

    miss = client.get(path, headers={"Accept-Encoding": encoding})
    hit = client.get(path, headers={"Accept-Encoding": encoding})

    assert CACHED not in miss.headers and hit.headers[CACHED] == "hit"
    assert hit.content == miss.content
    assert without(hit.headers, CACHED) == without(miss.headers)
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "ETag",
        "Last-Modified",
    ):
        assert hit.headers[name], name


def test_a_hit_runs_no_session_csrf_or_auth_middleware(client, make_issue, monkeypatch):
    path = make_issue().get_absolute_url()
    client.get(path)
    ran = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware):
        original = middleware.process_request

        def spy(self, request, original=original, name=middleware.__name__):
            ran.append(name)
            return original(self, request)

        monkeypatch.setattr(middleware, "process_request", spy)

    hit = client.get(path)

    assert hit.headers[CACHED] == "hit"
    assert ran == []
    assert not hasattr(hit.wsgi_request, "user")


def test_a_hit_answers_a_matching_etag_with_304(client, make_issue):
    path = make_issue().get_absolute_url()
    etag = client.get(path).headers["ETag"]
    assert client.get(path).headers[CACHED] == "hit"

    response = client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers[CACHED] == "hit"


def test_public_pages_are_compressed_and_say_they_vary_by_encoding(client, make_story):
    story = make_story(body="<p>" + "Long words about the Orinoco. " * 200 + "</p>")

    response = client.get(
        story.issue.get_absolute_url(), headers={"Accept-Encoding": "gzip"}
    )

    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"Long words about the Orinoco" in gzip.decompress(response.content)


def test_the_admin_login_page_with_its_csrf_token_is_never_compressed(client, db):
    response = client.get("/admin/login/", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_an_editors_view_of_a_public_page_is_private(client, editor, make_issue):
    path = make_issue().get_absolute_url()
    client.force_login(editor)

    response = client.get(path, headers={"Accept-Encoding": "gzip"})

    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Content-Encoding" not in response.headers
    assert "Surrogate-Key" in response.headers


def test_an_editors_search_and_admin_pages_are_private(client, editor):
    client.force_login(editor)

    for path in ("/search/?q=orinoco", "/admin/"):
        cache_control = client.get(path).headers["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, path


def test_an_issue_page_names_the_issue_its_stories_and_its_series(
    client, make_issue, make_story
):
    issue = make_issue()
    stories = [make_story(issue=issue), make_story(issue=issue)]

    response = client.get(issue.get_absolute_url())

    keys = response.headers["Surrogate-Key"].split()
    assert {
        "issues-issue-detail",
        f"issue-{issue.pk}",
        f"story-{stories[0].pk}",
        f"story-{stories[1].pk}",
    } <= set(keys)
    assert response.headers["Cache-Tag"] == ",".join(keys)


def test_a_list_page_names_itself_and_every_issue_it_lists(client, make_issue):
    issues = [make_issue(), make_issue()]

    keys = client.get("/issues/").headers["Surrogate-Key"].split()

    assert "issues-archive" in keys
    assert {f"issue-{issue.pk}" for issue in issues} <= set(keys)


def test_the_generation_is_read_from_memory_not_from_a_file(
    client, make_issue, monkeypatch
):
    path = make_issue().get_absolute_url()
    client.get(path)

    def no_file_reads(*args, **kwargs):
        raise AssertionError("the generation was read from a file")

    import pathlib

    monkeypatch.setattr(pathlib.Path, "read_text", no_file_reads)
    monkeypatch.setattr(pathlib.Path, "read_bytes", no_file_reads)
    monkeypatch.setattr("builtins.open", no_file_reads)

    assert client.get(path).headers[CACHED] == "hit"
