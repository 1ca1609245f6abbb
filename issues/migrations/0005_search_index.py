"""A GIN index for full-text search of issues on PostgreSQL.

The search (newsroom/search/postgres.py) matches issues against this exact
expression, the weighted `english_unaccent` vector of headline and dek, so
PostgreSQL answers from the index instead of reading every row. SQLite has
no GIN indexes and searches differently; there this migration does nothing.
"""

from django.db import migrations

CREATE = """
CREATE INDEX issues_issue_search ON issues_issue USING gin ((
    setweight(to_tsvector('english_unaccent'::regconfig, COALESCE(headline, '')), 'A')
    || setweight(to_tsvector('english_unaccent'::regconfig, COALESCE(dek, '')), 'B')
));
"""
DROP = "DROP INDEX IF EXISTS issues_issue_search;"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0004_lead_image_checks"),
        ("newsroom", "0001_search_configuration"),
    ]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
