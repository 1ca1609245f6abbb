"""Writers and editors for tests that run on a committed (transactional) database.

A transactional test ends by emptying every table, and `migrate`'s data
migration does not run again, so the Writers and Editors groups are gone for
the transactional tests that follow (serialized rollback cannot put them back
from inside Playwright's event loop, which sees another connection object).
These helpers recreate them exactly as the migration defines them.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User

_migration = import_module("issues.migrations.0002_editorial_groups")


def editorial_groups():
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, dotted in (
        ("Writers", _migration.WRITER_PERMISSIONS),
        ("Editors", _migration.EDITOR_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        for perm in dotted:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def staff_in_group(username, group_name):
    editorial_groups()
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user
