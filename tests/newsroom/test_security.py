"""Security headers on every response, and a production configuration Django approves."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra):
    """The environment of a real deployment: DEBUG off, HTTPS on, a real key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "CACHE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        **extra,
    )
    return env


def run_python(code, env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_configuration(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PRODUCTION_HEADERS = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/robots.txt", secure=True, headers={"host": "example.org"})
plain = Client().get("/robots.txt", headers={"host": "example.org"})
print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                  "plain_status": plain.status_code, "plain_location": plain.get("Location")}))
"""


def test_production_sends_hsts_and_redirects_plain_http_to_https(tmp_path):
    result = run_python(PRODUCTION_HEADERS, production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])

    headers = answer["headers"]
    assert answer["status"] == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert answer["plain_status"] == 301
    assert answer["plain_location"] == "https://example.org/robots.txt"


def test_pages_send_the_security_headers(client, make_issue):
    response = client.get(make_issue().get_absolute_url())

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_content_security_policy_allows_no_inline_script_or_style(client, make_issue):
    csp = policy(client.get(make_issue().get_absolute_url()))

    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert all("unsafe" not in source for sources in csp.values() for source in sources)


def test_pages_served_from_the_cache_keep_their_security_headers(client, make_issue):
    path = make_issue().get_absolute_url()
    client.get(path)

    response = client.get(path)

    assert response.headers["X-Page-Cache"] == "hit"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/issues/", "/sources/", "/donate/"])
def test_public_pages_carry_no_inline_script(client, make_issue, path):
    make_issue()

    html = client.get(path).content.decode()

    for chunk in html.split("<script")[1:]:
        opening_tag = chunk.split(">", 1)[0]
        assert "src=" in opening_tag or "application/ld+json" in opening_tag
    assert " onclick=" not in html and " onload=" not in html
    assert ' style="' not in html


def test_the_admin_allows_only_the_editors_import_map_not_inline_script(client, editor):
    client.force_login(editor)

    response = client.get("/admin/issues/issue/add/")

    html = response.content.decode()
    csp = policy(response)
    assert '<script type="importmap">' in html
    assert len(csp["script-src"]) == 2 and csp["script-src"][0] == "'self'"
    assert csp["script-src"][1].startswith("'sha256-")
    assert all("unsafe" not in source for sources in csp.values() for source in sources)


STATIC_FILES = """
import json, django
django.setup()
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
answers = {}
for name in ("css/site.css", "django_prose_editor/editor.js"):
    url = static(name)
    response = client.get(url, secure=True, headers={"host": "example.org",
                                                     "accept-encoding": "gzip"})
    answers[name] = {"url": url, "status": response.status_code,
                     "cache": response.get("Cache-Control"),
                     "encoding": response.get("Content-Encoding")}
print(json.dumps(answers))
"""


def test_collected_static_files_are_hashed_compressed_and_cached_for_years(tmp_path):
    result = run_python(STATIC_FILES, production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    for name, answer in answers.items():
        stem = name.rsplit(".", 1)[0]
        assert answer["status"] == 200, name
        assert answer["url"] != f"/static/{name}" and stem in answer["url"], name
        assert "immutable" in answer["cache"] and "max-age=315360000" in answer["cache"]
        assert answer["encoding"] == "gzip", name
