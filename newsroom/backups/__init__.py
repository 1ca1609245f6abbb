"""Backups that restore: the database and the media in one archive, checked.

An archive is a tar file (gzip-compressed when its name ends in `.gz` or
`.tgz`) holding:

- `manifest.json`: the format version, when it was made, Django's version,
  the database vendor, the applied migrations, a row count per table and a
  sha256 checksum and size of every other member;
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or
  `database.sqlite3` (SQLite: a copy made with the online backup API);
- `media/<name>` for every file in the default storage, read through the
  storage API so the same code backs up a folder or a bucket. In a bucket,
  the public copies of public issues' renditions (`issues.media`) are left
  out: restore makes them again from the restored database.

On PostgreSQL the row counts and migrations are read in the transaction
whose snapshot `pg_dump` dumps (`pg_export_snapshot`), on SQLite from the
copy itself: the manifest describes exactly what the archive holds, even
while the site keeps writing.

`restore` checks everything before writing anything: the manifest, every
checksum, the vendor, and that the database and the storage are empty. It
then restores the database, writes the media with their exact names and
counts the rows of every table again against the manifest.
"""

from newsroom.backups.archives import RestoreReport, backup, media_names, restore
from newsroom.backups.databases import BackupError, find_pg_bin

__all__ = [
    "BackupError",
    "RestoreReport",
    "backup",
    "find_pg_bin",
    "media_names",
    "restore",
]
