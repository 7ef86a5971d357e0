"""The data stamps: values in the shared cache that change after every write to the data a cached result reads,
so that a figure computed over a whole pacte (a statement over thousands of actions and reports) is computed once
and then served from the cache until something it reads changes.

- `watch(*models)` names the models a cached result reads: `actions` watches the plan, the actions and all that
  hangs on them, and the users (`figures.watched_models`); `bilans` its campaigns and reminders, `pilotage` its
  COPILs and decisions. Every connection runs its statements through `_watch_statements`, which renews the stamps
  after any INSERT, UPDATE or DELETE of a watched table or of its many-to-many tables, whoever sends it (a
  save, a deletion, `QuerySet.update` on any model, `bulk_create`, raw SQL, a data migration); an UPDATE that
  sets only `UNWATCHED_FIELDS` (a sign-in's date) does not.
- Two grains: the data's stamp (`current`) changes after a write to any watched table; a table's stamp
  (`current_of`) after a write to that table. A result computed by one statement follows the tables its SQL names
  (`tables_in`): a report's save (the reports' table, the action's) leaves the referents and partners a list
  filter offers, the partner directory's counts, the plan's pactes and axes. A result computed by code that may
  read anything (a rendered part of a page) follows the data's stamp.
- `cached(parts, compute, tables=None)` returns `compute()` from the cache under `parts` and the current stamp(s),
  or computes and stores it; `rows(queryset)`, `count(queryset)` and `page(queryset, per_page, number)` do it for a
  query, under its tables' stamps; `cached_pieces(parts, pieces, compute)` keeps a result in pieces, each under
  its own version read from the database (a pacte's figures, axe by axe, under the counters the database's
  triggers keep: `actions.axe_stamps`).
  What uses it: the figures' statement (`actions.figures`), the dashboard's indicators, the parts of pages
  rendered once for every reader (`pti.fragments`), the campaign's completion and the reminders' preview
  (`bilans.campaigns`), the plan's counts, the list filters' options (`pti.widgets.StampedSelect`), the partner
  directory, the count of a paginated list and the keys of a ranked page (`pti.paging`).

Consistency, with several gunicorn processes and Celery workers side by side (the cache is Redis or the
database's table in production, `pti.settings.CACHES`):
- the stamps change **after the commit** of the write (`transaction.on_commit`): a reader that cached the old
  figures before the commit did so under the old stamp, which nobody reads any more;
- inside a transaction that wrote watched data, results are computed afresh and not cached: the request that
  saved a report reads its own write, and nobody else gets figures that could still be rolled back (the tests,
  each inside one transaction, therefore read what they wrote);
- a write made on another connection than Django's (a `psql` session, another program) shows at most
  `RESULT_SECONDS` later, when the cached result expires (`post_migrate` changes the stamp too); the pieces of a
  result kept piece by piece (`cached_pieces`: a pacte's figures, each under the counter of its piece that the
  database's triggers move, whoever writes) are kept `PIECE_SECONDS`, and so is what is named by these counters
  (the sums of a pacte's pieces, `actions.figures.kept`) or by its own content (`pti.fragments.cached(...,
  content=…)`), and so are the list filters' options (`pti.widgets.StampedSelect`, under their tables' stamps):
  a write of the actions and their reports shows there at once whoever made it, a write of another
  table (the plan's axes, the users, the partners, the campaigns) made outside Django at most a day later (`manage.py
  warm_caches --renew` renews every stamp at once: after such a write, or a restored backup);
- a stamp evicted from the cache is replaced by a new one: everything that follows it is computed afresh; what is
  kept under versions read from the database alone (`stamp=`: a pacte's pieces and their sums, under the
  counters of `actions.axe_stamps`, which follow every table they read, and the database's epoch) does not
  follow the cache's stamps;
- every entry is named by the code that made it (`release`: a hash of the project's modules, templates, static
  files, translations and requirements): the processes of a new deployment, migration or not, read nothing
  rendered or computed by the code it replaced (the processes of the old one, during a rolling restart, keep
  theirs), and the servers of one deployment share their entries wherever they are checked out;
- `renew()` (`manage.py warm_caches --renew`, after a restored backup, whose counters went back in time, or data
  written outside PTI) renews every stamp and the database's epoch (`RENEWALS`): nothing kept before is read
  again.
"""

import functools
import hashlib
import re
import uuid

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

KEY = "pti:data-stamp"  # changes after every write to a watched table
EPOCH = "pti:data-stamp:epoch"  # changes when everything may have changed (a migration, `changed()` without table)
TABLE_KEY = "pti:data-stamp:table:"  # + a table's name: changes after every write to that table
RESULT_SECONDS = 10 * 60
# A piece is named by its statement, which holds the day's date (a new day is a new statement): kept a day and a
# little more, it outlives the day it is computed for, and what the night's warming (pti.warm) computed lasts
# until the next one.
PIECE_SECONDS = 26 * 60 * 60
_CALLBACK = "pti_stamps_renew"  # a connection's own callback, pending in its on-commit list after a write
_WRITTEN = "pti_stamps_written"  # the tables its open transaction wrote (None in it: everything)


def _new():
    return uuid.uuid4().hex


# Called when the cache has lost its stamps, the data's or the epoch (Redis restarted or emptied, a first start):
# everything kept is lost with them; apps register what to do then (`pti.warm.when_cache_lost` queues the warming
# of the main pages).
ON_LOSS = []


def _read(keys):
    """The stamps under `keys` (one read of the cache), a new one for each the cache has lost."""
    found = cache.get_many(keys)
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        for key in missing:
            cache.add(key, _new(), None)
        found.update(cache.get_many(missing))
        if KEY in missing or EPOCH in missing:
            for hook in ON_LOSS:
                hook()
    return tuple(found.get(key) or _new() for key in keys)


def current():
    """The stamp now (a new one when the cache has none): it changes after every write to watched data."""
    return _read([KEY])[0]


def current_of(tables):
    """The stamp of what reads only `tables`: it changes after a write to one of them (or a migration), not after
    a write elsewhere."""
    return _read([EPOCH, *(TABLE_KEY + table for table in tables)])


def _renew(tables=None):
    """New stamps: the data's, and `tables`' (every table's when None)."""
    values = {KEY: _new()}
    if tables is None or None in tables:
        values[EPOCH] = _new()
    else:
        values.update({TABLE_KEY + table: _new() for table in tables})
    cache.set_many(values, None)


def _flush(connection):
    written = getattr(connection, _WRITTEN, None) or set()
    setattr(connection, _WRITTEN, set())
    _renew(written)


def _callback(connection):
    callback = getattr(connection, _CALLBACK, None)
    if callback is None:
        callback = lambda: _flush(connection)  # noqa: E731 - one object per connection, found in its on-commit list
        setattr(connection, _CALLBACK, callback)
    return callback


def _pending(connection):
    """Whether the open transaction wrote watched data (a rolled-back write, savepoint or transaction, drops its
    callback with it: Django empties the on-commit list of what was rolled back)."""
    callback = getattr(connection, _CALLBACK, None)
    return callback is not None and any(entry[1] is callback for entry in connection.run_on_commit)


def changed(using=DEFAULT_DB_ALIAS, table=None):
    """Watched data changed on `using` (in `table`; anywhere when None): new stamps once the transaction commits
    (at once outside one). The tables of a rolled-back write may still be renewed with the next commit's: a
    result computed again for nothing, never one kept past a change."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _renew({table})
        return
    written = getattr(connection, _WRITTEN, None)
    if written is None:
        written = set()
        setattr(connection, _WRITTEN, written)
    written.add(table)
    if not _pending(connection):
        transaction.on_commit(_callback(connection), using=using)


# What else must be forgotten when everything is (`renew`): apps register a function of the database's alias (the
# database's own epoch, under which what is kept under its counters alone is named: `actions.axe_stamps`).
RENEWALS = []


def renew(using=DEFAULT_DB_ALIAS):
    """Forget everything kept (`manage.py warm_caches --renew`: after a restored backup, whose counters went back
    in time, or data written outside PTI): every stamp, and what is kept under the database's counters alone."""
    for renewal in RENEWALS:
        renewal(using)
    changed(using)


def reads_own_writes(using=DEFAULT_DB_ALIAS):
    """Whether the open transaction on `using` wrote watched data: it computes afresh, and caches nothing."""
    connection = connections[using]
    return connection.in_atomic_block and _pending(connection)


@functools.cache
def release():
    """A hash of the code and the files that make what is kept (the Python modules, templates, static files and
    translations of the project's own apps, and the templates', static files' and translations' folders the
    settings name): part of every entry's name, so that a deployment that changes a template, a figure's code or
    a translation serves nothing rendered or computed by the code it replaced, migration or not. Read once per
    process."""
    return _release_of(_release_roots(), _base())


def _base():
    from pathlib import Path

    from django.conf import settings

    return Path(settings.BASE_DIR).resolve()


def _release_roots():
    """The folders and files `release` hashes: the project's own apps, the templates', static files' and
    translations' folders of the settings, and requirements.txt (not the packages of a virtualenv inside the
    project: their versions are there)."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    roots = [Path(config.path).resolve() for config in apps.get_app_configs()]
    for engine in settings.TEMPLATES:
        roots += [Path(folder).resolve() for folder in engine.get("DIRS", ())]
    roots += [Path(folder).resolve() for folder in (*getattr(settings, "STATICFILES_DIRS", ()), *settings.LOCALE_PATHS)]
    base = _base()
    own = [root for root in roots if root.is_relative_to(base) and "site-packages" not in root.parts]
    return [*own, base / "requirements.txt"]


_RELEASE_SUFFIXES = frozenset({".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".mo", ".json"})


def _release_of(roots, base):
    """The hash of the files `roots` (folders and files) hold whose suffix is one of `_RELEASE_SUFFIXES`: their
    path from `base` and their content, the same on every server of a deployment wherever it is checked out; the
    tests left out."""
    digest = hashlib.sha256()
    files = set()
    for root in roots:
        if root.is_file():
            files.add(root)
        elif root.is_dir():
            files.update(path for path in root.rglob("*") if path.suffix in _RELEASE_SUFFIXES)
    for path in sorted(files):
        name = path.relative_to(base)
        if "tests" in name.parts or "__pycache__" in name.parts or not path.is_file():
            continue
        digest.update(name.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _key(parts):
    return "pti:stamped:" + hashlib.sha256(repr((release(), parts)).encode()).hexdigest()


def _stamp(tables):
    """The stamp(s) a result reading `tables` is kept under (the data's when None)."""
    return current() if tables is None else current_of(tables)


def cached(parts, compute, using=DEFAULT_DB_ALIAS, tables=None, seconds=None, stamp=None):
    """`compute()`, from the cache when the same `parts` (a repr-able value naming the result: a statement and its
    parameters) were computed since the last change of the data it reads: `tables` (`tables_in(sql)`), or any
    watched data when None; kept `seconds` at most (`RESULT_SECONDS` when None; `PIECE_SECONDS` for a result
    named by the pieces' counters it is computed from, or by its own content). `stamp`: what it is kept under
    instead of the cache's stamps, versions read from the database that follow everything it reads (the
    counters of `actions.axe_stamps`)."""
    if reads_own_writes(using):
        return compute()
    # One entry per result, holding the stamp it was computed under: the cache keeps as many entries as there
    # are different results asked for, however often the data changes (the database cache culls only at its
    # MAX_ENTRIES). Two processes storing the same entry under two stamps: the next reader computes it again.
    key = _key(parts)
    stamp = _stamp(tables) if stamp is None else stamp
    entry = cache.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    result = compute()
    cache.set(key, (stamp, result), RESULT_SECONDS if seconds is None else seconds)
    return result


def cached_pieces(parts, pieces, compute, using=DEFAULT_DB_ALIAS, tables=None, stamp=None):
    """{piece: value} of a result kept in pieces (a pacte's figures, axe by axe), each with its own version
    (`pieces`: {piece: version}, read from the database before the call): a piece is read from the cache when it was
    computed under the same version and the same stamps (of `tables`, or of any watched data when None; `stamp`
    instead, as for `cached`); `compute(stale)` returns {piece: value} for the others, all at once (nothing is
    computed when none is stale)."""
    if reads_own_writes(using):
        return compute(list(pieces))
    base = _key(parts) + ":"
    stamp = _stamp(tables) if stamp is None else stamp
    keys = {piece: base + str(piece) for piece in pieces}
    piece_of = {key: piece for piece, key in keys.items()}

    def compute_keys(missing):
        stale = [piece_of[key] for key in missing]
        computed = compute(stale)
        return {keys[piece]: computed[piece] for piece in stale}

    expected = {keys[piece]: (stamp, version) for piece, version in pieces.items()}
    found = _read_many(expected, compute_keys, PIECE_SECONDS)
    return {piece: found[keys[piece]] for piece in pieces}


def cached_many(names, compute, using=DEFAULT_DB_ALIAS, tables=None, seconds=None):
    """[the result named by each of `names`], as `cached` would give them one by one, in one read of the cache:
    `compute(missing)` returns the results of the names not found (their positions in `names`, in order), all at
    once, and they are stored in one write (the rows of a table, each named by what it shows)."""
    if reads_own_writes(using):
        return compute(list(range(len(names))))
    keys = [_key(name) for name in names]
    first = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)

    def compute_keys(missing):
        return dict(zip(missing, compute([first[key] for key in missing]), strict=True))

    found = _read_many(
        dict.fromkeys(keys, _stamp(tables)), compute_keys, RESULT_SECONDS if seconds is None else seconds
    )
    return [found[key] for key in keys]


def _read_many(expected, compute, seconds):
    """{key: value} of the entries named by `expected` ({key: the stamp its entry must hold}), in one read of the
    cache; `compute(missing keys)` returns {key: value} of the others, all at once, stored in one write."""
    found = cache.get_many(list(expected))
    result, missing = {}, []
    for key, stamp in expected.items():
        entry = found.get(key)
        if entry is not None and entry[0] == stamp:
            result[key] = entry[1]
        else:
            missing.append(key)
    if missing:
        computed = compute(missing)
        cache.set_many({key: (expected[key], computed[key]) for key in missing}, seconds)
        result.update(computed)
    return result


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1024)
def _words(sql):
    return frozenset(_WORD.findall(sql))


def tables_in(sql):
    """The watched tables that `sql` names (quoted or not, in a join, a subquery or raw SQL): what a result computed
    by it reads. A word of the text that happens to be a table's name only makes the result follow one table
    more."""
    return tuple(sorted(_words(sql) & WATCHED_TABLES))


def statement(queryset):
    """What names `queryset`'s result in the cache: its model, its SQL and parameters (None when it can match
    nothing)."""
    try:
        return (queryset.model._meta.label, *queryset.query.sql_with_params())
    except EmptyResultSet:
        return None


def rows(queryset, using=DEFAULT_DB_ALIAS):
    """`list(queryset)`, from the cache while the data is unchanged; read afresh each time for a model that is not
    watched (its writes would not change the stamp)."""
    if not is_watched(queryset):
        return list(queryset)
    named = statement(queryset)
    if named is None:
        return []
    return cached(("rows", *named), lambda: list(queryset), using, tables_in(named[1]))


def count(queryset, using=DEFAULT_DB_ALIAS):
    """`queryset.count()`, from the cache while the data is unchanged; counted each time for a model that is not
    watched."""
    if not is_watched(queryset):
        return queryset.count()
    named = statement(queryset)
    if named is None:
        return 0
    return cached(("count", *named), queryset.count, using, tables_in(named[1]))


def page(queryset, per_page, number):
    """The page `number` of `queryset` (Django's `Paginator.get_page`: past the last page, the last), its count
    and its rows read from the cache while the data is unchanged: a list whose every row is a figure over
    thousands of others (a partner's actions) costs, once computed, what a short one costs."""
    from django.core.paginator import Paginator

    paginator = Paginator(queryset, per_page)
    paginator.count = count(queryset)  # a cached_property: set once, read by get_page
    result = paginator.get_page(number)
    result.object_list = rows(result.object_list)
    return result


# Saves of bookkeeping only (a sign-in's date) change nothing a figure reads.
UNWATCHED_FIELDS = frozenset({"last_login"})


WATCHED = set()  # the models whose writes renew the stamp (`watch`)
WATCHED_TABLES = set()  # their tables and their many-to-many tables
# SQLite's many-to-many additions are "INSERT OR IGNORE INTO".
_WRITE = re.compile(r'\s*(?:UPDATE|INSERT\s+(?:OR\s+\w+\s+)?INTO|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE)


def _watch_statements(execute, sql, params, many, context):
    """Every SQL statement that writes a watched table, whoever sends it (a save, a deletion, a many-to-many
    change, `QuerySet.update` or `bulk_create` on any model, a data migration, raw SQL), changes the stamp once it
    has run: the one place where writes are seen."""
    result = execute(sql, params, many, context)
    if sql[:6].upper() in ("UPDATE", "INSERT", "DELETE") or sql[:1].isspace():
        match = _WRITE.match(sql)
        if match and match.group(1) in WATCHED_TABLES and not _bookkeeping(sql):
            changed(context["connection"].alias, match.group(1))
    return result


_ASSIGNED = re.compile(r'[`"](\w+)[`"]\s*=')


def _bookkeeping(sql):
    """Whether `sql` is an UPDATE that sets only columns no figure reads (a sign-in's date)."""
    head, _set, rest = sql.partition(" SET ")
    if not head.lstrip()[:6].upper() == "UPDATE" or not rest:
        return False
    assigned = set(_ASSIGNED.findall(rest.split(" WHERE ", 1)[0]))
    return bool(assigned) and assigned <= UNWATCHED_FIELDS


def _install(connection, **kwargs):
    if _watch_statements not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_statements)


connection_created.connect(_install, dispatch_uid="pti.stamps:statements")


def is_watched(queryset):
    """Whether `queryset`'s rows are of a watched model (its count or rows may then be kept under the stamp)."""
    return queryset.model in WATCHED


def watch(*models):
    """Change the stamp after every statement that writes the tables of `models` or of their many-to-many fields
    (`_watch_statements`): saves, deletions, many-to-many changes, bulk writes and raw SQL alike."""
    for connection in connections.all(initialized_only=True):
        _install(connection)
    for model in models:
        WATCHED.add(model)
        WATCHED_TABLES.add(model._meta.db_table)
        WATCHED_TABLES.update(field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many)


def _on_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    try:
        changed(using)
    except DatabaseError:  # the cache's own table is not there yet (the first `migrate` of a database cache)
        pass


post_migrate.connect(_on_migrate, dispatch_uid="pti.stamps:migrate")
