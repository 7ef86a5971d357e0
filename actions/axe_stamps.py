"""The axes' stamps: a counter per piece of an axe (`AxeStamp`; a piece is an axe's actions whose id has one
remainder modulo BUCKETS), incremented by database triggers in the transaction that writes what the figures of the
piece's actions read (`axe_tables`), whoever writes it (a save, a bulk update, a deletion, raw SQL, an import).

`actions.figures` keeps the figures of a whole pacte piece by piece, each under its piece's counter (`pti.stamps`
`cached_pieces`), and the sums of each axe's pieces under the counters of that axe's pieces: after a referent's
draft, the statement runs over the few actions of one piece (an axe of 1,200 actions has 16 pieces of 75), and
the other pieces and axes are read from the cache. A write that concerns a whole axe (its thematic referents)
counts in every piece of the axe. An update of a report that changes none of the columns the figures read
(`REPORT_FIELDS`: the report form's autosave of a draft's text) counts in no piece: what is kept under the
counters and shows no report's text (`actions.figures.kept`) stays in the cache.

Consistency: the counter is written in the same transaction as the data, so a reader that sees a counter sees
the data written up to it (a reader computes after it reads the counters: what it caches is never older than the
counter it is kept under). Two transactions writing in one piece take turns on its counter's row until the first
commits (as they would on a counter cache); a transaction that wrote holds its pieces' rows until its commit.

The triggers are (re)installed after every `migrate` (`post_migrate`): SQLite drops a table's triggers when
Django rebuilds the table to alter it. What is written by a table's rebuild or a migration is covered by the
stamps' epoch, which `post_migrate` renews.
"""

import functools

from django.db import connections
from django.db.models.signals import post_migrate

from actions.models import BUCKETS, Action, AxeStamp, Indicator, IndicatorValue, Milestone, ProgressReport
from axes.models import Axe

PREFIX = "pti_axe_stamp_"


def piece_sql(axe, action_id):
    """SQL of the piece of the action `action_id` (SQL) in the axe `axe` (SQL): the formula of the index on the
    actions (`actions.models.PIECE`), for the triggers and for the figures' statement."""
    # The remainder without `%`, which a statement with parameters would read as a placeholder.
    return f"({axe} * {BUCKETS} + {action_id} - ({action_id} / {BUCKETS}) * {BUCKETS})"


def axe_of(piece):
    return piece // BUCKETS


def _every_bucket():
    return " UNION ALL ".join(f"SELECT {bucket} AS n" for bucket in range(BUCKETS))


def _tables():
    """{table: SELECT of the piece(s) a row is in, with `{row}` for the row (OLD or NEW)}."""
    action = Action._meta.db_table
    indicator = Indicator._meta.db_table

    def column(model, field):
        return model._meta.get_field(field).column

    axe = column(Action, "axe")

    def of_action(field):
        return f"SELECT {piece_sql(f'a.{axe}', 'a.id')} AS piece FROM {action} a WHERE a.id = {{row}}.{field}"

    referents = Action.referents.through._meta
    thematic = Axe.thematic_referents.through._meta
    return {
        action: f"SELECT {piece_sql(f'{{row}}.{axe}', '{row}.id')} AS piece",
        ProgressReport._meta.db_table: of_action(column(ProgressReport, "action")),
        indicator: of_action(column(Indicator, "action")),
        IndicatorValue._meta.db_table: (
            f"SELECT {piece_sql(f'a.{axe}', 'a.id')} AS piece FROM {action} a JOIN {indicator} i"
            f" ON i.{column(Indicator, 'action')} = a.id WHERE i.id = {{row}}.{column(IndicatorValue, 'indicator')}"
        ),
        Milestone._meta.db_table: of_action(column(Milestone, "action")),
        referents.db_table: of_action(referents.get_field("action").column),
        # The axe's thematic referents write the reports of its actions without referents: every piece.
        thematic.db_table: (
            f"SELECT {{row}}.{thematic.get_field('axe').column} * {BUCKETS} + b.n AS piece FROM ({_every_bucket()}) b"
        ),
    }


@functools.cache
def axe_tables():
    """The tables whose writes change their axes' counters (and not the whole pacte's figures)."""
    return frozenset(_tables())


STAMP = AxeStamp._meta.db_table


def _upsert(pieces_sql):
    return (
        f"INSERT INTO {STAMP} (piece, version) SELECT s.piece, 1 FROM ({pieces_sql}) s"
        f" WHERE s.piece IS NOT NULL ON CONFLICT (piece) DO UPDATE SET version = {STAMP}.version + 1;"
    )


# The columns of the reports that the figures read (actions.figures reads no other): an update that changes none
# of them (a draft saved again with new text, as the report form's autosave does) counts in no piece.
REPORT_FIELDS = ("action", "year", "state", "status", "progress", "weather")


def _changed_columns(table):
    """The columns of `table` whose update counts (None: any update counts)."""
    if table != ProgressReport._meta.db_table:
        return None
    return [ProgressReport._meta.get_field(name).column for name in REPORT_FIELDS]


def _postgresql(table, pieces):
    function = f"{PREFIX}{table}"
    columns = _changed_columns(table)
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_upsert(pieces.format(row="OLD"))} END IF;
    IF TG_OP <> 'DELETE' THEN {_upsert(pieces.format(row="NEW"))} END IF;
    RETURN NULL;
END $$""",
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"DROP TRIGGER IF EXISTS {function}_update ON {table}",
    ]
    if columns is None:
        return [
            *statements,
            f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    changed = " OR ".join(f'OLD."{column}" IS DISTINCT FROM NEW."{column}"' for column in columns)
    return [
        *statements,
        f"CREATE TRIGGER {function} AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_update AFTER UPDATE ON {table} FOR EACH ROW WHEN ({changed})"
        f" EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table, pieces):
    statements = []
    columns = _changed_columns(table)
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        name = f"{PREFIX}{table}_{event.lower()}"
        body = " ".join(_upsert(pieces.format(row=row)) for row in rows)
        when = ""
        if event == "UPDATE" and columns is not None:
            when = " WHEN " + " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END",
        ]
    return statements


def install(using):
    """Create (or replace) the triggers on `using`'s database."""
    connection = connections[using]
    build = {"postgresql": _postgresql, "sqlite": _sqlite}[connection.vendor]
    with connection.cursor() as cursor:
        for table, pieces in _tables().items():
            for statement in build(table, pieces):
                cursor.execute(statement)


def versions(pacte_ids, using="default"):
    """{piece: its counter} of every piece of the axes of `pacte_ids` (0 for a piece nothing was written in yet):
    one query."""
    axe = Axe._meta.db_table
    placeholders = ", ".join(["%s"] * len(pacte_ids))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT x.id * {BUCKETS} + b.n, COALESCE(s.version, 0) FROM {axe} x CROSS JOIN ({_every_bucket()}) b"
            f" LEFT JOIN {STAMP} s ON s.piece = x.id * {BUCKETS} + b.n"
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
