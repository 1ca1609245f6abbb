"""A GIN index for full-text search of stories on PostgreSQL.

The search (newsroom/search/postgres.py) matches stories against this exact
expression, the weighted `english_unaccent` vector of headline, body, why it
matters and more information, so PostgreSQL answers from the index. SQLite
has no GIN indexes and searches differently; there this does nothing.
"""

from django.db import migrations

CREATE = """
CREATE INDEX stories_story_search ON stories_story USING gin ((
    setweight(to_tsvector('english_unaccent'::regconfig, COALESCE(headline, '')), 'A')
    || setweight(to_tsvector('english_unaccent'::regconfig, COALESCE(body, '')), 'B')
    || setweight(
        to_tsvector('english_unaccent'::regconfig, COALESCE(why_it_matters, '')), 'B'
    )
    || setweight(
        to_tsvector('english_unaccent'::regconfig, COALESCE(more_information, '')),
        'C'
    )
));
"""
DROP = "DROP INDEX IF EXISTS stories_story_search;"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
        ("newsroom", "0001_search_configuration"),
    ]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
