"""A stored, GIN-indexed search vector per issue, kept up to date by PostgreSQL.

Searching used to compute each issue's vector at query time (an expression
index only helped to find the matches; ranking them re-read every match's
text). The vector is now a column that a trigger fills on every insert and on
every update of the headline or the dek, however the row is written (a save,
a bulk insert, an import, a revision restored), and the migration backfills
it. SQLite has no full-text search of this kind: there the column stays empty
and the index is not created (the fallback engine searches the text itself).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

INDEX = django.contrib.postgres.indexes.GinIndex(
    fields=["search_vector"], name="issues_issue_search"
)

CREATE = """
DROP INDEX IF EXISTS issues_issue_search;
CREATE FUNCTION issues_issue_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english_unaccent', COALESCE(NEW.headline, '')), 'A')
        || setweight(to_tsvector('english_unaccent', COALESCE(NEW.dek, '')), 'B');
    RETURN NEW;
END
$$;
CREATE TRIGGER issues_issue_search_vector
    BEFORE INSERT OR UPDATE OF headline, dek, search_vector ON issues_issue
    FOR EACH ROW EXECUTE FUNCTION issues_issue_search_vector();
UPDATE issues_issue SET headline = headline;
"""
DROP = """
DROP TRIGGER IF EXISTS issues_issue_search_vector ON issues_issue;
DROP FUNCTION IF EXISTS issues_issue_search_vector();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.add_index(apps.get_model("issues", "Issue"), INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("issues", "Issue"), INDEX)
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0011_pending_edits"),
        ("newsroom", "0001_search_configuration"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text=(
                    "Headline and dek as PostgreSQL searches them; the database "
                    "keeps it up to date on every write (a trigger, see the "
                    "migration)."
                ),
                null=True,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="issue", index=INDEX)],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
