"""Accent-insensitive full-text search on PostgreSQL.

Creates the `unaccent` extension and a text search configuration,
`english_unaccent`, that strips accents before English stemming, so the
same configuration folds accents both when documents are indexed and when
queries are parsed ("Tomas" finds "Tomás"). Other databases have neither;
there the search falls back to a simpler match (see newsroom/search/).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CREATE = """
CREATE TEXT SEARCH CONFIGURATION english_unaccent ( COPY = english );
ALTER TEXT SEARCH CONFIGURATION english_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent;"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        UnaccentExtension(),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
