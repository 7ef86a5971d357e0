"""The axes' stamps: a counter per axe (`AxeStamp`), incremented by database triggers in the transaction that
writes what the figures of the axe's actions read (`axe_tables`), whoever writes it (a save, a bulk update, a
deletion, raw SQL, an import).

`actions.figures` keeps the figures of a whole pacte axe by axe, each under its axe's counter (`pti.stamps`
`cached_pieces`): after a referent's draft, the figures of the other axes are read from the cache and the
statement runs over the actions of one axe.

Consistency: the counter is written in the same transaction as the data, so a reader that sees a counter sees
the data written up to it (a reader computes after it reads the counters: what it caches is never older than the
counter it is kept under). Two transactions writing in one axe take turns on its counter's row until the first
commits (as they would on a counter cache); a transaction that wrote holds its axes' rows until its commit.

The triggers are (re)installed after every `migrate` (`post_migrate`): SQLite drops a table's triggers when
Django rebuilds the table to alter it. What is written by a table's rebuild or a migration is covered by the
stamps' epoch, which `post_migrate` renews.
"""

import functools

from django.db import connections
from django.db.models.signals import post_migrate

from actions.models import Action, AxeStamp, Indicator, IndicatorValue, Milestone, ProgressReport
from axes.models import Axe

PREFIX = "pti_axe_stamp_"


def _tables():
    """{table: SQL of a row's axe, with `{row}` for the row (OLD or NEW)}: how each table's row leads to its axe."""
    action = Action._meta.db_table
    indicator = Indicator._meta.db_table

    def column(model, field):
        return model._meta.get_field(field).column

    def of_action(field):
        return f"(SELECT {column(Action, 'axe')} FROM {action} WHERE id = {{row}}.{field})"

    referents = Action.referents.through._meta
    thematic = Axe.thematic_referents.through._meta
    return {
        action: f"{{row}}.{column(Action, 'axe')}",
        ProgressReport._meta.db_table: of_action(column(ProgressReport, "action")),
        indicator: of_action(column(Indicator, "action")),
        IndicatorValue._meta.db_table: (
            f"(SELECT a.{column(Action, 'axe')} FROM {action} a JOIN {indicator} i ON i.{column(Indicator, 'action')}"
            f" = a.id WHERE i.id = {{row}}.{column(IndicatorValue, 'indicator')})"
        ),
        Milestone._meta.db_table: of_action(column(Milestone, "action")),
        referents.db_table: of_action(referents.get_field("action").column),
        thematic.db_table: f"{{row}}.{thematic.get_field('axe').column}",
    }


@functools.cache
def axe_tables():
    """The tables whose writes change their axes' counters (and not the whole pacte's figures)."""
    return frozenset(_tables())


STAMP = AxeStamp._meta.db_table


def _upsert(axe_sql):
    return (
        f"INSERT INTO {STAMP} (axe_id, version) SELECT axe, 1 FROM (SELECT {axe_sql} AS axe) s"
        f" WHERE axe IS NOT NULL ON CONFLICT (axe_id) DO UPDATE SET version = {STAMP}.version + 1;"
    )


def _postgresql(table, axe):
    function = f"{PREFIX}{table}"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_upsert(axe.format(row="OLD"))} END IF;
    IF TG_OP <> 'DELETE' THEN {_upsert(axe.format(row="NEW"))} END IF;
    RETURN NULL;
END $$""",
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table, axe):
    statements = []
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        name = f"{PREFIX}{table}_{event.lower()}"
        body = " ".join(_upsert(axe.format(row=row)) for row in rows)
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END",
        ]
    return statements


def install(using):
    """Create (or replace) the triggers on `using`'s database."""
    connection = connections[using]
    build = {"postgresql": _postgresql, "sqlite": _sqlite}[connection.vendor]
    with connection.cursor() as cursor:
        for table, axe in _tables().items():
            for statement in build(table, axe):
                cursor.execute(statement)


def versions(pacte_ids, using="default"):
    """{axe id: its counter} of the axes of `pacte_ids` (0 for an axe nothing was written in yet): one query."""
    axe = Axe._meta.db_table
    placeholders = ", ".join(["%s"] * len(pacte_ids))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT x.id, COALESCE(s.version, 0) FROM {axe} x LEFT JOIN {STAMP} s ON s.axe_id = x.id"
            f" WHERE x.{Axe._meta.get_field('pacte').column} IN ({placeholders})",
            list(pacte_ids),
        )
        return dict(cursor.fetchall())


def _on_migrate(sender, using="default", **kwargs):
    if sender.name != "actions":
        return
    with connections[using].cursor() as cursor:
        if STAMP not in connections[using].introspection.table_names(cursor):
            return  # migrated backwards past the table
    install(using)


post_migrate.connect(_on_migrate, dispatch_uid="actions.axe_stamps:migrate")
