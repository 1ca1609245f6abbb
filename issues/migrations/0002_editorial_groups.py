"""Create the Writers and Editors groups with their permissions.

Permissions are normally created after all migrations have run, so this
migration asks for them to be created first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    "issues.view_series",
    "issues.add_issue",
    "issues.change_issue",
    "issues.view_issue",
    "stories.add_story",
    "stories.change_story",
    "stories.delete_story",
    "stories.view_story",
    "stories.add_recommendedread",
    "stories.change_recommendedread",
    "stories.delete_recommendedread",
    "stories.view_recommendedread",
    "stories.add_source",
    "stories.change_source",
    "stories.view_source",
    "taggit.add_tag",
    "taggit.view_tag",
]
EDITOR_PERMISSIONS = WRITER_PERMISSIONS + [
    "issues.add_series",
    "issues.change_series",
    "issues.delete_issue",
    "issues.publish_issue",
    "stories.delete_source",
    "taggit.change_tag",
    "taggit.delete_tag",
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
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
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0001_initial"),
        ("stories", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
