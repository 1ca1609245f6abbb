"""deploy/nginx.conf in front of gunicorn, on loopback: the shipped front proxy.

The test builds a site of its own (an SQLite file, migrated, with the demo),
serves it with gunicorn (two workers, each with its own local-memory page
cache), puts Debian's nginx with the shipped configuration in front, and
checks what a reader and an editor get through it. Without nginx it is
skipped, unless REQUIRE_NGINX=1 (as in CI, which installs nginx) makes that a
failure. With nginx's brotli module installed (required by REQUIRE_BROTLI=1)
the configuration's lines marked BROTLI are on, and readers get brotli.
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.bench import nginx as nginx_conf
from tests.bench.common import manage, wait_for_port
from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[1]
TTL = 2  # proxy_cache_valid in deploy/nginx.conf


class Site:
    def __init__(self, port, env):
        self.port, self.env = port, env

    def get(self, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(
            "GET", path, headers={"Host": "localhost", **(headers or {})}
        )
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
        return response, body

    def manage(self, *args, code=None):
        if code is not None:
            args = (*args, "-c", code)
        return manage(self.env, *args, capture=True, timeout=120)


@pytest.fixture(scope="module")
def proxy():
    nginx = nginx_conf.find_nginx()
    if nginx is None:
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required (REQUIRE_NGINX=1) but not installed")
        pytest.skip("nginx is not installed")
    work = Path(tempfile.mkdtemp(prefix="newsroom-proxy-"))
    os.chmod(work, 0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY="front-proxy-test-only",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DEBUG="0",
        HTTPS="0",
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        PAGE_CACHE_GENERATION_FILE=str(work / "generation"),
        TRUSTED_PROXY_COUNT="1",
    )
    app_port, proxy_port = free_port(), free_port()
    site = Site(proxy_port, env)
    site.manage("migrate", "--noinput")
    site.manage("collectstatic", "--noinput")
    site.manage("load_demo", "--force")
    conf = nginx_conf.render(work, app_port, proxy_port, work / "static")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{app_port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, **quiet,
    )  # fmt: skip
    server = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
        **quiet,
    )
    try:
        wait_for_port(app_port)
        wait_for_port(proxy_port)
        yield site
    finally:
        for process in (server, gunicorn):
            process.terminate()
        for process in (server, gunicorn):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


def status(response):
    return response.getheader("X-Cache-Status")


def test_a_public_page_is_a_miss_then_a_hit(proxy):
    first, body = proxy.get("/issues/?page=1")
    second, again = proxy.get("/issues/?page=1")

    assert first.status == second.status == 200
    assert status(first) in ("MISS", "EXPIRED")
    assert status(second) == "HIT"
    assert again == body
    assert "s-maxage=" in second.getheader("Cache-Control")


def test_pages_are_compressed_for_readers_that_accept_it(proxy):
    response, _ = proxy.get("/", headers={"Accept-Encoding": "gzip"})

    assert response.getheader("Content-Encoding") == "gzip"


def test_readers_that_take_brotli_get_it_when_the_module_is_installed(proxy):
    """The lines marked BROTLI are on when Debian's module is installed (and
    CI installs it); without it, the same reader gets gzip."""
    if os.environ.get("REQUIRE_BROTLI") == "1" and not nginx_conf.brotli_installed():
        pytest.fail("nginx's brotli module is required (REQUIRE_BROTLI=1)")
    expected = "br" if nginx_conf.brotli_installed() else "gzip"
    for path in ("/", "/issues/"):
        for _ in range(2):  # a miss, then the proxy's cached copy
            response, body = proxy.get(path, headers={"Accept-Encoding": "br, gzip"})
            assert response.status == 200
            assert response.getheader("Content-Encoding") == expected, path
            assert "<html" not in body and "font" not in body, "it is compressed"

    response, body = proxy.get("/issues/", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    response, body = proxy.get("/issues/")
    assert response.getheader("Content-Encoding") is None
    assert "<html" in body


def test_static_files_come_from_disk_with_immutable_headers(proxy):
    response, body = proxy.get("/static/css/site.css")

    assert response.status == 200
    assert status(response) == "STATIC"
    assert "immutable" in response.getheader("Cache-Control")
    assert "{" in body


def test_a_preview_link_is_never_served_from_the_proxys_cache(proxy):
    path = proxy.manage(
        "shell",
        code=(
            "from issues.models import Issue; from issues.previews import preview_path;"
            "issue = Issue.objects.get();"
            "print(preview_path(issue))"
        ),
    ).split()[-1]

    for _ in range(3):
        response, body = proxy.get(path)
        assert response.status == 200
        assert status(response) == "BYPASS"
        assert "private" in response.getheader("Cache-Control")
        assert "Preview" in body


def test_the_admin_is_never_served_from_the_proxys_cache(proxy):
    for _ in range(3):
        response, _ = proxy.get("/admin/login/")
        assert response.status == 200
        assert status(response) == "BYPASS"


def test_a_reader_with_a_session_always_reaches_the_app(proxy):
    proxy.get("/sources/")
    proxy.get("/sources/")

    response, _ = proxy.get("/sources/", headers={"Cookie": "sessionid=abc"})

    assert status(response) == "BYPASS"
    assert response.getheader("Cache-Control") == "private, no-store"


def test_a_correction_shows_through_the_proxy_within_its_ttl(proxy):
    proxy.get("/")
    assert status(proxy.get("/")[0]) == "HIT"

    proxy.manage(
        "shell",
        code=(
            "from issues.models import Issue; issue = Issue.objects.get();"
            "issue.headline = 'A corrected headline'; issue.save()"
        ),
    )
    corrected = time.monotonic()
    seen = None
    while time.monotonic() - corrected < TTL + 3:
        _, body = proxy.get("/")
        if "A corrected headline" in body:
            seen = time.monotonic() - corrected
            break
        time.sleep(0.2)

    assert seen is not None, "the correction never showed through the proxy"
    assert seen <= TTL + 1
