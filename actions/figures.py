"""The figures of PTI, each defined once, here (docs/indicateurs.md says in French what each one means).

Every page, export, API field, e-mail and PDF that shows "report due", "late", "mean progress" or "indicator
on target" reads it from this module; nothing re-derives them.

Two layers:

- **Rules**: each figure's condition is one Django `Q` object (or `Case` expression) over the columns of an
  action in a year (`ActionYear`) or of an indicator in a year (`IndicatorYear`): `due_q`, `late_q`,
  `unchanged_q`, `in_mean_q`, `indicator_state`… Django compiles the same object against a real table
  (`Action.objects.filter(late_q(today))`, the live state) and against the rows computed below.
- **The state of every action in a year, in SQL**: `compute(periods, actions)` computes, in one statement,
  one row per action and period (a pacte's year) with its status and progress in that year, its previous
  year's, the state of its report, the number of its indicators in each state, and the 0/1 flags of the rules.
  It sums them per axe (or objective) and per status, and lists the rows a page needs, so a page's query count
  and its memory do not grow with the number of actions.
- **Kept piece by piece**: over a whole pacte, the statement's rows are kept in the cache by piece of an axe (a
  sixteenth of its actions), each under its piece's counter (`actions.axe_stamps`, incremented by the database in
  the transaction of every write in the piece): after a report is saved, the statement runs over the actions of
  its piece alone, an axe's figures are the sums of its pieces' rows and the pacte's the sums of its axes'.

What "the state of an action in year Y" means:
- from the reporting year on (`reporting_year`: this year, kept inside the pacte's years), the action's own
  status and progress, kept up to date by its reports and by the staff;
- for an earlier year, the status and progress of its latest report submitted for that year or before; an
  action without any report by then is "à lancer", at 0 %.
"""

import datetime
import functools
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.sql import Query
from django.utils import timezone

from actions import axe_stamps
from actions.enums import FINISHED_STATUSES, ActionStatus, ReportState
from actions.models import (
    Action,
    ActionBudget,
    ActionYear,
    AxeStamp,
    Indicator,
    IndicatorValue,
    IndicatorYear,
    Milestone,
    ProgressReport,
)
from axes.models import Axe
from pti import stamps

FINISHED = tuple(status.value for status in FINISHED_STATUSES)
SUBMITTED, DRAFT = ReportState.SUBMITTED.value, ReportState.DRAFT.value

# The flags of an action in a year, in the order of the rows' columns.
FLAGS = (
    "due",
    "submitted",
    "draft",
    "missing",
    "late",
    "no_report",
    "unchanged",
    "behind",
    "milestones_late",
    "attention",
    "in_mean",
    "weather_on_track",
    "weather_some_difficulties",
    "weather_at_risk",
)
# Why an action needs attention, in the order they are listed.
REASONS = ("late", "no_report", "unchanged", "behind", "milestones_late")
INDICATOR_STATES = ("on_target", "behind", "no_value", "no_target")
# The weather a submitted report gives its action for the year (Weather's values), then "unknown": due, but no
# submitted report says it.
WEATHERS = ("on_track", "some_difficulties", "at_risk")


def reporting_year(pacte, today=None):
    """The year whose report referents are expected to write now: this year, kept inside the pacte's years."""
    year = (today or timezone.localdate()).year
    return min(max(year, pacte.first_year), pacte.last_year)


def reference_date(pacte, year, today):
    """The day an action's end date is compared with to say it is late in `year`: today for the reporting year
    (and after), the last day of an earlier year (or today, if earlier)."""
    if year >= reporting_year(pacte, today):
        return today
    return min(today, datetime.date(year, 12, 31))


# --- the rules ----------------------------------------------------------------------------------------------


def finished_q():
    """Done or abandoned: the action will not move any more."""
    return Q(status__in=FINISHED)


def late_q(reference):
    """Late: its end date has passed (on `reference`) and it is neither done nor abandoned. A postponed action
    whose end date has passed is late too: postponing does not move the end date."""
    return Q(end_date__isnull=False, end_date__lt=reference) & ~finished_q()


def milestone_late_q(reference):
    """A milestone is late: its planned date has passed (on `reference`) and it is not done. Due on `reference`
    itself is not late yet."""
    return Q(done_date__isnull=True, planned_date__lt=reference)


def milestone_is_late(planned_date, done_date, reference):
    """`milestone_late_q` for one milestone already read (the same rule, in Python)."""
    return done_date is None and planned_date < reference


def started_q(year):
    """It has started by the end of `year` (an action without a start date has always started)."""
    return Q(start_date__isnull=True) | Q(start_date__lte=datetime.date(year, 12, 31))


def finished_before_q(year):
    """It was finished before `year` began: finished in `year`, and either its end date is before the year, or it
    is abandoned and was abandoned before the year (its abandonment date), or its latest report of the years
    before already said it was done or abandoned."""
    first_day = datetime.date(year, 1, 1)
    return finished_q() & (
        Q(end_date__lt=first_day)
        | Q(status=ActionStatus.ABANDONED, status_date__lt=first_day)
        | Q(previous_status__in=FINISHED)
    )


def due_q(year):
    """A report is due for `year`: the action has started by the end of the year and was not finished before it.
    An action finished (or abandoned) during the year owes the report that says so."""
    return started_q(year) & ~finished_before_q(year)


def unchanged_q(year):
    """Its progress in `year` is the same as the year before, though it had started before and is not finished."""
    return (
        (Q(start_date__isnull=True) | Q(start_date__lt=datetime.date(year, 1, 1)))
        & ~finished_q()
        & Q(previous_progress__isnull=False)
        & Q(progress=F("previous_progress"))
    )


def in_mean_q():
    """Counted in the mean progress: every action but the abandoned ones (an abandoned action will never
    progress; it is counted apart, in the status counts). Postponed actions count with their progress."""
    return ~Q(status=ActionStatus.ABANDONED)


def weather_q(weather):
    """The weather of an action in a year is the one its report of that year says, once transmitted (a draft's
    weather is not counted: the referent may still change it). Due actions without a transmitted report have no
    weather ("non renseignée"). Only due reports are counted (see `_rules`), so the weathers and the unknown add
    up to the reports due."""
    return Q(report=SUBMITTED, weather=weather)


def indicator_state(target="target", value="value", higher_is_better="higher_is_better"):
    """An indicator's state in a year: "on_target" or "behind" when it has both a target and a value (the value
    reaches the target: at least it when higher is better, at most it otherwise), "no_value" when it has a
    target but no value yet, "no_target" when it has a value but no target, "none" when it has neither.
    The arguments name the fields (`indicator__higher_is_better` from an IndicatorValue)."""
    measured = Q(**{f"{target}__isnull": False, f"{value}__isnull": False})
    behind = measured & (
        Q(**{higher_is_better: True, f"{value}__lt": F(target)})
        | Q(**{higher_is_better: False, f"{value}__gt": F(target)})
    )
    return Case(
        When(behind, then=Value("behind")),
        When(measured, then=Value("on_target")),
        When(Q(**{f"{target}__isnull": False}), then=Value("no_value")),
        When(Q(**{f"{value}__isnull": False}), then=Value("no_target")),
        default=Value("none"),
        output_field=CharField(),
    )


def _rules(period):
    """{flag: Q} for `period`."""
    year = period.year
    due = due_q(year)
    rules = {
        "due": due,
        "submitted": due & Q(report=SUBMITTED),
        "draft": due & Q(report=DRAFT),
        "missing": due & Q(report__isnull=True),
        "late": late_q(period.reference_date),
        "no_report": due & ~Q(report=SUBMITTED),
        "unchanged": unchanged_q(year),
        "behind": Q(ind_behind__gt=0),
        # One of its milestones is late (milestone_late_q) on the period's reference date.
        "milestones_late": Q(milestones_late_count__gt=0),
        "in_mean": in_mean_q(),
    }
    for weather in WEATHERS:
        rules[f"weather_{weather}"] = due & weather_q(weather)
    rules["attention"] = (
        rules["late"] | rules["no_report"] | rules["unchanged"] | rules["behind"] | rules["milestones_late"]
    )
    return rules


@functools.lru_cache(maxsize=256)
def _compiled_rules(year, reference_date, vendor):
    """((flag, sql, params)) of the rules of a period of `year` as of `reference_date` (all they depend on),
    compiled once per process: compiling twenty Q objects cost more than reading the figures from the cache."""
    p = Period(key=0, pacte_id=0, first_year=year, year=year, reporting_year=year, reference_date=reference_date)
    return tuple((flag, *_frozen(compile_on(ActionYear, rule))) for flag, rule in _rules(p).items())


@functools.lru_cache(maxsize=256)
def _compiled_milestone_rule(reference_date, vendor):
    return _frozen(compile_on(Milestone, milestone_late_q(reference_date)))


def _frozen(compiled):
    sql, params = compiled
    return sql, tuple(params)


def compile_on(model, expression):
    """(sql, params) of `expression` (a Q or an expression) over the columns of `model`'s table, for this
    database: how a rule written once with the ORM becomes part of a hand-written statement."""
    query = Query(model)
    compiler = query.get_compiler(connection=connection)
    if isinstance(expression, Q):
        node = query.build_where(expression)
    else:
        node = expression.resolve_expression(query, allow_joins=False)
    return compiler.compile(node)


# --- periods -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A year of a pacte, as of `today`."""

    key: int
    pacte_id: int
    first_year: int
    year: int
    reporting_year: int
    reference_date: datetime.date

    @property
    def live(self):
        """From the reporting year on, an action's state is its own; before, its reports'."""
        return self.year >= self.reporting_year

    def state_source(self, year):
        """Where the state of `year` comes from: None before the pacte, "live" or "reports"."""
        if year < self.first_year:
            return None
        return "live" if year >= self.reporting_year else "reports"


def period(pacte, year=None, today=None, key=0):
    """The period of `pacte` for `year` (its reporting year when None)."""
    today = today or timezone.localdate()
    year = reporting_year(pacte, today) if year is None else int(year)
    return Period(
        key=key,
        pacte_id=pacte.pk,
        first_year=pacte.first_year,
        year=year,
        reporting_year=reporting_year(pacte, today),
        reference_date=reference_date(pacte, year, today),
    )


def periods_of(pactes, year=None, today=None):
    """One period per pacte: `year` where the pacte holds it (pactes without it are left out), else each
    pacte's reporting year."""
    result = []
    for pacte in pactes:
        if year is not None and not pacte.contains_year(int(year)):
            continue
        result.append(period(pacte, year, today, key=len(result)))
    return result


# --- the statement -------------------------------------------------------------------------------------------


def _names():
    qn = connection.ops.quote_name

    def column(model, field):
        return qn(model._meta.get_field(field).column)

    names = {
        "action": qn(Action._meta.db_table),
        "axe": qn(Axe._meta.db_table),
        "report": qn(ProgressReport._meta.db_table),
        "indicator": qn(Indicator._meta.db_table),
        "value": qn(IndicatorValue._meta.db_table),
        "i.action": column(Indicator, "action"),
        "i.higher_is_better": column(Indicator, "higher_is_better"),
        "x.number": column(Axe, "number"),
        "milestone": qn(Milestone._meta.db_table),
        "m.action": column(Milestone, "action"),
    }
    for field in ("number", "title", "sort_key", "status", "progress", "start_date", "end_date", "status_date"):
        names[f"a.{field}"] = column(Action, field)
    for field in ("axe", "pacte", "objectif"):
        names[f"a.{field}"] = column(Action, field)
    for field in axe_stamps.REPORT_FIELDS:  # the only ones read: an update of another counts in no piece
        names[f"r.{field}"] = column(ProgressReport, field)
    for field in ("indicator", "year", "target", "value"):
        names[f"v.{field}"] = column(IndicatorValue, field)
    return names


class _Sql:
    """SQL text and its parameters, built in the order they appear."""

    def __init__(self):
        self.parts, self.params = [], []

    def add(self, sql, *params):
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def text(self):
        return "".join(self.parts)


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def _scope(sql, n, periods, actions, pieces=None):
    """The WHERE condition on `a` (the actions table) restricting to the periods' pactes, to `actions` and to the
    actions of `axes` (ids)."""
    pacte_ids = sorted({p.pacte_id for p in periods})
    sql.add(f"{_pacte_of(n, actions)} IN ({_placeholders(pacte_ids)})", *pacte_ids)
    _restrict(sql, n, actions, pieces)


def _by_ids(actions):
    """Whether `actions` are a page's ids (a list), read through the primary key rather than a scan of the
    pacte's actions."""
    return isinstance(actions, (list, tuple))


def _pacte_of(n, actions):
    """The pacte of `a`, for a condition beside `_restrict(actions)`: with a page's ids (`_by_ids`), the pactes'
    condition, written so that no index serves it, is checked on those rows alone (the statistics of a small pacte
    would otherwise have its index scanned, all its actions read)."""
    return f"(a.{n['a.pacte']} + 0)" if _by_ids(actions) else f"a.{n['a.pacte']}"


def _restrict(sql, n, actions, pieces):
    if _by_ids(actions):
        ids = sorted(set(actions)) or [None]
        sql.add(f" AND a.id IN ({_placeholders(ids)})", *ids)
    elif actions is not None:
        subquery, params = actions.order_by().values("pk").query.sql_with_params()
        sql.add(f" AND a.id IN ({subquery})", *params)
    if pieces is not None:  # read through the index on the pieces (actions.models.PIECE)
        sql.add(f" AND {axe_stamps.piece_sql('a.' + n['a.axe'], 'a.id')} IN ({_placeholders(pieces)})", *sorted(pieces))


def _needed_years(periods):
    """(years whose latest submitted report is looked up, years whose report state is read, indicator years)."""
    last, report = set(), set()
    for p in periods:
        report.add(p.year)
        for year in (p.year, p.year - 1):
            if p.state_source(year) == "reports":
                last.add(year)
    return sorted(last), sorted(report), sorted(report)


def _rep_cte(sql, n, periods, actions, pieces, last_years, report_years):
    """`rep`: per action, the latest year with a submitted report by the end of each of `last_years`
    (last_<year>) and the state of its report of each of `report_years` (report_<year>): one grouped pass."""
    sql.add(f"rep AS MATERIALIZED (SELECT r.{n['r.action']} AS action_id")
    # The status and progress of that latest report come in the same pass, packed with its year so that MAX
    # picks the latest one (year × 1000 + progress, year × 100 + the status's rank): no join back to the reports.
    ranks = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in STATUS_RANKS.items())
    for year in last_years:
        latest = f"CASE WHEN r.{n['r.state']} = %s AND r.{n['r.year']} <= %s THEN r.{n['r.year']}"
        sql.add(f", MAX({latest} END) AS last_{year}", SUBMITTED, year)
        sql.add(f", MAX({latest} * 1000 + r.{n['r.progress']} END) AS lastprogress_{year}", SUBMITTED, year)
        sql.add(
            f", MAX({latest} * 100 + CASE r.{n['r.status']} {ranks} ELSE 99 END END) AS laststatus_{year}",
            SUBMITTED,
            year,
        )
    for year in report_years:
        # One report per action and year: MAX picks it.
        sql.add(f", MAX(CASE WHEN r.{n['r.year']} = %s THEN r.{n['r.state']} END) AS report_{year}", year)
        sql.add(f", MAX(CASE WHEN r.{n['r.year']} = %s THEN r.{n['r.weather']} END) AS weather_{year}", year)
    sql.add(f" FROM {n['action']} a JOIN {n['report']} r ON r.{n['r.action']} = a.id WHERE ")
    _scope(sql, n, periods, actions, pieces)
    sql.add(f" GROUP BY r.{n['r.action']})")


def _ind_cte(sql, n, periods, actions, pieces, years):
    """`ind`: per action, how many of its indicators are in each state in each of `years`."""
    state_sql, state_params = compile_on(IndicatorYear, indicator_state())
    table = connection.ops.quote_name(IndicatorYear._meta.db_table)
    sql.add("ind AS MATERIALIZED (SELECT iy.action_id AS action_id")
    for year in years:
        for state in INDICATOR_STATES:
            sql.add(f", SUM(CASE WHEN iy.year = %s AND iy.state = %s THEN 1 ELSE 0 END) AS {state}_{year}", year, state)
    sql.add(f" FROM (SELECT {table}.action_id AS action_id, {table}.year AS year, {state_sql} AS state", *state_params)
    sql.add(
        f" FROM (SELECT i.id AS id, i.{n['i.action']} AS action_id, v.{n['v.year']} AS year,"
        f" v.{n['v.target']} AS target, v.{n['v.value']} AS value, i.{n['i.higher_is_better']} AS higher_is_better"
        f" FROM {n['indicator']} i JOIN {n['action']} a ON a.id = i.{n['i.action']}"
        f" JOIN {n['value']} v ON v.{n['v.indicator']} = i.id AND v.{n['v.year']} IN ({_placeholders(years)})"
        " WHERE ",
        *years,
    )
    _scope(sql, n, periods, actions, pieces)
    sql.add(f") {table}) iy GROUP BY iy.action_id)")


# The statuses' ranks packed into `rep`'s laststatus_<year> (code constants, written into the statement).
STATUS_RANKS = {status.value: rank for rank, status in enumerate(ActionStatus)}
assert all(re.fullmatch(r"[a-z_]+", status) for status in STATUS_RANKS) and len(STATUS_RANKS) < 99


def _state(n, p, year, column, default):
    """The SQL of an action's `column` (status or progress) in `year` of period `p`: its own from the reporting
    year on, else its latest report's submitted by then (unpacked from `rep`), else `default`."""
    source = p.state_source(year)
    if source is None:
        return "CAST(NULL AS VARCHAR(16))" if column == "status" else "CAST(NULL AS INTEGER)"
    if source == "live":
        return f"a.{n[f'a.{column}']}"
    if column == "progress":
        packed = f"rep.lastprogress_{year}"
        return f"COALESCE({packed} - ({packed} / 1000) * 1000, {default})"
    packed = f"rep.laststatus_{year}"
    statuses = " ".join(f"WHEN {rank} THEN '{status}'" for status, rank in STATUS_RANKS.items())
    return f"COALESCE(CASE {packed} - ({packed} / 100) * 100 {statuses} END, {default})"


def _branch(sql, n, p, actions, pieces, lean=False):
    """The rows of period `p`: one per action of its pacte (within `actions`), with the rules' flags. `lean`
    leaves out the indicators and the milestones (zero): only the reports' figures are right then."""
    table = connection.ops.quote_name(ActionYear._meta.db_table)
    sql.add(f"SELECT {p.key} AS period, {table}.*")
    for flag, condition, params in _compiled_rules(p.year, p.reference_date, connection.vendor):
        sql.add(f", CASE WHEN {condition} THEN 1 ELSE 0 END AS {flag}", *params)
    previous = p.year - 1
    sql.add(
        f" FROM (SELECT a.id AS id, a.{n['a.pacte']} AS pacte_id, a.{n['a.axe']} AS axe_id,"
        f" a.{n['a.objectif']} AS objectif_id, x.{n['x.number']} AS axe_number, a.{n['a.number']} AS number,"
        f" a.{n['a.title']} AS title, a.{n['a.sort_key']} AS sort_key, a.{n['a.start_date']} AS start_date,"
        f" a.{n['a.end_date']} AS end_date"
    )
    to_launch = ActionStatus.TO_LAUNCH.value
    sql.add(f", {_state(n, p, p.year, 'status', '%s')} AS status", *([to_launch] if not p.live else []))
    sql.add(f", {_state(n, p, p.year, 'progress', '0')} AS progress")
    # The abandonment date is the action's own (cleared when it leaves the status): read with its status.
    sql.add(f", a.{n['a.status_date']} AS status_date")
    previous_source = p.state_source(previous)
    sql.add(
        f", {_state(n, p, previous, 'status', '%s')} AS previous_status",
        *([to_launch] if previous_source == "reports" else []),
    )
    sql.add(f", {_state(n, p, previous, 'progress', '0')} AS previous_progress")
    sql.add(f", rep.report_{p.year} AS report, rep.weather_{p.year} AS weather")
    for state in INDICATOR_STATES:
        sql.add(f", 0 AS ind_{state}" if lean else f", COALESCE(ind.{state}_{p.year}, 0) AS ind_{state}")
    if lean:
        sql.add(", 0 AS milestones_late_count")
    else:
        # How many of its milestones are late on the period's reference date (the one rule, milestone_late_q).
        late_sql, late_params = _compiled_milestone_rule(p.reference_date, connection.vendor)
        milestones = n["milestone"]
        sql.add(
            f", (SELECT COUNT(*) FROM {milestones} WHERE {milestones}.{n['m.action']} = a.id AND {late_sql})"
            " AS milestones_late_count",
            *late_params,
        )
    sql.add(f" FROM {n['action']} a JOIN {n['axe']} x ON x.id = a.{n['a.axe']} LEFT JOIN rep ON rep.action_id = a.id")
    if not lean:
        sql.add(" LEFT JOIN ind ON ind.action_id = a.id")
    sql.add(f" WHERE {_pacte_of(n, actions)} = %s", p.pacte_id)
    _restrict(sql, n, actions, pieces)
    sql.add(f") {table}")


def _with(periods, actions, lean=False, pieces=None):
    """`WITH rep …, ind …, facts …`: the facts of every action of `actions` (or of the periods' pactes; of `axes`
    alone when given) in each period (without the indicators and the milestones when `lean`, see `_branch`)."""
    n = _names()
    last_years, report_years, indicator_years = _needed_years(periods)
    sql = _Sql().add("WITH ")
    _rep_cte(sql, n, periods, actions, pieces, last_years, report_years)
    if not lean:
        sql.add(", ")
        _ind_cte(sql, n, periods, actions, pieces, indicator_years)
    sql.add(", facts AS MATERIALIZED (")
    for index, p in enumerate(periods):
        if index:
            sql.add(" UNION ALL ")
        _branch(sql, n, p, actions, pieces, lean=lean)
    sql.add(") ")
    return sql


# The columns of the listed rows and their SQL types; the totals' rows leave them NULL (typed, for
# PostgreSQL's UNION) when both share one statement.
ROW_COLUMNS = {
    "id": "BIGINT",
    "pacte_id": "BIGINT",
    "objectif_id": "BIGINT",
    "axe_number": "INTEGER",
    "number": "VARCHAR(16)",
    "title": "VARCHAR(300)",
    "sort_key": "VARCHAR(40)",
    "start_date": "DATE",
    "end_date": "DATE",
    "previous_status": "VARCHAR(16)",
    "previous_progress": "INTEGER",
    "report": "VARCHAR(16)",
    "weather": "VARCHAR(20)",
    "milestones_late_count": "INTEGER",
}
TOTAL_COLUMNS = ("n", "progress_total", "mean_total", *FLAGS, *(f"ind_{s}" for s in INDICATOR_STATES))
# "responsible" groups by the users expected to write each action's report (`responsible_sql`): an action counts
# once for each of them, and under None when it has none; its totals would count an action more than once, so
# they are left empty, and each user's figures are only the count of his actions and their reports
# (`responsible_figures`): a campaign of 3,000 referents sums a few numbers for each.
GROUPS = {None: None, "axe": "axe_id", "objectif": "objectif_id", "responsible": "resp.user_id"}
# The piece of the axe a row is kept in (actions.axe_stamps).
PART = axe_stamps.piece_sql("facts.axe_id", "facts.id")
ROWS = -1  # the `kind` of a listed row


def responsible_sql(within=None):
    """SQL of the pairs (action_id, user_id) of who is expected to write each action's report: its named
    referents, or, for an action without any, its axe's thematic referents (bilans.campaigns reads it). `within`:
    SQL of the ids of the only actions wanted (the statement's facts), read before the union is made."""
    qn = connection.ops.quote_name
    referents = Action.referents.through._meta
    thematic = Axe.thematic_referents.through._meta
    action_table = qn(Action._meta.db_table)
    axe_column = qn(Action._meta.get_field("axe").column)
    action_column = qn(referents.get_field("action").column)
    return (
        f"SELECT r.{action_column} AS action_id, r.{qn(referents.get_field('user').column)}"
        f" AS user_id FROM {qn(referents.db_table)} r"
        + (f" WHERE r.{action_column} IN ({within})" if within else "")
        + f" UNION ALL SELECT ra.id AS action_id, t.{qn(thematic.get_field('user').column)} AS user_id"
        f" FROM {action_table} ra JOIN {qn(thematic.db_table)} t ON t.{qn(thematic.get_field('axe').column)} = ra.{axe_column}"
        f" WHERE NOT EXISTS (SELECT 1 FROM {qn(referents.db_table)} rr WHERE rr.{action_column} = ra.id)"
        + (f" AND ra.id IN ({within})" if within else "")
    )


def _totals_select(sql, group, kind=0):
    """The totals of `facts` by period, `group` and status (not by status for "responsible"); `kind` tells the
    rows of one grouping from another's when several share a statement (compute_groups)."""
    column = GROUPS[group]
    group_sql = (column if "." in column else f"facts.{column}") if column else "CAST(NULL AS BIGINT)"
    status = "CAST(NULL AS VARCHAR(16))" if group == "responsible" else "facts.status"
    sql.add(
        f"SELECT {int(kind)} AS kind, facts.period AS period, {group_sql} AS grp, {PART} AS part,"
        f" {status} AS status, COUNT(*) AS n,"
        " SUM(facts.progress) AS progress_total,"
        " SUM(CASE WHEN facts.in_mean = 1 THEN facts.progress ELSE 0 END) AS mean_total"
    )
    for name in (*FLAGS, *(f"ind_{s}" for s in INDICATOR_STATES)):
        sql.add(f", SUM(facts.{name}) AS {name}")
    sql.add("".join(f", CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in ROW_COLUMNS.items()))
    sql.add(" FROM facts")
    if group == "responsible":
        sql.add(f" LEFT JOIN ({responsible_sql('SELECT facts.id FROM facts')}) resp ON resp.action_id = facts.id")
    sql.add(" GROUP BY facts.period")
    if column:
        sql.add(f", {group_sql}")
    sql.add(f", {PART}")
    if group != "responsible":
        sql.add(", facts.status")


# The plan's order of the listed rows (`_fill` sorts them the same way).
ROW_ORDER = ("axe_number", "sort_key", "period", "id")


def _rows_select(sql, where, limit, offset, per_piece=False):
    """The rows of `facts` meeting `where`, in the plan's order, `limit` of them from `offset`; with `per_piece`,
    the first `offset + limit` of each piece (`_window` cuts the page from them)."""
    selected = {
        "kind": str(ROWS),
        "period": "facts.period",
        "grp": "facts.axe_id",
        "part": PART,
        "status": "facts.status",
        "n": "CAST(NULL AS BIGINT)",
        "progress_total": "facts.progress",
        "mean_total": "CAST(NULL AS BIGINT)",
    } | {name: f"facts.{name}" for name in (*FLAGS, *(f"ind_{s}" for s in INDICATOR_STATES), *ROW_COLUMNS)}
    columns = ", ".join(f"{value} AS {name}" for name, value in selected.items())
    names = ", ".join(f"ranked.{name}" for name in selected)
    order = ", ".join(f"facts.{name}" for name in ROW_ORDER)
    if per_piece:
        sql.add(
            f"SELECT {names} FROM (SELECT {columns},"
            f" ROW_NUMBER() OVER (PARTITION BY {PART} ORDER BY {order}) AS rank_in_piece FROM facts"
        )
    else:
        sql.add(f"SELECT {names} FROM (SELECT {columns} FROM facts")
    if where:
        conditions, params = zip(*where, strict=True)
        sql.add(" WHERE " + " AND ".join(conditions), *[param for group in params for param in group])
    if per_piece:
        sql.add(") ranked WHERE ranked.rank_in_piece <= %s", int(offset) + int(limit))
        return
    sql.add(f" ORDER BY {order}")
    if limit is not None:
        sql.add(" LIMIT %s OFFSET %s", int(limit), int(offset))
    sql.add(") ranked")


def _in_order(row):
    return tuple(row[name] for name in ROW_ORDER)


def _window(rows, offset, limit):
    """The fetched `rows` with only the listed rows from `offset` to `offset + limit` in the plan's order, cut
    from each piece's first `offset + limit` rows (`_rows_select` with `per_piece`): the page's rows are among
    them, whatever the pieces."""
    listed, others = [], []
    for row in rows:
        (listed if row["kind"] == ROWS else others).append(row)
    listed.sort(key=_in_order)
    return others + listed[offset : offset + limit]


def _merged(rows, keep=None):
    """`rows` of several pieces as one piece's: the totals' rows of one grouping, period, group and status summed
    (every figure is a sum over actions), the listed rows as they are (their first `keep` in the plan's order
    when given)."""
    totals, listed = {}, []
    for row in rows:
        if row["kind"] == ROWS:
            listed.append(row)
            continue
        key = (row["kind"], row["period"], row["grp"], row["status"])
        found = totals.get(key)
        if found is None:
            totals[key] = dict(row)
        else:
            for name in TOTAL_COLUMNS:
                found[name] = (found[name] or 0) + (row[name] or 0)
    if keep is not None:
        listed.sort(key=_in_order)
        del listed[keep:]
    return [*totals.values(), *listed]


# --- the figures ---------------------------------------------------------------------------------------------


def empty_figures(year=None):
    return {
        "year": year,
        "actions": 0,
        "status_counts": {status: 0 for status in ActionStatus.values},
        "progress_total": 0,
        "in_mean": 0,
        "mean_total": 0,
        "mean_progress": None,
        "late": 0,
        "reports": {"submitted": 0, "draft": 0, "missing": 0, "due": 0, "share": None},
        "indicators": {state: 0 for state in INDICATOR_STATES} | {"total": 0, "share_on_target": None},
        "attention": {reason: 0 for reason in REASONS} | {"total": 0},
        "weather": {weather: 0 for weather in WEATHERS} | {"unknown": 0},
    }


def _add(figures, row):
    # PostgreSQL sums integers into bigint or numeric (Decimal): plain ints for JSON.
    row = {name: int(row[name] or 0) for name in TOTAL_COLUMNS} | {"status": row["status"]}
    figures["actions"] += row["n"]
    figures["status_counts"][row["status"]] = figures["status_counts"].get(row["status"], 0) + row["n"]
    figures["progress_total"] += row["progress_total"]
    figures["in_mean"] += row["in_mean"]
    figures["mean_total"] += row["mean_total"]
    figures["late"] += row["late"]
    for name in ("submitted", "draft", "missing", "due"):
        figures["reports"][name] += row[name]
    for reason in REASONS:
        figures["attention"][reason] += row[reason]
    figures["attention"]["total"] += row["attention"]
    for state in INDICATOR_STATES:
        figures["indicators"][state] += row[f"ind_{state}"]
    for weather in WEATHERS:
        figures["weather"][weather] += row[f"weather_{weather}"]


def responsible_figures():
    """What the figures of one user of a "responsible" grouping hold: his actions and their reports."""
    return {"actions": 0, "reports": {"submitted": 0, "draft": 0, "missing": 0, "due": 0, "share": None}}


def _add_responsible(groups, row):
    figures = groups.get(row["grp"])
    if figures is None:
        figures = groups[row["grp"]] = responsible_figures()
    figures["actions"] += int(row["n"] or 0)
    reports = figures["reports"]
    for name in ("submitted", "draft", "missing", "due"):
        reports[name] += int(row[name] or 0)


def share(part, whole):
    """`part` of `whole` in whole percents (None when there is no whole)."""
    return round(100 * part / whole) if whole else None


def finish(figures):
    """Fill in the figures derived from the sums: mean progress, shares."""
    figures["mean_progress"] = round(figures["mean_total"] / figures["in_mean"]) if figures["in_mean"] else None
    reports = figures["reports"]
    reports["share"] = share(reports["submitted"], reports["due"])
    indicators = figures["indicators"]
    indicators["total"] = sum(indicators[state] for state in INDICATOR_STATES)
    indicators["share_on_target"] = share(indicators["on_target"], indicators["on_target"] + indicators["behind"])
    weather = figures["weather"]
    weather["unknown"] = reports["due"] - sum(weather[name] for name in WEATHERS) if reports["due"] else 0
    return figures


def _row(row):
    row = dict(row)
    row.pop("kind", None)
    row.pop("part", None)
    row["progress"] = int(row.pop("progress_total") or 0)
    row["axe_id"] = row.pop("grp")
    for name in ("n", "mean_total"):
        row.pop(name, None)
    for name in (*FLAGS, *(f"ind_{s}" for s in INDICATOR_STATES)):
        row[name] = bool(row[name]) if name in FLAGS else int(row[name] or 0)
    for name in ("start_date", "end_date"):
        value = row[name]
        if isinstance(value, str):
            row[name] = datetime.date.fromisoformat(value)
    if row["previous_progress"] is not None:
        row["previous_progress"] = int(row["previous_progress"])
    return row


@dataclass
class Result:
    """`figures`: {period key: {"total": figures, "groups": {group id: figures}}}; `rows`: the listed rows."""

    periods: list
    figures: dict
    rows: list

    def total(self, key=0):
        return self.figures[key]["total"]

    def groups(self, key=0):
        return self.figures[key]["groups"]

    def by_action(self):
        """{(period key, action id): row} of the listed rows."""
        return {(row["period"], row["id"]): row for row in self.rows}


def compute(
    periods, actions=None, *, group="axe", totals=True, rows=None, limit=None, offset=0, reports_only=False, local=False
):
    """The figures of `periods` over `actions` (a queryset, or a list of their ids: a page of a list, read through
    the actions' primary key; all the actions of the periods' pactes when None), in one statement.

    `group` ("axe", "objectif", "responsible" or None) splits the totals; `rows` lists actions: True for every row, or the
    name of a flag ("attention", "due", "late", "no_report"…) the rows must have, or a list of
    (sql over `facts`, params) conditions; `limit` and `offset` cut the list (in the plan's order).

    `reports_only` reads neither indicators nor milestones (a lighter statement): only the reports' figures
    (due, submitted, draft, missing, no_report, weather) and the rows' plan fields are right then; the
    indicators, "behind", "milestones_late" and "attention" are zero.

    `local`: `actions` chooses each action by its own rows (its axe, its id, its referents, its reports), never by
    another action's: its figures are then kept piece by piece, as a whole pacte's are."""
    result = Result(periods=list(periods), figures={}, rows=[])
    for p in periods:
        result.figures[p.key] = {"total": empty_figures(p.year), "groups": {}}
    if not periods or (not totals and rows is None):
        return result

    # Kept piece by piece over a whole pacte: a page of listed rows is cut from each piece's first rows (as many
    # as the page's end), merged in the plan's order.
    by_axe = actions is None or local
    window = (int(offset), int(limit)) if limit is not None and by_axe else None

    def build(pieces):
        sql = _with(periods, actions, lean=reports_only, pieces=pieces)
        if totals:
            _totals_select(sql, group)
        if rows is not None:
            if totals:
                sql.add(" UNION ALL ")
            where = []
            if isinstance(rows, str):
                where.append((f"facts.{rows} = 1", ()))
            elif isinstance(rows, list):
                where.extend(rows)
            _rows_select(sql, where, limit, offset, per_piece=window is not None)
        return sql

    return _filled(build, {0: (result, group)}, by_axe=by_axe, window=window)[0]


def compute_groups(periods, groups, actions=None, *, reports_only=False, local=False):
    """{group: Result} of the figures of `periods` over `actions` split by each of `groups` (as `compute`'s
    `group`), in one statement: the facts are computed once for all of them (the campaign page needs the totals
    by axe and by responsible user). `reports_only` and `local` as for `compute`."""
    results = {group: Result(periods=list(periods), figures={}, rows=[]) for group in groups}
    for result in results.values():
        for p in periods:
            result.figures[p.key] = {"total": empty_figures(p.year), "groups": {}}
    if not periods or not groups:
        return results

    def build(pieces):
        sql = _with(periods, actions, lean=reports_only, pieces=pieces)
        for kind, group in enumerate(groups):
            if kind:
                sql.add(" UNION ALL ")
            _totals_select(sql, group, kind=kind)
        return sql

    targets = {kind: (results[group], group) for kind, group in enumerate(groups)}
    filled = _filled(build, targets, by_axe=actions is None or local)
    return {group: filled[kind] for kind, group in enumerate(groups)}


def report_figures(periods, actions=None):
    """{period key: the "reports" figures (submitted, draft, missing, due, share)} of `periods` over `actions`, as
    `compute(...).total(key)["reports"]`, in one lighter statement: neither indicators nor milestones are read,
    they count for nothing in the reports' figures (the bilan page)."""
    result = Result(periods=list(periods), figures={}, rows=[])
    for p in periods:
        result.figures[p.key] = {"total": empty_figures(p.year), "groups": {}}
    if periods:

        def build(pieces):
            sql = _with(periods, actions, lean=True, pieces=pieces)
            _totals_select(sql, None)
            return sql

        result = _filled(build, {0: (result, None)}, by_axe=actions is None)[0]
    return {key: entry["total"]["reports"] for key, entry in result.figures.items()}


def kept(pacte_ids, parts, compute, counter="version"):
    """`compute()` (a result read from the figures of `pacte_ids`, of every pacte when None, and from any other
    watched data, but from no text of a report), from the cache while the counters of their axes' pieces
    (`actions.axe_stamps`) and the stamps of the watched tables outside the pieces are unchanged: a draft saved
    again with new text, which changes no figure, leaves it in the cache (the campaign's completion, the
    reminders' preview). Kept as long as the pieces (`stamps.PIECE_SECONDS`). `counter`: one of the pieces'
    narrower counters (axe_stamps.NARROW), for a result read from what it counts alone ("reports": a progress
    saved leaves it too)."""
    if stamps.reads_own_writes():
        return compute()
    pieces = axe_stamps.versions(None if pacte_ids is None else sorted(pacte_ids), counter=counter)
    return stamps.cached(
        ("kept", counter, parts, tuple(sorted(pieces.items()))),
        compute,
        tables=outside_pieces(),
        seconds=stamps.PIECE_SECONDS,
    )


def outside_pieces():
    """The watched tables whose writes move no piece's counter (the plan, the users, the campaigns...): what a
    result kept under the counters, or named by the actions it shows, follows besides."""
    return tuple(sorted(stamps.WATCHED_TABLES - axe_stamps.axe_tables()))


def _filled(build, targets, by_axe=False, window=None):
    """{kind: Result} of `targets` ({kind: (Result, group)}) filled with the rows of the statement `build(None)`:
    from the cache while the data it reads is unchanged (`pti.stamps`). The statement's text and parameters name
    it; they hold the periods' dates, so a new day is a new statement.

    `by_axe`: the rows are kept piece by piece (a piece: a sixteenth of an axe's actions), each under its piece's
    counter (`actions.axe_stamps`) and the stamps of the other tables the statement reads (the axes' numbers, the
    plan): the statement `build(stale pieces)` runs over the actions of the pieces written since, alone. Every
    figure is a sum over actions: each axe's rows are the sums of its pieces' (kept under their counters), the
    pacte's totals the sums of its axes'. `window` ((offset, limit)) cuts the listed rows from the pieces' first
    rows."""
    sql = build(None)
    text = sql.text()
    groups = tuple((kind, group) for kind, (_result, group) in targets.items())
    parts = ("figures", groups, text, tuple(sql.params))
    tables = stamps.tables_in(text)

    def filled(rows):
        _fill(targets, rows)
        return {kind: result for kind, (result, _group) in targets.items()}

    if not by_axe:
        return stamps.cached(parts, lambda: filled(_fetch(sql)), tables=tables)
    if stamps.reads_own_writes():  # nothing read from the cache: the whole statement, without the counters
        fetched = _fetch(sql)
        return filled(_window(fetched, *window) if window else fetched)
    pacte_ids = sorted({p.pacte_id for result, _group in targets.values() for p in result.periods})
    pieces, plan = axe_stamps.with_plan(pacte_ids)
    by_axe = {}
    for piece, version in pieces.items():
        by_axe.setdefault(axe_stamps.axe_of(piece), {})[piece] = version
    keep = sum(window) if window else None
    others = tuple(sorted(set(tables) - axe_stamps.axe_tables()))
    # What it reads outside the pieces is the plan and the users, each of whose tables has a counter too: the
    # pieces and their sums are kept under the database's counters alone (and its epoch; the code that computed
    # them names every entry, `stamps.release`), and outlive the cache's stamps; otherwise under the stamps of
    # those other tables.
    if axe_stamps.under_counters(tables):
        counted = tuple(sorted((t, plan[t]) for t in others if t in plan))
        kept_under = {"stamp": ("plan", counted, plan[axe_stamps.EPOCH_NAME])}
    else:
        kept_under = {"tables": others}

    def compute_pieces(stale):
        rows = {piece: [] for piece in stale}
        for row in _fetch(sql if len(stale) == len(pieces) else build(sorted(stale))):
            rows.setdefault(row["part"], []).append(row)
        return rows

    def compute_axes(stale):
        wanted = {piece: version for axe in stale for piece, version in by_axe[axe].items()}
        rows = stamps.cached_pieces(("pieces", parts), wanted, compute_pieces, **kept_under)
        return {axe: _merged([row for piece in by_axe[axe] for row in rows[piece]], keep) for axe in stale}

    def summed():
        versions = {axe: tuple(sorted(of_axe.items())) for axe, of_axe in by_axe.items()}
        rows = stamps.cached_pieces(parts, versions, compute_axes, **kept_under)
        merged = [row for axe in sorted(rows) for row in rows[axe]]
        return filled(_window(merged, *window) if window else merged)

    # The sums of the axes' rows are kept too, under the pieces' counters: an unchanged pacte reads them at once.
    summed_parts = ("summed", parts, tuple(sorted(pieces.items())))
    return stamps.cached(summed_parts, summed, seconds=stamps.PIECE_SECONDS, **kept_under)


def _fetch(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql.text(), sql.params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def watched_models():
    """What the figures read, whose every write changes the data stamp: the plan (pactes, axes, objectives, closed
    years), the actions and all that hangs on them (reports, indicators and values, budgets, milestones, referents,
    partners), and the users (a referent's role, his thematic axes)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    models = [get_user_model()]
    for label in ("axes", "actions"):
        models.extend(
            model
            for model in apps.get_app_config(label).get_models()
            if not _is_history(model) and model is not AxeStamp  # written by the database's triggers alone
        )
    return models


def _is_history(model):
    return model.__name__.startswith("Historical")


def _fill(targets, fetched):
    """Add the `fetched` rows into `targets` ({kind: (Result, group)}; listed rows go to kind 0's Result)."""
    for row in fetched:
        if row["kind"] == ROWS:
            targets[0][0].rows.append(_row(row))
            continue
        result, group = targets[row["kind"]]
        years = {p.key: p.year for p in result.periods}
        entry = result.figures[row["period"]]
        if group == "responsible":
            _add_responsible(entry["groups"], row)
            continue
        _add(entry["total"], row)
        if row["grp"] is not None:
            _add(entry["groups"].setdefault(row["grp"], empty_figures(years[row["period"]])), row)
    for result, group in targets.values():
        for entry in result.figures.values():
            finish(entry["total"])
            for figures in entry["groups"].values():
                if group == "responsible":
                    figures["reports"]["share"] = share(figures["reports"]["submitted"], figures["reports"]["due"])
                else:
                    finish(figures)
        result.rows.sort(key=lambda row: tuple(row[name] for name in ROW_ORDER))


def matching(periods, flag, negate=False):
    """A condition on actions (for `queryset.filter(...)`) true for those that have `flag` in one of `periods`.

    The actions' ids are computed by the figures' statement and kept in the cache like its figures (`pti.stamps`),
    then handed to the list's query as one parameter (an array on PostgreSQL, a JSON list on SQLite): a filtered
    list and its count no longer run the whole statement, twice, at every display."""

    if not periods:
        return Q(pk__in=[]) if not negate else Q()
    sql = _with(periods, None)
    sql.add(f"SELECT facts.id FROM facts WHERE facts.{flag} = 1")
    text = sql.text()
    ids = stamps.cached(
        ("matching", text, tuple(sql.params)),
        lambda: sorted({row["id"] for row in _fetch(sql)}),
        tables=stamps.tables_in(text),
    )
    condition = in_ids(ids)
    return ~condition if negate else condition


def in_ids(ids):
    """`Q(pk__in=ids)` with the ids as one parameter (an array on PostgreSQL, a JSON list on SQLite): thousands
    of ids cost a statement what one costs to parse."""
    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(ids)]))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))]))


def to_number(value):
    """Decimals as floats (for JSON)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- budgets -------------------------------------------------------------------------------------------------


class _Budget:
    """Sums of planned and actual budgets; `share` compares the actual budget with the planned budget of the same
    actions (those that recorded an actual one)."""

    def __init__(self):
        self.planned, self.actual, self.with_actual, self.compared = Decimal(0), Decimal(0), 0, Decimal(0)

    def add(self, row):
        self.planned += row["planned_sum"] or 0
        self.actual += row["actual_sum"] or 0
        self.with_actual += row["with_actual"]
        self.compared += row["planned_with_actual"] or 0

    def result(self):
        known = self.with_actual > 0
        return {
            "planned": self.planned.quantize(Decimal("1")),
            "actual": self.actual.quantize(Decimal("1")) if known else None,
            "with_actual": self.with_actual,
            "share": share(self.actual, self.compared) if known else None,
        }


def budget_totals(pacte, actions=None):
    """The planned and actual budgets of `pacte`'s actions (within `actions`), summed by the database per axe and
    year: {"years": {year: entry}, "axes": {axe id: {year: entry}}, "axe_totals": {axe id: entry}, "total": entry},
    each entry {"planned", "actual", "with_actual", "share"}, in whole euros.

    "actual" is None while no action has recorded an actual budget (not yet known is not zero); "share" is the
    actual budget in percent of the planned budget of the actions that recorded one, None without them.

    A whole pacte's are kept in the cache under the `indicators` counters of its pieces (an action moved to
    another axe moves them; a report saved does not) and the other tables' stamps (`kept`: the budgets' own stamp
    among them), a scope's under the stamps of the tables its statement reads."""
    if actions is None:
        parts = ("budget-totals", pacte.pk, tuple(pacte.years))
        return kept([pacte.pk], parts, lambda: _budget_totals(pacte, None), counter="indicators")
    return _budget_totals(pacte, actions)


def _budget_totals(pacte, actions):
    from django.db.models import Count, Sum

    queryset = ActionBudget.objects.filter(action__pacte=pacte)
    if actions is not None:
        queryset = queryset.filter(action__in=actions.order_by().values("pk"))
    rows = (
        queryset.values("action__axe_id", "year")
        .annotate(
            planned_sum=Sum("planned"),
            actual_sum=Sum("actual"),
            with_actual=Count("actual"),
            planned_with_actual=Sum("planned", filter=Q(actual__isnull=False)),
        )
        .order_by()
    )
    rows = stamps.rows(rows) if actions is not None else list(rows)  # a whole pacte's: kept by `budget_totals`
    years = {year: _Budget() for year in pacte.years}
    axes, axe_totals, total = {}, {}, _Budget()
    for row in rows:
        year, axe = row["year"], row["action__axe_id"]
        years.setdefault(year, _Budget()).add(row)
        axes.setdefault(axe, {}).setdefault(year, _Budget()).add(row)
        axe_totals.setdefault(axe, _Budget()).add(row)
        total.add(row)
    return {
        "years": {year: budget.result() for year, budget in sorted(years.items())},
        "axes": {axe: {year: b.result() for year, b in sorted(by_year.items())} for axe, by_year in axes.items()},
        "axe_totals": {axe: budget.result() for axe, budget in axe_totals.items()},
        "total": total.result(),
    }
