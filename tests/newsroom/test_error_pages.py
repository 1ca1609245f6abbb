"""Friendly error pages in the site's design, and a plain 503 while the database is down."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

PROJECT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/", "/issues/", "/sources/", "/tags/amazonas/", "/donate/"]


def test_an_unknown_address_gets_the_friendly_404_page(client, db):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert html.count("<h1") == 1
    assert 'href="/issues/"' in html and '<main id="main"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_crash_gets_the_friendly_500_page_without_a_traceback(db):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "issues.views.IssueArchiveView.get_queryset",
        side_effect=RuntimeError("secret internals"),
    ):
        response = client.get("/issues/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_500_page_needs_no_database(db, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with mock.patch("newsroom.search.SearchView.get", side_effect=RuntimeError):
        with django_assert_num_queries(0):
            response = client.get("/search/")

    assert response.status_code == 500
    assert "/static/css/site.css" in response.content.decode()


OUTAGE = """
import json, os, django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("collectstatic", interactive=False, verbosity=0)

def visit():
    client = Client(raise_request_exception=False)
    return {
        path: [response.status_code, response.content.decode(), response.get("Retry-After")]
        for path in %(paths)r
        for response in [client.get(path)]
    }

down = visit()
recovered = None
if %(recover)r:
    os.makedirs(os.path.dirname(%(db_file)r))
    call_command("migrate", verbosity=0)
    recovered = visit()
print(json.dumps({"down": down, "recovered": recovered}))
"""


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_with_database(database_url, debug, static_root, db_file="", recover=False):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database_url,
        DEBUG=debug,
        HTTPS="0",
        SECRET_KEY="outage-test-key-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        STATIC_ROOT=str(static_root),
    )
    code = OUTAGE % {
        "paths": PUBLIC_PAGES + ["/healthz"],
        "recover": recover,
        "db_file": db_file,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("debug", ["0", "1"])
def test_public_pages_answer_503_while_postgresql_refuses_connections(debug, tmp_path):
    url = f"postgres://newsroom:secret@127.0.0.1:{closed_port()}/newsroom"

    pages = run_with_database(url, debug, tmp_path)["down"]

    for path in PUBLIC_PAGES:
        status, html, retry_after = pages[path]
        assert status == 503, path
        assert "We will be right back" in html, path
        assert "Traceback" not in html and "OperationalError" not in html, path
        assert "secret" not in html and retry_after == "30", path
    assert pages["/healthz"][:2] == [503, "database unavailable"]


def test_the_site_recovers_by_itself_when_the_database_comes_back(tmp_path):
    db_file = tmp_path / "not-yet" / "db.sqlite3"

    result = run_with_database(
        f"sqlite:///{db_file}",
        "0",
        tmp_path / "static",
        db_file=str(db_file),
        recover=True,
    )

    assert result["down"]["/"][0] == 503
    assert result["down"]["/healthz"][0] == 503
    assert result["recovered"]["/"][0] == 200
    assert "No issue has been published yet" in result["recovered"]["/"][1]
    assert result["recovered"]["/healthz"][:2] == [200, "ok"]
