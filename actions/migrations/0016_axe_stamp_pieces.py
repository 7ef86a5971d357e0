"""The axes' counters become counters per piece of an axe (actions.axe_stamps): the old counters and the
triggers that wrote them go; `post_migrate` installs the new triggers and renews the stamps' epoch. The actions
are indexed by their piece (actions.models.PIECE)."""

import django.db.models.expressions
from django.db import migrations, models


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'pti\\_axe\\_stamp\\_%'"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pti_axe_stamp_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0015_axe_stamp"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="AxeStamp"),
        migrations.CreateModel(
            name="AxeStamp",
            fields=[
                ("piece", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "version des chiffres d'un axe",
            },
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                django.db.models.expressions.CombinedExpression(
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.expressions.CombinedExpression(models.F("axe_id"), "*", models.Value(16)),
                        "+",
                        models.F("id"),
                    ),
                    "-",
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.expressions.CombinedExpression(models.F("id"), "/", models.Value(16)),
                        "*",
                        models.Value(16),
                    ),
                ),
                name="action_piece_idx",
            ),
        ),
    ]
