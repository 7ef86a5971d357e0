"""The pieces' narrower counters, `reports` and `indicators` (actions.axe_stamps.NARROW): the triggers are dropped before the
table is altered (SQLite rebuilds it, and refuses while triggers name it); `post_migrate` installs the new ones and
renews the stamps' epoch."""

from django.db import migrations, models


def drop_triggers(apps, schema_editor):
    from actions import axe_stamps

    axe_stamps.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0016_axe_stamp_pieces"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="axestamp",
            name="reports",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="axestamp",
            name="indicators",
            field=models.BigIntegerField(default=0),
        ),
    ]
