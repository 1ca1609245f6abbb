"""Let Editors run the donate page, campaigns and donations, and read the clicks.

Permissions are normally created after all migrations have run, so this
migration asks for them to be created first (as issues/0002 does).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGED = ["donatepage", "faqitem", "otherway", "campaign", "tier", "donation"]
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in MANAGED
    for action in ("add", "change", "delete", "view")
] + ["view_donateclick"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsroom")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsroom", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_reader_revenue"),
        ("issues", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
