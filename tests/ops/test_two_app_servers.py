"""Two app servers over one PostgreSQL and one Redis, as a deployment past one machine.

Two gunicorn instances on different loopback ports share the database (a
database of its own in the throwaway cluster of the PostgreSQL run) and a
Redis started here (CACHE_URL), each with a generation file of its own, so
that only Redis can carry what they share. An editor publishes through A
and a reader at B sees the change at once; a session made on A is good on
B; the login throttle counts failures made on both; two send_due_editions,
one in each server's environment, never mail anyone twice.

On the SQLite run it is skipped (SQLite is one machine's file). Without
redis-server it is skipped, unless REQUIRE_REDIS=1 (as in CI) makes that a
failure.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from aiosmtpd.controller import Controller

from tests.newsletters.conftest import RecordingHandler
from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]
FAILURE_LIMIT = 3


def _database_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class Server:
    """One app server: its port, its environment, and a cookie jar per reader."""

    def __init__(self, name, port, env):
        self.name, self.port, self.env = name, port, env

    def request(self, method, path, body=None, cookies=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": "localhost", **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            body = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(header).items():
                    cookies[name] = morsel.value
        return response, text

    def get(self, path, cookies=None):
        return self.request("GET", path, cookies=cookies)

    def post(self, path, data, cookies):
        """A form POST with the CSRF token of the reader's cookie."""
        if "csrftoken" not in cookies:
            self.get("/admin/login/", cookies=cookies)
        return self.request(
            "POST",
            path,
            body={"csrfmiddlewaretoken": cookies["csrftoken"], **data},
            cookies=cookies,
            headers={"Referer": f"http://localhost{path}"},
        )

    def login(self, username, password, cookies):
        return self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password, "next": "/admin/"},
            cookies,
        )


def manage(env, *args, code=None):
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command += ["-c", code]
    return subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        timeout=300,
    ).stdout  # fmt: skip


def wait_for_redis(port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_for_http(server, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn {server.name} exited with {process.returncode}"
            )
        try:
            server.get("/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn {server.name} never answered")


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (REQUIRE_REDIS=1) but not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_for_redis(port), "redis-server did not answer"
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def database_url():
    """A database of its own in the PostgreSQL run's cluster, dropped after."""
    url = _database_url()
    if url is None:
        pytest.skip("two app servers share a PostgreSQL database (the PostgreSQL run)")
    name = f"two_apps_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def smtp():
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def servers(database_url, redis_url, smtp):
    work = Path(tempfile.mkdtemp(prefix="newsroom-two-apps-"))
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_URL", "CDN_PURGE"))
    }
    base.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY="two-app-servers-test-only",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DEBUG="0",
        HTTPS="0",
        DATABASE_URL=database_url,
        CACHE_URL=redis_url,
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        LOGIN_FAILURE_LIMIT=str(FAILURE_LIMIT),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        NEWSLETTER_BATCH_SIZE="5",
        NEWSLETTER_BATCH_PAUSE="0",
    )
    manage(base, "migrate", "--noinput")
    manage(base, "collectstatic", "--noinput")
    manage(base, "load_demo", "--force")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started, servers = [], {}
    try:
        for name in ("A", "B"):
            env = dict(
                base, PAGE_CACHE_GENERATION_FILE=str(work / f"generation-{name}")
            )
            server = Server(name, free_port(), env)
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", "2",
                 "--bind", f"127.0.0.1:{server.port}", "--access-logfile", "/dev/null"],
                cwd=ROOT, env=env, **quiet,
            )  # fmt: skip
            started.append(process)
            wait_for_http(server, process)
            servers[name] = server
        yield servers
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


def issue_of_the_demo(env):
    """(pk, public path) of the demo's latest issue."""
    out = manage(
        env,
        "shell",
        code=(
            "from issues.models import Issue;"
            "issue = Issue.objects.published().order_by('-published_at').first();"
            "print(issue.pk, issue.get_absolute_url())"
        ),
    )
    pk, path = out.split()[-2:]
    return int(pk), path


def cached_at(server, path):
    """Read `path` at `server` until it comes from the page cache."""
    for _ in range(5):
        response, body = server.get(path)
        if response.getheader("X-Page-Cache") == "hit":
            return body
    raise AssertionError(f"{path} is never a cache hit at {server.name}")


def test_what_an_editor_publishes_through_one_server_shows_at_once_on_the_other(
    servers,
):
    a, b = servers["A"], servers["B"]
    pk, path = issue_of_the_demo(a.env)
    cached_at(b, path)
    cached_at(b, "/")
    editor = {}
    response, _ = a.login("editor", "demo", editor)
    assert response.status == 302, "the demo editor logs in at A"

    response, _ = a.post(f"/admin/issues/issue/{pk}/transition/unpublish/", {}, editor)
    assert response.status == 302
    assert b.get(path)[0].status == 404, "unpublished: gone from B at once"
    assert path not in b.get("/")[1]

    response, _ = a.post(f"/admin/issues/issue/{pk}/transition/publish/", {}, editor)
    assert response.status == 302
    response, body = b.get(path)
    assert response.status == 200, "published again: back on B at once"
    assert response.getheader("X-Page-Cache") != "hit"
    assert path in b.get("/")[1]


def test_a_session_made_on_one_server_is_good_on_the_other(servers):
    a, b = servers["A"], servers["B"]
    editor = {}
    a.login("editor", "demo", editor)
    assert "sessionid" in editor

    response, body = b.get("/admin/", cookies=editor)

    assert response.status == 200
    assert "Log out" in body or "logout" in body

    response, _ = b.post("/admin/logout/", {}, editor)
    assert response.status in (200, 302)
    response, _ = a.get("/admin/", cookies=editor)
    assert response.status == 302, "logged out at B: logged out at A"


def test_the_login_throttle_counts_failures_made_on_both_servers(servers):
    a, b = servers["A"], servers["B"]
    for n, server in enumerate((a, b, a), 1):
        response, _ = server.login("writer", "wrong", {})
        assert response.status == (429 if n == FAILURE_LIMIT else 200)

    for server in (a, b):
        response, body = server.login("writer", "demo", {})
        assert response.status == 429, f"{server.name} let a locked-out writer in"
        assert "locked" in body.lower()


def test_two_send_due_editions_on_both_servers_at_once_mail_each_reader_once(
    servers, smtp
):
    a, b = servers["A"], servers["B"]
    readers = 40
    manage(
        a.env,
        "shell",
        code=(
            "from issues.models import Issue;"
            "from newsroom.newsletters.models import Edition, Subscriber;"
            "issue = Issue.objects.published().order_by('-published_at').first();"
            "Subscriber.objects.bulk_create(Subscriber(email=f'reader{n}@example.org',"
            f" series=issue.series, state='active') for n in range({readers}));"
            "Edition.objects.create(issue=issue, send_when_public=True)"
        ),
    )
    smtp.delay = 0.01
    command = [sys.executable, "manage.py", "send_due_editions"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=server.env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        for server in (a, b)
    ]  # fmt: skip
    outputs = [run.communicate(timeout=180)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    received = Counter(message["To"] for message in smtp.messages)
    assert len(received) == readers
    assert set(received.values()) == {1}, "someone was mailed twice"
