"""Everything a restore must give back, as plain JSON, from any database.

    DATABASE_URL=... MEDIA_ROOT=... python -m tests.ops.site_snapshot [URL...]

prints every table's rows (every model of every installed app, their m2m
tables, and django_migrations: all values, ordered by primary key), every
revision's fields as django-reversion reads them back, the name and sha256
of every stored media file, and each URL's response (status, type, bytes).
The backup test takes one snapshot of the site it backs up and one of the
site it restored, each in a process of its own, and compares them.
"""

import base64
import datetime
import decimal
import hashlib
import json
import os
import sys
import uuid


def plain(value):
    """A database value as JSON, exactly: no precision is dropped."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "get_queryset"):  # a related manager: see the version's m2m
        return type(value).__name__
    return repr(value)


def tables():
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    models.append(MigrationRecorder.Migration)
    rows = {}
    for model in models:
        names = [field.attname for field in model._meta.concrete_fields]
        query = model._base_manager.order_by("pk").values_list(*names)
        rows[model._meta.db_table] = [[plain(v) for v in row] for row in query]
    present = set(connection.introspection.table_names())
    missing = sorted(present - set(rows))
    assert not missing, f"tables without a model, not compared: {missing}"
    return rows


def revisions():
    from reversion.models import Version

    return {
        str(version.pk): {
            "object": f"{version.content_type.app_label}.{version.content_type.model}"
            f":{version.object_id}",
            "revision": version.revision_id,
            "fields": plain(version.field_dict),
            "m2m": plain(version._object_version.m2m_data),
        }
        for version in Version.objects.order_by("pk").select_related("content_type")
    }


def media():
    from django.core.files.storage import default_storage

    from newsroom.backups import media_names

    found = {}
    for name in media_names():
        with default_storage.open(name, "rb") as file:
            found[name] = hashlib.sha256(file.read()).hexdigest()
    return found


def pages(urls):
    from django.core.cache import caches
    from django.test import Client

    for cache in caches.all():
        cache.clear()
    client = Client()
    found = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        found[url] = {
            "status": response.status_code,
            "type": response.get("Content-Type"),
            "body": base64.b64encode(body).decode(),
        }
    return found


def snapshot(urls=()):
    """Tables first: fetching a page may count a visit."""
    return {
        "tables": tables(),
        "revisions": revisions(),
        "media": media(),
        "pages": pages(urls),
    }


def main(urls):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    json.dump(snapshot(urls), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
