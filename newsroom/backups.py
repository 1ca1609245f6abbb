"""Backups that restore: the database and the media in one archive, checked.

An archive is a tar file (gzip-compressed when its name ends in `.gz` or
`.tgz`) holding:

- `manifest.json`: the format version, when it was made, Django's version,
  the database vendor, the applied migrations, a row count per table and a
  sha256 checksum and size of every other member;
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or
  `database.sqlite3` (SQLite: a copy made with the online backup API);
- `media/<name>` for every file in the default storage, read through the
  storage API so the same code backs up a folder or a bucket.

On PostgreSQL the row counts and migrations are read in the transaction
whose snapshot `pg_dump` dumps (`pg_export_snapshot`), on SQLite from the
copy itself: the manifest describes exactly what the archive holds, even
while the site keeps writing.

`restore` checks everything before writing anything: the manifest, every
checksum, the vendor, and that the database and the storage are empty. It
then restores the database, writes the media with their exact names and
counts the rows of every table again against the manifest.
"""

import datetime
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
# Tables `migrate` fills by itself: rows there do not make a database "not empty".
MIGRATE_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


@dataclass
class RestoreReport:
    """What `restore` did: the rows per table, and any table that differs."""

    tables: dict = field(default_factory=dict)
    mismatches: dict = field(default_factory=dict)
    media: int = 0


# PostgreSQL's client programs.


def find_pg_bin(name):
    """`name` (pg_dump, pg_restore) on PATH, else the newest in /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def version(path):
        match = re.search(r"/postgresql/(\d+)", path)
        return int(match.group(1)) if match else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    return candidates[-1] if candidates else None


def _pg_program(name):
    program = find_pg_bin(name)
    if program is None:
        raise BackupError(
            f"{name} was not found (on PATH or in /usr/lib/postgresql/*/bin): "
            "install PostgreSQL's client programs (Debian: postgresql-client) "
            "of the server's major version or newer."
        )
    return program


def _pg_major(program):
    output = subprocess.run(
        [program, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def _pg_env():
    """The connection settings of DATABASES["default"] as libpq's variables.

    The password goes through PGPASSWORD, never on a command line, where any
    user of the machine could read it.
    """
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    options = settings.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env[f"PG{key.upper()}"] = str(options[key])
    return env


def _run_pg(program, arguments):
    result = subprocess.run(
        [program, "--no-password", *arguments],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        name = Path(program).name
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.stdout}")
    return result


# Reading the database.


def _tables():
    """Every table of the database (models, their m2m tables, Django's own)."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _count_rows(cursor, tables, quote):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(rows):
    applied = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _dump_sqlite(target):
    """Copy the live database into `target` with the online backup API."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with destination:
            connection.connection.backup(destination)
        cursor = destination.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
        migrations = []
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = cursor.fetchall()
    finally:
        destination.close()
    return counts, _migrations(migrations)


def _dump_postgresql(target):
    """`pg_dump` of one snapshot, and the counts of the same snapshot."""
    program = _pg_program("pg_dump")
    connection.ensure_connection()
    server = connection.pg_version // 10000
    client = _pg_major(program)
    if client < server:
        raise BackupError(
            f"{program} is version {client}, older than the server ({server}): "
            f"install PostgreSQL {server}'s client programs or newer."
        )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = sorted(connection.introspection.table_names(cursor))
            counts = _count_rows(cursor, tables, connection.ops.quote_name)
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = cursor.fetchall()
            _run_pg(
                program,
                ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            )
    return counts, _migrations(migrations)


# Reading the storage.


def media_names(storage=default_storage, folder=""):
    """Every file's name in `storage`, recursively, sorted."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names.extend(media_names(storage, f"{folder}{sub}/"))
    return sorted(names)


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Writing an archive.


def _tar_mode(path, writing):
    if not writing:
        return "r:*"
    return "w:gz" if str(path).endswith((".gz", ".tgz")) else "w"


def _add(archive, name, fileobj, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, fileobj)


def backup(path, force=False, log=lambda message: None):
    """Write the archive to `path` atomically; returns the manifest."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the archive's file name.")
    if path.exists() and not force:
        raise BackupError(
            f"{path} exists: give another name, or --force to replace it."
        )
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".partial", dir=path.parent
        )
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix="newsroom-backup-") as work:
            dump = os.path.join(work, DUMPS[vendor])
            log(f"Dumping the {vendor} database…")
            if vendor == "postgresql":
                counts, migrations = _dump_postgresql(dump)
            else:
                counts, migrations = _dump_sqlite(dump)
            manifest = {
                "format": FORMAT,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "django": django.get_version(),
                "vendor": vendor,
                "migrations": migrations,
                "tables": counts,
                "database": {
                    "name": DUMPS[vendor],
                    "sha256": _sha256_file(dump),
                    "size": os.path.getsize(dump),
                },
                "media": {},
            }
            with tarfile.open(temporary, _tar_mode(path, True)) as archive:
                with open(dump, "rb") as file:
                    _add(archive, DUMPS[vendor], file, manifest["database"]["size"])
                for name in media_names():
                    manifest["media"][name] = _add_media(archive, name)
                log(f"{len(manifest['media'])} media files.")
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add(archive, MANIFEST, io.BytesIO(data), len(data))
            with open(temporary, "rb") as file:
                os.fsync(file.fileno())
        _publish(temporary, path, force)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return manifest


def _add_media(archive, name):
    """Copy one stored file into the archive; its checksum and size."""
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as copy:
        with default_storage.open(name, "rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        size = copy.tell()
        copy.seek(0)
        _add(archive, MEDIA_PREFIX + name, copy, size)
    return {"sha256": digest.hexdigest(), "size": size}


def _publish(temporary, path, force):
    """Give the finished archive its name: never over a file, unless forced."""
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise BackupError(
            f"{path} exists: give another name, or --force to replace it."
        ) from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise BackupError(
                f"{path} exists: give another name, or --force to replace it."
            ) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


# Reading an archive back.


def _open_archive(path):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        return tarfile.open(path, _tar_mode(path, False))
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a backup archive ({error}).") from None


def _safe_media_name(name):
    pure = PurePosixPath(name)
    if (
        not name
        or pure.is_absolute()
        or ".." in pure.parts
        or "\\" in name
        or str(pure) != name
    ):
        raise BackupError(
            f"The archive names a media file outside the storage: {name!r}."
        )
    return name


def read_manifest(archive):
    """The manifest, checked for its shape; BackupError if it is not one of ours."""
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except KeyError:
        raise BackupError(
            "The archive has no manifest.json: it is not a backup."
        ) from None
    except (ValueError, tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"The archive's manifest cannot be read ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"The manifest's format is {manifest.get('format') if isinstance(manifest, dict) else None!r}; "
            f"this version reads format {FORMAT}."
        )
    try:
        vendor = manifest["vendor"]
        database = manifest["database"]
        ok = (
            vendor in DUMPS
            and database["name"] == DUMPS[vendor]
            and isinstance(database["sha256"], str)
            and isinstance(manifest["tables"], dict)
            and all(isinstance(n, int) for n in manifest["tables"].values())
            and isinstance(manifest["media"], dict)
            and all(isinstance(m["sha256"], str) for m in manifest["media"].values())
            and isinstance(manifest["migrations"], dict)
        )
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise BackupError("The archive's manifest is incomplete or damaged.")
    for name in manifest["media"]:
        _safe_media_name(name)
    return manifest


def _copy_checked(archive, member_name, expected, target=None):
    """Read one member through, into `target` if given; check its sha256."""
    try:
        member = archive.getmember(member_name)
        source = archive.extractfile(member)
        if source is None:
            raise KeyError(member_name)
        digest = hashlib.sha256()
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if target is not None:
                target.write(chunk)
    except KeyError:
        raise BackupError(
            f"The archive lacks {member_name}, which its manifest lists."
        ) from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"The archive is damaged at {member_name} ({error})."
        ) from None
    if digest.hexdigest() != expected:
        raise BackupError(
            f"{member_name} does not match its checksum in the manifest: the "
            "archive is damaged or was changed. Nothing was restored."
        )


def verify_archive(archive, manifest, work):
    """Check every member against the manifest; extract the dump into `work`."""
    expected = {manifest["database"]["name"], MANIFEST}
    expected.update(MEDIA_PREFIX + name for name in manifest["media"])
    try:
        present = {m.name for m in archive.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"The archive is damaged ({error}).") from None
    extra = sorted(present - expected)
    if extra:
        raise BackupError(
            f"The archive holds files its manifest does not list ({', '.join(extra[:5])}): "
            "it was changed after it was made. Nothing was restored."
        )
    dump = os.path.join(work, manifest["database"]["name"])
    with open(dump, "wb") as target:
        _copy_checked(
            archive,
            manifest["database"]["name"],
            manifest["database"]["sha256"],
            target,
        )
    for name, entry in manifest["media"].items():
        _copy_checked(archive, MEDIA_PREFIX + name, entry["sha256"])
    return dump


# The target must be empty.


def rows_in_database():
    """Tables holding rows, besides those `migrate` fills by itself."""
    full = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in MIGRATE_TABLES:
                continue
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})"
            )
            if cursor.fetchone()[0]:
                full.append(table)
    return sorted(full)


def _check_vendor(manifest):
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This archive holds a {manifest['vendor']} database and the configured "
            f"database is {connection.vendor}: restore it into a {manifest['vendor']} "
            "database (DATABASE_URL). Nothing was restored."
        )


def _check_target(manifest):
    full = rows_in_database()
    if full:
        raise BackupError(
            "The database is not empty (rows in "
            + ", ".join(full[:8])
            + (" …" if len(full) > 8 else "")
            + "): restore only into a new, empty database. Nothing was restored."
        )
    if connection.vendor == "postgresql":
        leftover = sorted(set(_tables()) - set(manifest["tables"]))
        if leftover:
            raise BackupError(
                "The database has tables the backup does not ("
                + ", ".join(leftover[:8])
                + "): it was migrated further than the backup. Restore into a "
                "new database with no tables, then run migrate. Nothing was restored."
            )
    files = media_names()
    if files:
        raise BackupError(
            f"The media storage is not empty ({len(files)} files, e.g. {files[0]}): "
            "restore only into empty storage. Nothing was restored."
        )


# Restoring.


def _check_sqlite_counts(dump, manifest):
    """The copy holds the rows the manifest promises, before anything is written."""
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        cursor = source.cursor()
        try:
            counts = _count_rows(cursor, manifest["tables"], connection.ops.quote_name)
        except sqlite3.DatabaseError as error:
            raise BackupError(
                f"The archive's database cannot be read ({error}). Nothing was restored."
            ) from None
    finally:
        source.close()
    differ = {
        t: (n, counts[t]) for t, n in manifest["tables"].items() if counts[t] != n
    }
    if differ:
        raise BackupError(
            "The archive's database does not hold the rows its manifest lists ("
            + ", ".join(f"{t}: {n} listed, {c} found" for t, (n, c) in differ.items())
            + "). Nothing was restored."
        )


def _restore_sqlite(dump):
    source = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(dump):
    program = _pg_program("pg_restore")
    connection.close()
    _run_pg(
        program,
        [
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            f"--dbname={connection.settings_dict['NAME']}",
            dump,
        ],
    )


def _restore_media(archive, manifest):
    for name, entry in manifest["media"].items():
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as copy:
            _copy_checked(archive, MEDIA_PREFIX + name, entry["sha256"], copy)
            copy.seek(0)
            saved = default_storage.save(name, File(copy, name=name))
        if saved != name:
            raise BackupError(
                f"The storage saved {name} as {saved}: media names must be kept. "
                "The restore is incomplete."
            )


def restore(path, log=lambda message: None):
    """Restore the archive at `path` into the empty database and storage."""
    archive = _open_archive(path)
    with archive, tempfile.TemporaryDirectory(prefix="newsroom-restore-") as work:
        manifest = read_manifest(archive)
        _check_vendor(manifest)
        dump = verify_archive(archive, manifest, work)
        if manifest["vendor"] == "sqlite":
            _check_sqlite_counts(dump, manifest)
        _check_target(manifest)
        log(
            f"Archive of {manifest['created_at']} checked: {manifest['vendor']}, "
            f"{len(manifest['tables'])} tables, {len(manifest['media'])} media files."
        )
        if manifest["vendor"] == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
        log("Database restored.")
        _restore_media(archive, manifest)
        log(f"{len(manifest['media'])} media files restored.")
    report = RestoreReport(media=len(manifest["media"]))
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, expected in sorted(manifest["tables"].items()):
            if table not in tables:
                report.mismatches[table] = (expected, None)
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            found = cursor.fetchone()[0]
            report.tables[table] = found
            if found != expected:
                report.mismatches[table] = (expected, found)
    return report
