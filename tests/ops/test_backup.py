"""Backups that restore: `backup` then `restore` into a new database and storage
gives back every row, every revision, every media file and the same pages.

The site is filled here, in the test database, and backed up with the
command; the restore and everything read from the restored site run as an
operator would run them, `python manage.py ...` in a process of its own
whose DATABASE_URL and MEDIA_ROOT name a new database (a second SQLite file,
or a database created on the same PostgreSQL cluster) and an empty folder.
"""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from issues.models import Issue
from newsroom.newsletters.models import Subscriber
from tests.databases import child_environment
from tests.fundraising.builders import make_campaign, make_donation, make_page
from tests.issues.admin_forms import change_form_data, change_url
from tests.issues.test_images import image_bytes
from tests.ops.site_snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


# New sites to restore into, and the commands run against them.


def _pg_params(name):
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": name,
    }


@pytest.fixture
def new_site(tmp_path):
    """`new_site(name)`: the environment of a site with a new, empty database
    (no tables) and an empty media folder."""
    created = []

    def make(name):
        env = child_environment(MEDIA_ROOT=str(tmp_path / f"{name}-media"))
        if connection.vendor == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp_path / name}.sqlite3"
            return env
        database = f"restored_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(**_pg_params("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        created.append(database)
        settings = connection.settings_dict
        user = quote(settings["USER"] or "")
        password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
        env["DATABASE_URL"] = (
            f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{database}"
        )
        return env

    yield make
    if created:
        with psycopg.connect(**_pg_params("postgres"), autocommit=True) as admin:
            for database in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def manage(env, *arguments):
    """`python manage.py ARGUMENTS` with the production settings, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=dict(env, DJANGO_SETTINGS_MODULE="newsroom.settings", DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=600,
    )


def site_snapshot(env, *urls):
    result = subprocess.run(
        [sys.executable, "-m", "tests.ops.site_snapshot", *urls],
        cwd=ROOT,
        env=dict(env, DJANGO_SETTINGS_MODULE="tests.settings"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_sql(env, sql):
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as database:
            database.execute(sql)
        return
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as database:
        database.execute(sql)


def tables_in(env):
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not os.path.exists(path):
            return []
        with sqlite3.connect(path) as database:
            rows = database.execute("SELECT name FROM sqlite_master WHERE type='table'")
            return [name for (name,) in rows]
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as database:
        rows = database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        return [name for (name,) in rows]


def files_in(env):
    media = Path(env["MEDIA_ROOT"])
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def differences(before, after):
    """Where two snapshots differ: a table, a revision, a file or a page."""
    found = []
    for part in ("tables", "revisions", "media", "pages"):
        for key in sorted(set(before[part]) | set(after[part])):
            if before[part].get(key) != after[part].get(key):
                found.append(f"{part}: {key}")
    return found


def rewrite(archive, target, change):
    """Copy the tar `archive` to `target`, passing each member's bytes through
    `change(name, data)`, which returns new bytes (or None to drop it)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


def flip_last_byte(data):
    return data[:-1] + bytes([data[-1] ^ 1])


# The site.


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "source-media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def full_site(
    admin_client, media_root, series, make_issue, make_story, make_read, make_source
):
    """Issues in every state with stories, reads, sources and tags, revisions,
    a lead image and its renditions, subscribers in every state, a campaign
    with donations and the donate page; returns the published issue."""
    published = make_issue(
        series=series, headline="The Carter Center says goodbye", tags=["elections"]
    )
    make_story(
        issue=published,
        headline="A damning verdict",
        tags=["oil"],
        sources=[make_source(name="El Pitazo"), make_source(name="Efecto Cocuyo")],
    )
    make_read(issue=published, summary="What the observers saw")
    response = admin_client.post(
        change_url(published),
        change_form_data(
            admin_client,
            published,
            dek="Edited in the admin, with a photo.",
            lead_image=SimpleUploadedFile(
                "street.jpg", image_bytes(), content_type="image/jpeg"
            ),
            lead_image_alt="A street in Caracas",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    future = timezone.now() + timedelta(days=2)
    states = {
        "draft": {"status": Issue.Status.DRAFT, "published_at": None},
        "review": {"status": Issue.Status.IN_REVIEW, "published_at": None},
        "scheduled": {"status": Issue.Status.PUBLISHED, "published_at": future},
        "unpublished": {"status": Issue.Status.UNPUBLISHED, "published_at": None},
    }
    for state, fields in states.items():
        issue = make_issue(series=series, headline=f"An issue in {state}", **fields)
        make_story(issue=issue, headline=f"A story of the {state} issue")
        response = admin_client.post(
            change_url(issue),
            change_form_data(admin_client, issue, dek=f"Revised while {state}."),
        )
        assert response.status_code == 302, state
    assert {issue.state for issue in Issue.objects.all()} == set(Issue.State)
    for n, state in enumerate(Subscriber.State):
        Subscriber.objects.create(
            series=series, email=f"reader{n}@example.org", state=state
        )
    campaign = make_campaign()
    for n in range(3):
        make_donation(campaign, n)
    make_page()
    return published


def test_a_restored_site_has_every_row_revision_file_and_page_of_the_original(
    client, full_site, new_site, tmp_path
):
    page = full_site.get_absolute_url()
    html = client.get(page).content.decode()
    rendition = html.split('srcset="', 1)[1].split(" ", 1)[0]
    urls = [page, rendition, "/", "/donate/"]
    before = json.loads(json.dumps(snapshot(urls)))
    assert before["revisions"], "the admin's saves made revisions"
    assert any(name.startswith("renditions/") for name in before["media"])
    assert before["pages"][rendition]["type"] == "image/webp"
    archive = tmp_path / "site.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())
    target = new_site("target")
    result = manage(target, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "every row count matches the archive" in result.stdout
    assert "issues_issue: 5 rows ok" in result.stdout
    after = site_snapshot(target, *urls)
    assert differences(before, after) == []
    assert after == before

    # The comparison is real: one changed value in one row is found.
    run_sql(target, "UPDATE newsletters_subscriber SET email = 'x@example.org' "
                    "WHERE email = 'reader0@example.org'")  # fmt: skip
    assert differences({**before, "pages": {}}, site_snapshot(target)) == [
        "tables: newsletters_subscriber"
    ]


# Smaller archives, for what restore refuses.


@pytest.fixture
def archive(media_root, tmp_path, make_issue, make_story):
    issue = make_issue(headline="A small site")
    make_story(issue=issue)
    issue.lead_image.save("photo.jpg", ContentFile(image_bytes((600, 400))))
    Subscriber.objects.create(series=issue.series, email="reader@example.org")
    path = tmp_path / "small.tar"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def restore(*arguments):
    call_command("restore", *arguments, stdout=io.StringIO())


def test_a_migrated_but_empty_database_takes_a_restore(archive, new_site):
    target = new_site("migrated")
    assert manage(target, "migrate", "--noinput").returncode == 0

    result = manage(target, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "issues_issue: 1 rows ok" in result.stdout
    with tarfile.open(archive) as tar:
        listed = json.load(tar.extractfile("manifest.json"))["media"]
    assert files_in(target) == sorted(listed)


def test_restore_refuses_a_database_that_holds_rows(archive):
    issues = Issue.objects.count()

    with pytest.raises(CommandError, match="The database is not empty .*issues_issue"):
        restore(str(archive))

    assert Issue.objects.count() == issues


def test_restore_refuses_a_storage_that_holds_files(archive, new_site):
    target = new_site("full-storage")
    Path(target["MEDIA_ROOT"]).mkdir()
    (Path(target["MEDIA_ROOT"]) / "left-over.jpg").write_bytes(b"old")

    result = manage(target, "restore", str(archive))

    assert result.returncode == 1
    assert (
        "The media storage is not empty (1 files, e.g. left-over.jpg)" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert tables_in(target) == []
    assert files_in(target) == ["left-over.jpg"]


def test_a_changed_media_file_is_refused_and_nothing_is_written(
    archive, new_site, tmp_path
):
    def change(name, data):
        return flip_last_byte(data) if name.startswith("media/") else data

    tampered = rewrite(archive, tmp_path / "tampered.tar", change)
    target = new_site("tampered")

    result = manage(target, "restore", str(tampered))

    assert result.returncode == 1
    assert "does not match its checksum in the manifest" in result.stderr
    assert "Nothing was restored" in result.stderr
    assert tables_in(target) == []
    assert files_in(target) == []


def test_a_changed_database_dump_is_refused(archive, tmp_path):
    def change(name, data):
        return flip_last_byte(data) if name.startswith("database.") else data

    tampered = rewrite(archive, tmp_path / "tampered.tar", change)

    with pytest.raises(
        CommandError, match=r"database\.\w+ does not match its checksum"
    ):
        restore(str(tampered))


def test_a_file_added_to_the_archive_is_refused(archive, tmp_path):
    tampered = tmp_path / "added.tar"
    rewrite(archive, tampered, lambda name, data: data)
    with tarfile.open(tampered, "a") as copy:
        info = tarfile.TarInfo("media/../../etc/evil")
        info.size = 4
        copy.addfile(info, io.BytesIO(b"evil"))

    with pytest.raises(CommandError, match="files its manifest does not list"):
        restore(str(tampered))


def test_a_manifest_that_lists_other_row_counts_is_caught(archive, new_site, tmp_path):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["issues_issue"] += 1
        return json.dumps(manifest).encode()

    tampered = rewrite(archive, tmp_path / "counts.tar", change)
    target = new_site("counts")

    result = manage(target, "restore", str(tampered))

    assert result.returncode == 1
    assert "issues_issue: 2 listed, 1 found" in result.stderr or (
        "issues_issue (2 listed, 1 found)" in result.stderr
    )


def test_an_archive_of_another_database_vendor_is_refused(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    names = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

    def change(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["vendor"] = other
            manifest["database"]["name"] = names[other]
            return json.dumps(manifest).encode()
        return data

    foreign = rewrite(archive, tmp_path / "foreign.tar", change)
    with tarfile.open(archive) as source, tarfile.open(foreign, "a") as copy:
        member = source.getmember(names[connection.vendor])
        info = tarfile.TarInfo(names[other])
        info.size = member.size
        copy.addfile(info, source.extractfile(member))
    # The original dump's member stays, unlisted: drop it from the copy.
    rewrite(
        foreign,
        tmp_path / "foreign2.tar",
        lambda name, data: None if name == names[connection.vendor] else data,
    )

    with pytest.raises(CommandError, match=f"holds a {other} database"):
        restore(str(tmp_path / "foreign2.tar"))


@pytest.mark.parametrize(
    "content, message",
    [(b"", "is not a backup archive"), (b"not a tar at all" * 100, "not a backup")],
)
def test_a_file_that_is_not_an_archive_is_refused(tmp_path, content, message):
    path = tmp_path / "junk.tar"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        restore(str(path))


def test_backup_refuses_to_replace_a_file_unless_forced(media_root, tmp_path):
    path = tmp_path / "site.tar"
    path.write_bytes(b"yesterday's backup")

    with pytest.raises(CommandError, match="exists: give another name, or --force"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"yesterday's backup"

    call_command("backup", str(path), "--force", stdout=io.StringIO())
    with tarfile.open(path) as archive:
        assert "manifest.json" in archive.getnames()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.tar"]


def test_backup_into_a_missing_folder_says_so(media_root, tmp_path):
    with pytest.raises(CommandError, match="Cannot write .*No such file or directory"):
        call_command("backup", str(tmp_path / "nowhere" / "site.tar"))


def test_backup_says_what_to_install_without_pg_dump(media_root, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only")
    monkeypatch.setattr("newsroom.backups.databases.find_pg_bin", lambda name: None)

    with pytest.raises(CommandError, match="pg_dump was not found .*postgresql-client"):
        call_command("backup", str(tmp_path / "site.tar"))
    assert not (tmp_path / "site.tar").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_the_manifest_counts_every_table_and_checks_every_file(archive):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    tables = set(connection.introspection.table_names())

    assert set(manifest["tables"]) == tables
    assert manifest["tables"]["issues_issue"] == 1
    assert manifest["tables"]["stories_story_sources"] == 0
    assert manifest["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["issues"]
    original = Issue.objects.get().lead_image.name
    assert original in manifest["media"]
    assert any(name.startswith("renditions/") for name in manifest["media"])
    assert len(manifest["media"]) == len(
        [p for p in Path(default_storage.location).rglob("*") if p.is_file()]
    )
    assert all(len(entry["sha256"]) == 64 for entry in manifest["media"].values())


def test_a_backup_made_by_a_newer_release_is_refused(archive, tmp_path):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["issues"].append("0099_from_a_later_release")
        return json.dumps(manifest).encode()

    newer = rewrite(archive, tmp_path / "newer.tar", change)

    with pytest.raises(
        CommandError, match="newer release .*issues.0099_from_a_later_release"
    ):
        restore(str(newer))


def test_a_table_the_backup_does_not_have_is_never_left_beside_it(archive, new_site):
    target = new_site("leftover")
    run_sql(target, "CREATE TABLE from_a_later_release (id integer)")

    result = manage(target, "restore", str(archive))

    if connection.vendor == "postgresql":
        # pg_restore would leave it: refused, the database as it was.
        assert result.returncode == 1
        assert "tables the backup does not (from_a_later_release)" in result.stderr
        assert tables_in(target) == ["from_a_later_release"]
    else:
        # The backup API replaces the whole file.
        assert result.returncode == 0, result.stderr
        assert "from_a_later_release" not in tables_in(target)


def test_restore_into_a_database_it_cannot_open_says_so(archive, new_site, tmp_path):
    target = new_site("unreachable")
    if connection.vendor == "sqlite":
        target["DATABASE_URL"] = f"sqlite:///{tmp_path / 'no-such-folder' / 'db'}"
    else:
        target["DATABASE_URL"] = target["DATABASE_URL"] + "_never_created"

    result = manage(target, "restore", str(archive))

    assert result.returncode == 1
    assert "The database (DATABASE_URL) cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_refuses_a_pg_dump_older_than_the_server(
    media_root, tmp_path, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    with pytest.raises(CommandError, match="is version 9, older than the server"):
        call_command("backup", str(tmp_path / "site.tar"))
    assert not (tmp_path / "site.tar").exists()
