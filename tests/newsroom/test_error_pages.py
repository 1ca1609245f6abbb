"""Friendly error pages in the site's design, and a plain 503 while the database is down."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from tests.databases import child_environment

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


def test_an_outage_noticed_outside_a_view_is_still_a_503(db):
    """E.g. a session saved by middleware after the database went away."""
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/issues/")

    html = response.content.decode()
    assert response.status_code == 503
    assert "We will be right back" in html and "server closed" not in html


def test_the_500_page_needs_no_database(db, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with mock.patch("newsroom.views.SearchView.get", side_effect=RuntimeError):
        with django_assert_num_queries(0):
            response = client.get("/search/")

    assert response.status_code == 500
    assert "/static/css/site.css" in response.content.decode()


OUTAGE = """
import json, os, django
django.setup()
from django.core.management import call_command
from django.test import Client

from tests.databases import child_environment

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
    # The outage is the primary's: no read replica (the PostgreSQL run's).
    env = child_environment(
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


PROXY_OUTAGE = """
import json, os, socket, threading, django
from wsgiref.util import setup_testing_defaults

UPSTREAM = (%(host)r, %(port)d)


class Proxy:
    '''A TCP relay to PostgreSQL that can be cut, like a network or server outage.'''

    def __init__(self):
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", int(os.environ["PROXY_PORT"])))
        self.listener.listen()
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(UPSTREAM)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sockets = []


proxy = Proxy()
proxy.start()
django.setup()
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

call_command("collectstatic", interactive=False, verbosity=0)
application = get_wsgi_application()


def get(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    answer = {}
    body = application(environ, lambda status, headers: answer.update(status=status))
    return [int(answer["status"].split()[0]), b"".join(body).decode()]


def visit(*paths):
    return {path: get(path) for path in paths}


before = visit("/healthz", "/sources/")
proxy.stop()
down = visit("/", "/issues/", "/healthz", "/sources/")
proxy.start()
after = visit("/", "/issues/", "/healthz")
print(json.dumps({"before": before, "down": down, "after": after}))
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs in `make test`'s PostgreSQL pass: it relays to that server",
)
def test_a_lost_postgresql_connection_gives_503_then_recovers_without_a_restart(
    transactional_db, tmp_path
):
    from django.db import connection

    settings = connection.settings_dict
    proxy_port = closed_port()
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@127.0.0.1:{proxy_port}"
        f"/{settings['NAME']}"
    )
    code = PROXY_OUTAGE % {"host": settings["HOST"], "port": int(settings["PORT"])}
    # The outage is the primary's: no read replica (the PostgreSQL run's).
    env = child_environment(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=url,
        PROXY_PORT=str(proxy_port),
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="outage-test-key-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    assert pages["before"]["/healthz"] == [200, "ok"]
    for path in ("/", "/issues/"):
        assert pages["down"][path][0] == 503, path
        assert "We will be right back" in pages["down"][path][1]
        assert pages["after"][path][0] == 200, path
    assert pages["down"]["/healthz"] == [503, "database unavailable"]
    assert pages["after"]["/healthz"] == [200, "ok"]
    # A page cached before the outage is still served during it.
    assert pages["down"]["/sources/"] == pages["before"]["/sources/"]
