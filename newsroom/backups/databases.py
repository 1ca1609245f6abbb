"""Dumping and restoring the configured database: PostgreSQL and SQLite.

PostgreSQL goes through its own client programs, `pg_dump` and
`pg_restore`, run with the connection settings of DATABASES["default"];
SQLite through its online backup API, which copies a live database safely.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, transaction

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


def table_names():
    """Every table of the database (models, their m2m tables, Django's own)."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def count_rows(cursor, tables, quote):
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


def dump_sqlite(target):
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
        counts = count_rows(cursor, tables, connection.ops.quote_name)
        migrations = []
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = cursor.fetchall()
    finally:
        destination.close()
    return counts, _migrations(migrations)


def dump_postgresql(target):
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
            counts = count_rows(cursor, tables, connection.ops.quote_name)
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = cursor.fetchall()
            _run_pg(
                program,
                ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            )
    return counts, _migrations(migrations)


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


def check_sqlite_copy(dump, manifest):
    """The copy holds the rows the manifest promises, before anything is written."""
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        cursor = source.cursor()
        try:
            counts = count_rows(cursor, manifest["tables"], connection.ops.quote_name)
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


def restore_sqlite(dump):
    source = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def restore_postgresql(dump):
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


def dump(target):
    """Dump the database into the file `target`: (row counts, migrations)."""
    if connection.vendor == "postgresql":
        return dump_postgresql(target)
    return dump_sqlite(target)


def restore_dump(dump):
    if connection.vendor == "postgresql":
        restore_postgresql(dump)
    else:
        restore_sqlite(dump)


def count_tables(tables):
    """The rows now in each of `tables`, None for a table that is missing."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        counts = {table: None for table in tables if table not in present}
        counts.update(
            count_rows(
                cursor, [t for t in tables if t in present], connection.ops.quote_name
            )
        )
    return counts
