"""A real PostgreSQL streaming replica serves the public pages' reads.

`make test` runs these on its PostgreSQL run, where `tests/pgcluster.py
--replica` starts a hot standby made by `pg_basebackup -R` of the throwaway
primary. The test database Django creates on the primary streams to the
standby; the `replica` alias, a mirror of the test database for the rest of
the suite, is pointed here at the standby's copy of it. Each query is counted
on the connection it ran on.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from issues.previews import preview_path
from newsroom.db_routers import STICKY_COOKIE
from tests.databases import REAL_REPLICA, settings_only_environment

# Without a replica (the SQLite run) the `replica` fixture says why it skips.
DATABASES = ["default", "replica"] if "replica" in settings.DATABASES else ["default"]
pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=DATABASES),
]


@pytest.fixture
def replica():
    """The `replica` alias on the real standby's copy of the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the read replica is PostgreSQL's (the PostgreSQL run)")
    if "replica" not in settings.DATABASES:
        message = "no DATABASE_REPLICA_URL: run under tests/pgcluster.py --replica"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    alias = connections["replica"]
    mirrored = alias.settings_dict
    alias.close()
    alias.settings_dict = dict(
        REAL_REPLICA, NAME=connections["default"].settings_dict["NAME"]
    )
    with alias.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,), "the replica alias is not a standby"
    yield alias
    with alias.cursor() as cursor:
        cursor.execute("SELECT pg_is_wal_replay_paused()")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT pg_wal_replay_resume()")
    alias.close()
    alias.settings_dict = mirrored


def wait_for_replay(replica, seconds=15):
    """Until the standby has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError(f"the replica did not replay up to {position} in {seconds} s")


class Queries:
    """The SQL each database ran while inside the block."""

    def __enter__(self):
        self._contexts = {
            alias: CaptureQueriesContext(connections[alias])
            for alias in ("default", "replica")
        }
        for context in self._contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self._contexts.values():
            context.__exit__(*exc)

    @property
    def primary(self):
        return [query["sql"] for query in self._contexts["default"].captured_queries]

    @property
    def replica(self):
        return [query["sql"] for query in self._contexts["replica"].captured_queries]


def test_a_readers_public_pages_are_read_from_the_replica(
    replica, make_issue, make_story
):
    issue = make_issue(headline="Read from the standby")
    make_story(issue=issue, headline="A story on the standby")
    wait_for_replay(replica)
    reader = Client()

    for url in (
        issue.get_absolute_url(),
        "/",
        reverse("issues:archive"),
        reverse("search") + "?q=standby",
    ):
        with Queries() as queries:
            response = reader.get(url)

        assert response.status_code == 200, url
        assert "Read from the standby" in response.content.decode(), url
        assert queries.replica, url
        assert queries.primary == [], url


def test_the_admin_previews_and_a_logged_in_editor_read_the_primary(
    replica, editor, make_issue
):
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    public = make_issue(headline="Seen by an editor")
    wait_for_replay(replica)
    staff = Client()
    staff.force_login(editor)

    for client, url in (
        (staff, reverse("admin:issues_issue_changelist")),
        (staff, reverse("admin:issues_issue_change", args=[draft.pk])),
        (staff, public.get_absolute_url()),
        (Client(), preview_path(draft)),
    ):
        with Queries() as queries:
            response = client.get(url)

        assert response.status_code == 200, url
        assert queries.primary, url
        assert queries.replica == [], url


def test_an_editor_reads_the_issue_just_published_from_the_primary(
    replica, editor, make_issue, make_story, make_read
):
    draft = make_issue(
        headline="Published a moment ago", status=Issue.Status.DRAFT, published_at=None
    )
    make_story(issue=draft)
    make_read(issue=draft)
    wait_for_replay(replica)
    staff = Client()
    staff.force_login(editor)
    # The standby replays nothing more until resumed: it is behind.
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")

    response = staff.post(
        reverse("admin:issues_issue_transition", args=[draft.pk, "publish"]),
        follow=True,
    )
    assert response.status_code == 200
    assert Issue.objects.published().filter(pk=draft.pk).exists()
    assert STICKY_COOKIE in staff.cookies
    staff.post(reverse("admin:logout"))

    with Queries() as queries:
        page = staff.get(draft.get_absolute_url())

    # Logged out, but within the seconds after its own writes: the primary.
    assert page.status_code == 200
    assert "Published a moment ago" in page.content.decode()
    assert queries.primary
    assert queries.replica == []

    with replica.cursor() as cursor:  # where the page would have been a 404
        cursor.execute("SELECT status FROM issues_issue WHERE id = %s", [draft.pk])
        assert cursor.fetchone() == (Issue.Status.DRAFT,)


def test_the_read_your_writes_window_ends_and_a_forged_cookie_is_ignored(
    replica, make_issue, make_story
):
    make_story(issue=make_issue(), headline="After the window")
    wait_for_replay(replica)
    search = reverse("search") + "?q=window"  # never cached: every request reads
    reader = Client()
    reader.cookies[STICKY_COOKIE] = "1"  # not signed

    with Queries() as queries:
        assert "After the" in reader.get(search).content.decode()
    assert queries.replica
    assert queries.primary == []

    with override_settings(REPLICA_STICKY_SECONDS=1):
        # A reader's own write (a newsletter sign-up) counts too.
        reader.post(reverse("newsletters:signup"), {"email": "reader@example.org"})
        assert STICKY_COOKIE in reader.cookies
        with Queries() as queries:
            reader.get(search)
        assert queries.primary
        assert queries.replica == []
        time.sleep(1.5)
        with Queries() as queries:
            reader.get(search)
        assert queries.replica
        assert queries.primary == []


def test_an_anonymous_reader_sees_the_published_issue_once_the_replica_has_replayed(
    replica, make_issue
):
    make_issue(headline="The issue before")
    wait_for_replay(replica)
    reader = Client()
    assert "The issue before" in reader.get("/").content.decode()  # now cached
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")

    new = make_issue(headline="The new issue", published_at=timezone.now())

    # The standby has not replayed the new issue: the home page, about to be
    # cached under the new generation, is rendered from the primary instead
    # of being cached stale.
    with Queries() as queries:
        home = reader.get("/")
    assert "The new issue" in home.content.decode()
    assert queries.primary
    assert reader.get("/").headers.get("X-Page-Cache") == "hit"

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay(replica)

    with Queries() as queries:
        page = reader.get(new.get_absolute_url())
    assert page.status_code == 200
    assert "The new issue" in page.content.decode()
    assert queries.replica
    assert queries.primary == []


def test_management_commands_read_the_primary(replica, make_issue, capsys):
    issue = make_issue(headline="Exported from the primary")
    wait_for_replay(replica)

    with Queries() as queries:
        call_command("export_report", issue.slug)

    assert "Exported from the primary" in capsys.readouterr().out
    assert queries.primary
    assert queries.replica == []


SHOW_ROUTING = (
    "import django; from django.conf import settings; django.setup(); "
    "replica = settings.DATABASES.get('replica', {}); "
    "print(settings.DATABASE_ROUTERS, replica.get('HOST'), replica.get('CONN_MAX_AGE'), "
    "replica.get('CONN_HEALTH_CHECKS'), "
    "settings.MIDDLEWARE.index('newsroom.db_routers.ReplicaRoutingMiddleware') "
    "- settings.MIDDLEWARE.index("
    "'django.contrib.auth.middleware.AuthenticationMiddleware') "
    "if replica else '-')"
)


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize(
    ("replica_url", "expected"),
    [
        (
            "postgres://reader@replica.example.org:5432/newsroom",
            "['newsroom.db_routers.PrimaryReplicaRouter'] replica.example.org 30 True 1",
        ),
        ("", "[] None None None -"),
    ],
)
def test_database_replica_url_adds_the_replica_its_router_and_middleware(
    replica_url, expected
):
    environment = settings_only_environment(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="1",
        CONN_MAX_AGE="30",
        DATABASE_URL="postgres://newsroom@127.0.0.1:5432/newsroom",
        DATABASE_REPLICA_URL=replica_url,
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOW_ROUTING],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()
