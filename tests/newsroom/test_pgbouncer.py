"""The site works behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer).

On `make test`'s PostgreSQL run a PgBouncer (Debian's `pgbouncer`) is started
on loopback in front of the throwaway cluster, and real work goes through it:
public pages, search, an admin save and a publish (select_for_update in a
transaction), a streamed CSV export (`.iterator()` over thousands of rows)
and `import_report` run with the real settings. Without `pgbouncer` the tests
skip, unless REQUIRE_PGBOUNCER=1 (as `.ci/run` sets).
"""

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from issues.models import Issue
from newsroom.newsletters.models import Subscriber
from tests.databases import settings_only_environment
from tests.issues.admin_forms import change_form_data, change_url
from tests.pgcluster import cluster_user, free_port

PROJECT = Path(__file__).resolve().parents[2]
SEED = PROJECT / "seeds" / "now-what-venezuela-carter-center-goodbye.txt"

pytestmark = pytest.mark.django_db(transaction=True)


def find_pgbouncer():
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer",) if os.path.exists(path)), None
    )


def wait_for_port(port, process, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup, django_db_blocker):
    """A PgBouncer in transaction mode on a free loopback port, in front of the primary."""
    with django_db_blocker.unblock():
        vendor = connection.vendor
        primary = dict(connections["default"].settings_dict)
    if vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections (the PostgreSQL run)")
    binary = find_pgbouncer()
    if binary is None:
        if os.environ.get("REQUIRE_PGBOUNCER") == "1":
            pytest.fail("pgbouncer not found (Debian's pgbouncer package)")
        pytest.skip("pgbouncer not found (Debian's pgbouncer package)")
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-pgbouncer-"))
    port = free_port()
    (workdir / "users.txt").write_text(f'"{primary["USER"]}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={primary["HOST"]} port={primary["PORT"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "users.txt"}
admin_users = {primary["USER"]}
pool_mode = transaction
default_pool_size = 4
max_client_conn = 50
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer.pid"}
"""
    )
    run_as = {}
    user = cluster_user()  # pgbouncer, like PostgreSQL, refuses to run as root
    if user is not None:
        for path in (workdir, *workdir.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    process = subprocess.Popen(
        [binary, str(workdir / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **run_as,
    )
    try:
        if not wait_for_port(port, process):
            log = workdir / "pgbouncer.log"
            pytest.fail(
                "pgbouncer did not start: "
                + (log.read_text() if log.exists() else process.stderr.read().decode())
            )
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def admin_console(port, command):
    """Rows of a PgBouncer SHOW command, as dicts (simple query protocol)."""
    with psycopg.connect(
        host="127.0.0.1",
        port=port,
        user="postgres",
        dbname="pgbouncer",
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
    ) as console:
        cursor = console.execute(command)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def through_pgbouncer(pgbouncer, transactional_db):
    """The suite's database connection goes through PgBouncer, set as the settings set it."""
    alias = connections["default"]
    direct = alias.settings_dict
    alias.close()
    # As with DATABASE_POOLER set: no start-up options (PgBouncer refuses
    # them, so JIT is not turned off per connection), no prepared statements.
    options = {k: v for k, v in direct.get("OPTIONS", {}).items() if k != "options"}
    alias.settings_dict = dict(
        direct,
        PORT=str(pgbouncer),
        DISABLE_SERVER_SIDE_CURSORS=True,
        OPTIONS={**options, "prepare_threshold": None},
    )
    yield pgbouncer
    alias.close()
    alias.settings_dict = direct


def transactions_through(port):
    database = connections["default"].settings_dict["NAME"]
    return sum(
        int(row["total_xact_count"])
        for row in admin_console(port, "SHOW STATS")
        if row["database"] == database
    )


def test_public_pages_and_search_work_through_pgbouncer(
    through_pgbouncer, make_issue, make_story
):
    issue = make_issue(headline="Pooled in transaction mode")
    make_story(issue=issue, headline="A story through the pooler")
    before = transactions_through(through_pgbouncer)
    reader = Client()

    for url in (
        "/",
        issue.get_absolute_url(),
        reverse("issues:archive"),
        reverse("search") + "?q=pooler",
    ):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert "Pooled in transaction mode" in response.content.decode(), url

    assert transactions_through(through_pgbouncer) > before
    pools = admin_console(through_pgbouncer, "SHOW POOLS")
    assert {row["pool_mode"] for row in pools if row["database"] != "pgbouncer"} == {
        "transaction"
    }


def test_an_editor_saves_and_publishes_through_pgbouncer(
    through_pgbouncer, editor, make_issue, make_story, make_read
):
    draft = make_issue(
        headline="Draft behind the pooler", status=Issue.Status.DRAFT, published_at=None
    )
    make_story(issue=draft)
    make_read(issue=draft)
    staff = Client()
    assert staff.login(username=editor.username, password="pw")

    data = change_form_data(staff, draft, headline="Saved through PgBouncer")
    saved = staff.post(change_url(draft), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    # Publishing locks the issue (select_for_update) in one transaction.
    published = staff.post(
        reverse("admin:issues_issue_transition", args=[draft.pk, "publish"]),
        follow=True,
    )
    assert published.status_code == 200

    page = Client().get(Issue.objects.get(pk=draft.pk).get_absolute_url())
    assert page.status_code == 200
    assert "Saved through PgBouncer" in page.content.decode()


def test_a_large_csv_export_streams_through_pgbouncer(
    through_pgbouncer, editor, series
):
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.org", series=series, state=Subscriber.State.ACTIVE
        )
        for n in range(5000)
    )
    staff = Client()
    staff.force_login(editor)

    response = staff.get("/admin/newsletters/subscriber/export/")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 5001  # the header, then every subscriber


def test_import_report_runs_with_the_pooler_settings(
    through_pgbouncer, series, tmp_path
):
    database = connections["default"].settings_dict
    environment = settings_only_environment(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY="tests-only-not-secret",
        ALLOWED_HOSTS="testserver",
        HTTPS="0",
        MEDIA_ROOT=str(tmp_path),
        DATABASE_URL=(
            f"postgres://{database['USER']}@127.0.0.1:{through_pgbouncer}"
            f"/{database['NAME']}"
        ),
        DATABASE_POOLER="pgbouncer",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "import_report", str(SEED), "--publish",
         "--series", series.slug],
        cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    issue = Issue.objects.published().get(series=series)
    assert Client().get(issue.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("pooler", "expected"),
    [("pgbouncer", "True None"), ("", "False unset")],
)
def test_the_pooler_setting_turns_off_server_side_cursors_and_prepared_statements(
    pooler, expected
):
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "db = settings.DATABASES['default']; "
        "print(db.get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "db.get('OPTIONS', {}).get('prepare_threshold', 'unset'))"
    )
    result = run_settings(code, DATABASE_POOLER=pooler)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()


def test_an_unknown_pooler_stops_start_up_with_a_clear_message():
    result = run_settings("import django; django.setup()", DATABASE_POOLER="pgpool")

    assert result.returncode != 0
    assert "the only pooler known is 'pgbouncer'" in result.stderr


def run_settings(code, **env):
    environment = settings_only_environment(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="1",
        DATABASE_URL="postgres://newsroom@127.0.0.1:6432/newsroom",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
