"""Let Editors post issues to the channel, and see what was posted.

Writers draft; a channel post reaches every reader at once, so only Editors
make one. Permissions are created first, as in newsroom's 0003.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["post_to_channel", "view_channelpost"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsletters")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0003_channel_posts")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
