"""The axes' stamps: a counter per piece of an axe (`AxeStamp`; a piece is an axe's actions whose id has one
remainder modulo BUCKETS), incremented by database triggers in the transaction that writes what the figures of the
piece's actions read (`axe_tables`), whoever writes it (a save, a bulk update, a deletion, raw SQL, an import).

`actions.figures` keeps the figures of a whole pacte piece by piece, each under its piece's counter (`pti.stamps`
`cached_pieces`), and the sums of each axe's pieces under the counters of that axe's pieces: after a referent's
draft, the statement runs over the few actions of one piece (an axe of 1,200 actions has 16 pieces of 75), and
the other pieces and axes are read from the cache. A write that concerns a whole axe (its thematic referents)
counts in every piece of the axe. An update of a report that changes none of the columns the figures read
(`REPORT_FIELDS`: the report form's autosave of a draft's text) counts in no piece: what is kept under the
counters and shows no report's text (`actions.figures.kept`) stays in the cache. Narrower counters (`NARROW`)
count only the writes that change what some results read: `reports`, what the report counts read (a progress
saved leaves the campaign's completion and the reminders' preview in the cache); `indicators`, what the
dashboard's indicators and budgets read (no report counts there).

Consistency: the counter is written in the same transaction as the data, so a reader that sees a counter sees
the data written up to it (a reader computes after it reads the counters: what it caches is never older than the
counter it is kept under). Two transactions writing in one piece take turns on its counter's row until the first
commits (as they would on a counter cache); a transaction that wrote holds its pieces' rows until its commit.

The plan's tables have a counter each too (`plan_pieces`: rows of `AxeStamp` that are no axe's piece),
incremented by triggers after every write to them (`plan_tables`: pactes, axes, objectives, closed years, users; not a
sign-in's date): the figures' pieces and their sums read nothing else (the axes' numbers, the objectives, the
referents' names), so they are kept under database counters alone (`actions.figures._filled`) and the database's
epoch (`EPOCH`), and survive a lost stamp of the cache; `manage.py warm_caches --renew` draws a new epoch (after a
restored backup, whose counters went back to values the cache has seen), and a new release of the code names
every entry anew (`pti.stamps.release`).

The triggers are (re)installed after every `migrate` (`post_migrate`): SQLite drops a table's triggers when
Django rebuilds the table to alter it. What is written by a table's rebuild or a migration is covered by the
stamps' epoch, which `post_migrate` renews, and by the plan's counters, which a `migrate` that applied a
migration increments (`plan_changed`).
"""

import functools

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models.signals import post_migrate

from actions.models import BUCKETS, Action, AxeStamp, Indicator, IndicatorValue, Milestone, ProgressReport
from axes.models import Axe, ClosedYear, Objectif, Pacte
from pti import stamps

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


@functools.cache
def plan_pieces():
    """{table: its counter's piece} of the plan's tables and the users' (no axe's piece: an axe's pieces are its
    id, from 1, times BUCKETS plus a remainder)."""
    models = (Pacte, Axe, Objectif, ClosedYear, get_user_model())
    return {model._meta.db_table: number for number, model in enumerate(models, start=1)}


# The database's epoch: a row of `STAMP` that is no counter (no axe's piece, no table's), a random number that
# `manage.py warm_caches --renew` draws again (`renew_epoch`). What is kept under the database's counters alone is
# named by it too: a restored backup brings its counters back to values they had before, under which the cache may
# keep what was computed from other data; after `--renew`, nothing kept before is read again.
EPOCH = 0
EPOCH_NAME = "epoch"


def renew_epoch(using="default"):
    """Draw a new epoch of the database (`pti.stamps.renew`): what is kept under its counters alone is computed
    again."""
    import secrets

    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STAMP} (piece, version, {', '.join(NARROW)}) VALUES (%s, %s{', 0' * len(NARROW)})"
            f" ON CONFLICT (piece) DO UPDATE SET version = excluded.version",
            [EPOCH, secrets.randbelow(2**62) + 1],
        )


def plan_tables():
    """The tables that have a counter of their own."""
    return frozenset(plan_pieces())


@functools.cache
def _unwritten():
    """The names a statement gives its own parts, which no write reaches (the year facts' rows)."""
    from django.apps import apps

    return frozenset(
        model._meta.db_table for model in apps.get_app_config("actions").get_models() if not model._meta.managed
    )


def under_counters(tables):
    """Whether a statement reading `tables` reads nothing that the database's counters (the pieces' and the
    plan's) do not follow."""
    return set(tables) <= axe_tables() | plan_tables() | _unwritten()


STAMP = AxeStamp._meta.db_table


# The columns of the reports that the figures read (actions.figures reads no other): an update that changes none
# of them (a draft saved again with new text, as the report form's autosave does) counts in no piece.
REPORT_FIELDS = ("action", "year", "state", "status", "progress", "weather")

_PLACE = ("pacte", "axe", "objectif", "number", "sort_key", "title")

# Besides `version` (every write the figures read), each piece has narrower counters, each moved only by the
# writes that change what some results read; those results are kept under it (`actions.figures.kept(...,
# counter=…)`). Per counter, {model: the columns whose update counts (an insert or a deletion always counts)};
# the referents' tables count in a counter when `referents` is true; a model not named counts in none.
# - `reports`: what the report counts read (who owes which report, due or not, transmitted, draft or missing: the
#   campaign's completion and the reminders' preview): a report's action, year, state and status (the status of
#   the last report transmitted says whether the action was finished before a year); an action's place in the
#   plan, number, title, dates and status, which the owed reports' lists show; the referents. Not a progress, a
#   weather, an indicator, a milestone, nor an action's texts.
# - `indicators`: what the dashboard's indicators and budgets read: the indicators and their values, an action's
#   place in the plan, number and title. Not the reports, milestones or referents.
NARROW = {
    "reports": {
        "models": {
            ProgressReport: ("action", "year", "state", "status"),
            Action: (*_PLACE, "start_date", "end_date", "status", "status_date"),
        },
        "referents": True,
    },
    "indicators": {
        "models": {Indicator: None, IndicatorValue: None, Action: _PLACE},
        "referents": False,
    },
}
COUNTERS = ("version", *NARROW)


def _columns(model, names):
    return [model._meta.get_field(name).column for name in names]


def _changed_columns(table):
    """The columns of `table` whose update counts in `version` (None: any update counts)."""
    if table == ProgressReport._meta.db_table:
        return _columns(ProgressReport, REPORT_FIELDS)
    user = get_user_model()
    if table == user._meta.db_table:  # not a sign-in's date
        return [field.column for field in user._meta.concrete_fields if field.name not in stamps.UNWATCHED_FIELDS]
    return None


def _rule(counter, table):
    """How a write to `table` counts in `counter`: True (always), False (never), or the columns whose update
    counts."""
    for model, names in NARROW[counter]["models"].items():
        if table == model._meta.db_table:
            return True if names is None else _columns(model, names)
    referents = {Action.referents.through._meta.db_table, Axe.thematic_referents.through._meta.db_table}
    return NARROW[counter]["referents"] if table in referents else False


def _distinct(columns, operator):
    return " OR ".join(f'OLD."{column}" {operator} NEW."{column}"' for column in columns)


def _increment(rule, operator, update):
    """SQL of 1 or 0: how much a write counts in a counter of `rule`. `update`: whether the write is an update
    (True, False, or SQL true on an update, for a trigger function that serves every event); an insert and a
    deletion count whenever the rule is not False."""
    if rule is True or rule is False:
        return "1" if rule else "0"
    if update is False:
        return "1"
    if update is True:
        return f"CASE WHEN {_distinct(rule, operator)} THEN 1 ELSE 0 END"
    return f"CASE WHEN NOT ({update}) OR {_distinct(rule, operator)} THEN 1 ELSE 0 END"


def _upsert(pieces_sql, increments):
    """Count a write in the pieces `pieces_sql` selects: `version` by 1, each narrow counter by its increment
    (`increments`: {counter: SQL of 1 or 0})."""
    names = ", ".join(NARROW)
    values = ", ".join(increments[name] for name in NARROW)
    updates = ", ".join(f"{name} = {STAMP}.{name} + excluded.{name}" for name in NARROW)
    return (
        f"INSERT INTO {STAMP} (piece, version, {names}) SELECT s.piece, 1, {values} FROM ({pieces_sql}) s"
        f" WHERE s.piece IS NOT NULL ON CONFLICT (piece) DO UPDATE SET version = {STAMP}.version + 1, {updates};"
    )


def _postgresql(table, pieces):
    function = f"{PREFIX}{table}"
    columns = _changed_columns(table)
    increments = {name: _increment(_rule(name, table), "IS DISTINCT FROM", "TG_OP = 'UPDATE'") for name in NARROW}
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_upsert(pieces.format(row="OLD"), increments)} END IF;
    IF TG_OP <> 'DELETE' THEN {_upsert(pieces.format(row="NEW"), increments)} END IF;
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
    return [
        *statements,
        f"CREATE TRIGGER {function} AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_update AFTER UPDATE ON {table} FOR EACH ROW"
        f" WHEN ({_distinct(columns, 'IS DISTINCT FROM')}) EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table, pieces):
    """Row triggers (SQLite has no others), one per event; an update's increments are read from OLD and NEW."""
    columns = _changed_columns(table)
    statements = []
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        name = f"{PREFIX}{table}_{event.lower()}"
        increments = {counter: _increment(_rule(counter, table), "IS NOT", event == "UPDATE") for counter in NARROW}
        body = " ".join(_upsert(pieces.format(row=row), increments) for row in rows)
        when = f" WHEN {_distinct(columns, 'IS NOT')}" if event == "UPDATE" and columns is not None else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END",
        ]
    return statements


def uninstall(connection):
    """Drop the triggers (before a migration rebuilds `STAMP`: SQLite refuses to rename a table that triggers
    name); `post_migrate` installs them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s", [PREFIX + "%"]
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def install(using):
    """Create (or replace) the triggers on `using`'s database."""
    connection = connections[using]
    build = {"postgresql": _postgresql, "sqlite": _sqlite}[connection.vendor]
    plan = {table: f"SELECT {piece} AS piece" for table, piece in plan_pieces().items()}
    with connection.cursor() as cursor:
        for table, pieces in {**_tables(), **plan}.items():
            for statement in build(table, pieces):
                cursor.execute(statement)


def plan_changed(using="default"):
    """Count a write in every plan table's counter (after a migration: what it wrote may have passed no
    trigger)."""
    every = " UNION ALL ".join(f"SELECT {piece} AS piece" for piece in plan_pieces().values())
    with connections[using].cursor() as cursor:
        cursor.execute(_upsert(every, dict.fromkeys(NARROW, "1")))


def versions(pacte_ids, using="default", counter="version"):
    """{piece: its counter} of every piece of the axes of `pacte_ids` (of every pacte when None; 0 for a piece
    nothing was written in yet): one query. `counter`: "version" (every write the figures read) or a narrow one
    (NARROW: "reports", those the report counts read; "indicators", those the dashboard's indicators and budgets
    read)."""
    return with_plan(pacte_ids, using, counter)[0]


def with_plan(pacte_ids, using="default", counter="version"):
    """(`versions(...)`, {plan table: its counter, and `EPOCH_NAME`: the database's epoch}), in one query."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    axe = Axe._meta.db_table
    where, params = "", []
    if pacte_ids is not None:
        params = list(pacte_ids)
        where = f" WHERE x.{Axe._meta.get_field('pacte').column} IN ({', '.join(['%s'] * len(params))})"
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT x.id * {BUCKETS} + b.n, COALESCE(s.{counter}, 0) FROM {axe} x CROSS JOIN ({_every_bucket()}) b"
            f" LEFT JOIN {STAMP} s ON s.piece = x.id * {BUCKETS} + b.n{where}"
            f" UNION ALL SELECT p.piece, p.{counter} FROM {STAMP} p WHERE p.piece < {BUCKETS}",
            params,
        )
        found = dict(cursor.fetchall())
    epoch = found.pop(EPOCH, 0)
    return found, {**{table: found.pop(piece, 0) for table, piece in plan_pieces().items()}, EPOCH_NAME: epoch}


def _on_migrate(sender, using="default", plan=None, **kwargs):
    if sender.name != "actions":
        return
    with connections[using].cursor() as cursor:
        if STAMP not in connections[using].introspection.table_names(cursor):
            return  # migrated backwards past the table
    install(using)
    if plan:  # a migration was applied: what it wrote, while the triggers were dropped, counts
        plan_changed(using)


post_migrate.connect(_on_migrate, dispatch_uid="actions.axe_stamps:migrate")
