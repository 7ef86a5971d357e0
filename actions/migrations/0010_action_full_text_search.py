"""Full-text search over actions, on PostgreSQL only (actions/search.py); nothing on SQLite.

- the `unaccent` extension (trusted since PostgreSQL 13: the database's owner may create it);
- two text search configurations read through unaccent: `pti_french` (French stemming) and `pti_simple`;
- `actions_action.search_document`, a stored generated column (number and title weighted A, description B, in both
  configurations), with a GIN index. It is not a field of the model: PostgreSQL alone keeps it up to date.
  A later migration that changes the type of `number`, `title` or `description` drops it first and adds it again
  (PostgreSQL refuses to alter a column a generated column reads).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIGURATIONS = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pti_french') THEN
        CREATE TEXT SEARCH CONFIGURATION pti_french (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION pti_french
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pti_simple') THEN
        CREATE TEXT SEARCH CONFIGURATION pti_simple (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION pti_simple
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
END
$$;
"""

HEAD = "coalesce(number, '') || ' ' || coalesce(title, '')"
BODY = "coalesce(description, '')"
DOCUMENT = " || ".join(
    f"setweight(to_tsvector('{config}'::regconfig, {text}), '{weight}')"
    for config in ("pti_french", "pti_simple")
    for text, weight in ((HEAD, "A"), (BODY, "B"))
)

FORWARD = [
    CONFIGURATIONS,
    f"ALTER TABLE actions_action ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX action_search_document_idx ON actions_action USING gin (search_document)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS action_search_document_idx",
    "ALTER TABLE actions_action DROP COLUMN IF EXISTS search_document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS pti_french",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS pti_simple",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_partner_accounts"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
