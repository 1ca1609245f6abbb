"""Source names are unique ignoring case ("Runrunes" and "runrunes" are one).

Databases that already hold such case duplicates keep the oldest of each
group (the lowest id): the stories and reads citing the others cite it
instead, and the others are deleted, before the constraint is added.
"""

from collections import defaultdict

from django.db import migrations, models
from django.db.models.functions import Lower


def merge_case_duplicates(apps, schema_editor):
    Source = apps.get_model("stories", "Source")
    Story = apps.get_model("stories", "Story")
    RecommendedRead = apps.get_model("stories", "RecommendedRead")
    Citation = Story.sources.through
    groups = defaultdict(list)
    # Grouped by the database's own lower(), the expression the constraint checks.
    for pk, key in (
        Source.objects.annotate(key=Lower("name")).order_by("pk").values_list("pk", "key")
    ):
        groups[key].append(pk)
    for kept, *duplicates in groups.values():
        if not duplicates:
            continue
        citing = Citation.objects.filter(source_id__in=duplicates)
        already = Citation.objects.filter(source_id=kept).values("story_id")
        Citation.objects.bulk_create(
            Citation(story_id=story_id, source_id=kept)
            for story_id in citing.exclude(story_id__in=already)
            .values_list("story_id", flat=True)
            .distinct()
        )
        citing.delete()
        RecommendedRead.objects.filter(source_id__in=duplicates).update(source_id=kept)
        Source.objects.filter(pk__in=duplicates).delete()
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys now: PostgreSQL refuses to alter a
        # table with checks still pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_search_index"),
    ]

    operations = [
        migrations.RunPython(merge_case_duplicates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="source",
            name="name",
            field=models.CharField(
                help_text="Unique, ignoring case: “Runrunes” and “runrunes” are one source.",
                max_length=200,
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                Lower("name"),
                name="source_name_unique_ignoring_case",
                violation_error_message=(
                    "A source with this name already exists (names are compared "
                    "ignoring case). Cite that one, or change this name."
                ),
            ),
        ),
    ]
