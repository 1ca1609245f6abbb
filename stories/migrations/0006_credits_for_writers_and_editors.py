"""Writers credit contributors in bylines; Editors also correct published issues.

A correction goes on a published issue, which only editors change; none
may delete one (an editor retracts it instead). Permissions are created
first, as issues/0002 does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    "add_contributor",
    "change_contributor",
    "view_contributor",
    "add_byline",
    "change_byline",
    "delete_byline",
    "view_byline",
    "view_correction",
]
EDITOR_PERMISSIONS = [*WRITER_PERMISSIONS, "delete_contributor", "add_correction"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("stories")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (
        ("Writers", WRITER_PERMISSIONS),
        ("Editors", EDITOR_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="stories", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0005_bylines_and_corrections"),
        ("issues", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
