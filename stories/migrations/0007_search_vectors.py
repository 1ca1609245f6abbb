"""Stored, GIN-indexed search vectors of stories and reads, kept by PostgreSQL.

As for issues (issues 0011): a trigger fills each row's vector on insert and
on every update of the text searched, and the migration backfills them. A
read's vector holds its outlet's name, so renaming a source updates the
vectors of its reads (a trigger on the source). SQLite keeps the columns
empty and gets no index: its fallback engine searches the text itself.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

STORY_INDEX = django.contrib.postgres.indexes.GinIndex(
    fields=["search_vector"], name="stories_story_search"
)
READ_INDEX = django.contrib.postgres.indexes.GinIndex(
    fields=["search_vector"], name="stories_read_search"
)

CREATE = """
DROP INDEX IF EXISTS stories_story_search;
CREATE FUNCTION stories_story_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english_unaccent', COALESCE(NEW.headline, '')), 'A')
        || setweight(to_tsvector('english_unaccent', COALESCE(NEW.body, '')), 'B')
        || setweight(
            to_tsvector('english_unaccent', COALESCE(NEW.why_it_matters, '')), 'B'
        )
        || setweight(
            to_tsvector('english_unaccent', COALESCE(NEW.more_information, '')), 'C'
        );
    RETURN NEW;
END
$$;
CREATE TRIGGER stories_story_search_vector
    BEFORE INSERT OR UPDATE OF headline, body, why_it_matters, more_information,
        search_vector
    ON stories_story
    FOR EACH ROW EXECUTE FUNCTION stories_story_search_vector();
UPDATE stories_story SET headline = headline;

CREATE FUNCTION stories_read_document(source bigint, summary text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english_unaccent', COALESCE(
            (SELECT name FROM stories_source WHERE id = source), '')), 'A')
        || setweight(to_tsvector('english_unaccent', COALESCE(summary, '')), 'B')
$$;
CREATE FUNCTION stories_read_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := stories_read_document(NEW.source_id, NEW.summary);
    RETURN NEW;
END
$$;
CREATE TRIGGER stories_read_search_vector
    BEFORE INSERT OR UPDATE OF source_id, summary, search_vector
    ON stories_recommendedread
    FOR EACH ROW EXECUTE FUNCTION stories_read_search_vector();
UPDATE stories_recommendedread SET summary = summary;

CREATE FUNCTION stories_source_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stories_recommendedread SET summary = summary WHERE source_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER stories_source_renamed
    AFTER UPDATE OF name ON stories_source
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION stories_source_renamed();
"""
DROP = """
DROP TRIGGER IF EXISTS stories_source_renamed ON stories_source;
DROP FUNCTION IF EXISTS stories_source_renamed();
DROP TRIGGER IF EXISTS stories_read_search_vector ON stories_recommendedread;
DROP FUNCTION IF EXISTS stories_read_search_vector();
DROP FUNCTION IF EXISTS stories_read_document(bigint, text);
DROP TRIGGER IF EXISTS stories_story_search_vector ON stories_story;
DROP FUNCTION IF EXISTS stories_story_search_vector();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.add_index(apps.get_model("stories", "Story"), STORY_INDEX)
        schema_editor.add_index(
            apps.get_model("stories", "RecommendedRead"), READ_INDEX
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(
            apps.get_model("stories", "RecommendedRead"), READ_INDEX
        )
        schema_editor.remove_index(apps.get_model("stories", "Story"), STORY_INDEX)
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0006_credits_for_writers_and_editors"),
        ("newsroom", "0001_search_configuration"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendedread",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text=(
                    "The outlet's name and the summary; kept up to date by the "
                    "database, a renamed source too (PostgreSQL)."
                ),
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="Kept up to date by the database on every write (PostgreSQL).",
                null=True,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="recommendedread", index=READ_INDEX),
                migrations.AddIndex(model_name="story", index=STORY_INDEX),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
