"""The archive: writing it (`backup`) and reading it back (`restore`).

See the package's docstring for what an archive holds.
"""

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from issues import media
from newsroom.backups import databases
from newsroom.backups.databases import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


@dataclass
class RestoreReport:
    """What `restore` did: the rows per table, and any table that differs."""

    tables: dict = field(default_factory=dict)
    mismatches: dict = field(default_factory=dict)
    media: int = 0


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
            counts, migrations = databases.dump(dump)
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


# The target must be empty, and this code able to run what is restored.


def _check_code(manifest):
    """Refuse a backup made by a newer release: this code could not run it."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "The backup was made by a newer release of the site (migrations "
            + ", ".join(unknown[:5])
            + " are unknown here): install that release or a newer one, then "
            "restore. Nothing was restored."
        )


def _check_vendor(manifest):
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This archive holds a {manifest['vendor']} database and the configured "
            f"database is {connection.vendor}: restore it into a {manifest['vendor']} "
            "database (DATABASE_URL). Nothing was restored."
        )


def _check_target(manifest):
    full = databases.rows_in_database()
    if full:
        raise BackupError(
            "The database is not empty (rows in "
            + ", ".join(full[:8])
            + (" …" if len(full) > 8 else "")
            + "): restore only into a new, empty database. Nothing was restored."
        )
    if connection.vendor == "postgresql":
        leftover = sorted(set(databases.table_names()) - set(manifest["tables"]))
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
        _check_code(manifest)
        dump = verify_archive(archive, manifest, work)
        if manifest["vendor"] == "sqlite":
            databases.check_sqlite_copy(dump, manifest)
        _check_target(manifest)
        log(
            f"Archive of {manifest['created_at']} checked: {manifest['vendor']}, "
            f"{len(manifest['tables'])} tables, {len(manifest['media'])} media files."
        )
        databases.restore_dump(dump)
        log("Database restored.")
        _restore_media(archive, manifest)
        log(f"{len(manifest['media'])} media files restored.")
        copied = media.sync_public()
        if copied:
            log(f"The images of {copied} public issues copied to the public prefix.")
    report = RestoreReport(media=len(manifest["media"]))
    for table, found in databases.count_tables(sorted(manifest["tables"])).items():
        expected = manifest["tables"][table]
        if found is not None:
            report.tables[table] = found
        if found != expected:
            report.mismatches[table] = (expected, found)
    report.tables = dict(sorted(report.tables.items()))
    return report
