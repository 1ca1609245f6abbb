"""The moved models keep their content types, and so every permission, group
grant, admin log entry and revision that points at them.

Each content type of the newsroom app's reader revenue models is renamed to
the fundraising app. Then Editors are granted what newsroom/0003 granted
them (run the donate page, campaigns and donations; read the clicks) on
the fundraising models, which adds nothing after the rename and gives the
permissions to a database whose groups were made afresh.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "donatepage",
    "faqitem",
    "otherway",
    "campaign",
    "tier",
    "donation",
    "donateclick",
]
MANAGED = ["donatepage", "faqitem", "otherway", "campaign", "tier", "donation"]
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in MANAGED
    for action in ("add", "change", "delete", "view")
] + ["view_donateclick"]


def move_content_types(apps, old_label, new_label):
    """Rename the models' content types from `old_label` to `new_label`.

    Where both exist (the new one made by a `migrate` that ran before this
    migration), the new one's permissions take the old one's users and
    groups, and the old one goes.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            target = Permission.objects.filter(
                content_type=new, codename=permission.codename
            ).first()
            if target is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
            else:
                target.group_set.add(*permission.group_set.all())
                target.user_set.add(*permission.user_set.all())
        old.delete()


def grant(apps, schema_editor):
    """Editors hold the reader revenue permissions (as after newsroom/0003)."""
    app_config = apps.get_app_config("fundraising")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="fundraising", codename__in=EDITOR_PERMISSIONS
        )
    )


def forwards(apps, schema_editor):
    move_content_types(apps, "newsroom", "fundraising")
    grant(apps, schema_editor)


def backwards(apps, schema_editor):
    move_content_types(apps, "fundraising", "newsroom")


class Migration(migrations.Migration):
    dependencies = [
        ("fundraising", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("issues", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
