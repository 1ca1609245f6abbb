"""The migration making source names unique ignoring case, on data that breaks it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stories", "0002_search_index")]
AFTER = [("stories", "0003_source_name_unique_ignoring_case")]


def migrate(stories_target):
    """Migrate the stories app to `stories_target`, every other app staying
    at its latest; the historical models at that point."""
    executor = MigrationExecutor(connection)
    executor.migrate(stories_target)
    executor.loader.build_graph()
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "stories"]
    return executor.loader.project_state(others + stories_target).apps


@pytest.fixture
def back_to_latest(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_merges_case_duplicates_into_the_oldest_and_keeps_their_citations(
    back_to_latest,
):
    apps = migrate(BEFORE)
    Series = apps.get_model("issues", "Series")
    Issue = apps.get_model("issues", "Issue")
    Source = apps.get_model("stories", "Source")
    Story = apps.get_model("stories", "Story")
    RecommendedRead = apps.get_model("stories", "RecommendedRead")
    oldest = Source.objects.create(name="Runrunes", slug="runrunes")
    lower = Source.objects.create(name="runrunes", slug="runrunes-2")
    upper = Source.objects.create(name="RUNRUNES", slug="runrunes-3")
    other = Source.objects.create(name="Tal Cual", slug="tal-cual")
    series = Series.objects.create(name="Now What", slug="now-what")
    issue = Issue.objects.create(series=series, number=1, headline="H", slug="h")
    both = Story.objects.create(issue=issue, headline="Both", slug="both")
    both.sources.set([oldest, lower])
    copies = Story.objects.create(issue=issue, headline="Copies", slug="copies")
    copies.sources.set([lower, upper, other])
    read = RecommendedRead.objects.create(issue=issue, source=upper, summary="S")

    apps = migrate(AFTER)

    Source = apps.get_model("stories", "Source")
    Story = apps.get_model("stories", "Story")
    assert sorted(Source.objects.values_list("name", flat=True)) == [
        "Runrunes",
        "Tal Cual",
    ]
    cited = {
        story.headline: sorted(story.sources.values_list("pk", flat=True))
        for story in Story.objects.all()
    }
    assert cited == {"Both": [oldest.pk], "Copies": sorted([oldest.pk, other.pk])}
    assert (
        apps.get_model("stories", "RecommendedRead").objects.get(pk=read.pk).source_id
        == oldest.pk
    )
