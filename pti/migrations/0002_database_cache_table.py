"""The table of the database cache (`pti_cache`), which production uses when CACHE_URL names no Redis: created
here, so that `migrate` is all a deployment needs (Django's `createcachetable` does the same, and is skipped if
the table exists)."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "pti_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("pti", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
