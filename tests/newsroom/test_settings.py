"""Settings come from the environment, and production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRINT_DATABASE = (
    "import django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'])"
)


def run_settings(code, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
    ],
)
def test_production_without_required_settings_stops_with_a_clear_message(env, missing):
    result = run_settings(PRINT_DATABASE, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set {missing}" in result.stderr


def test_debug_runs_with_local_defaults_on_sqlite():
    result = run_settings(PRINT_DATABASE, DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(PROJECT / "db.sqlite3"),
    ]


def test_database_url_selects_postgresql():
    result = run_settings(
        PRINT_DATABASE,
        DEBUG="1",
        DATABASE_URL="postgres://newsroom:secret@db.internal:5432/newsroom",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "newsroom"]


def test_manage_py_names_a_missing_setting_without_a_traceback():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "Configuration error: Set SECRET_KEY" in result.stderr
    assert "set DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


KEEP_PAGES = (
    "import django; django.setup(); from django.core.cache import cache; "
    "[cache.set(f'page-{i}', b'x' * 100) for i in range({pages})]; "
    "print(sum(cache.get(f'page-{i}') is not None for i in range({pages})))"
)


def test_the_default_cache_keeps_a_year_of_pages():
    """Django's local-memory cache alone would keep 300 and evict the rest."""
    pages = 52 * 6 * 3  # a year of issues, their stories, tags and archive pages
    result = run_settings(KEEP_PAGES.replace("{pages}", str(pages)), DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == pages


def test_cache_max_entries_sizes_the_local_memory_cache():
    result = run_settings(
        KEEP_PAGES.replace("{pages}", "500"), DEBUG="1", CACHE_MAX_ENTRIES="400"
    )

    assert result.returncode == 0, result.stderr
    assert int(result.stdout) < 500
