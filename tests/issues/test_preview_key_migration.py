"""Migrating gives every existing issue a preview key of its own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("issues", "0006_lead_image_random_names")]
AFTER = [("issues", "0007_issue_preview_key")]


@pytest.mark.django_db(transaction=True)
def test_existing_issues_get_different_preview_keys():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    series = old_apps.get_model("issues", "Series").objects.create(
        name="Old series", slug="old-series"
    )
    Issue = old_apps.get_model("issues", "Issue")
    for number in (1, 2, 3):
        Issue.objects.create(
            series=series, number=number, headline=f"Old {number}", slug=f"old-{number}"
        )
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new_apps = executor.loader.project_state(AFTER).apps
        keys = list(
            new_apps.get_model("issues", "Issue").objects.values_list(
                "preview_key", flat=True
            )
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert len(keys) == 3
    assert len(set(keys)) == 3
    assert all(len(key) >= 20 for key in keys)
