"""Each issue gets a preview key of its own, signed into its preview links.

Adding the column fills every existing row with one and the same key, so
the second step gives each issue its own: revoking one issue's links must
not revoke another's. Links handed out before this migration stop working.
"""

import secrets

from django.db import migrations, models

import issues.models


def give_each_issue_its_own_key(apps, schema_editor):
    Issue = apps.get_model("issues", "Issue")
    for pk in Issue.objects.values_list("pk", flat=True).iterator():
        Issue.objects.filter(pk=pk).update(preview_key=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0006_lead_image_random_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="preview_key",
            field=models.CharField(
                default=issues.models.new_preview_key,
                editable=False,
                help_text=(
                    "Signed into every preview link; replacing it revokes all the "
                    "links made so far."
                ),
                max_length=40,
            ),
        ),
        migrations.RunPython(give_each_issue_its_own_key, migrations.RunPython.noop),
    ]
