"""Let Editors see failed-login lockouts and lift them in the admin.

Five bad passwords lock a username (from one address) out for an hour, and
behind a proxy whose TRUSTED_PROXY_COUNT is unset every address is the
proxy's: anyone could lock an editor out. Deleting the lockout's access
attempt in the admin lifts it; Editors may view and delete those rows, not
the log of every sign-in. Permissions are created first, as in 0003.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["view_accessattempt", "delete_accessattempt"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="axes", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_editors_manage_reader_revenue"),
        ("axes", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
