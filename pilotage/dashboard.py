"""The steering committee's dashboard of a pacte for one year, beside the previous year, as plain data.

`dashboard_data(pacte, year)` returns numbers, strings, lists and dicts only (no model instances; decimals as
floats), so that the dashboard page, the dossier COPIL and the bilan (another app) read the same figures, and
the same `dashboard_charts(data)` draws their charts. It runs a constant number of SQL queries whatever the
number of actions: every figure is an aggregate computed by the database, and the two long lists (actions
needing attention, indicators) can be cut to their first `limit` rows, the most worrying first.

What "the state of an action in year Y" means:
- for the reporting year (and after), the action's own status and progress, kept up to date by its reports
  and by the staff;
- for an earlier year, the status and progress of its latest report submitted for that year or before; an
  action without any report by then is counted as "à lancer", at 0 %.
Every action of the pacte counts in every year's status distribution and mean progress. A report is due for
year Y from an action that started by the end of Y and was not finished before Y.

An action needs attention in year Y when:
- "late": its end date has passed (at the end of Y, or today for the reporting year) and it is neither done nor
  abandoned;
- "no_report": its report for Y is due and not submitted (missing or still a draft);
- "unchanged": it started before Y, is not finished, and its progress in Y is the same as in Y - 1;
- "behind": one of its indicators has a value for Y that misses the year's target.
An indicator is "on_target" or "behind" when it has both a target and a value for the year, "no_value" when
it has a target but no value yet, "no_target" when it has a value but no target.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Value,
    When,
    Window,
)
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from actions.enums import FINISHED_STATUSES, ActionStatus, ReportState
from actions.models import Action, Indicator, IndicatorValue, ProgressReport
from actions.services import reporting_year
from axes.models import Axe
from pilotage.enums import DecisionStatus
from pilotage.models import Decision
from pti import charts

REASONS = ("late", "no_report", "unchanged", "behind")
INDICATOR_STATES = ("on_target", "behind", "no_value", "no_target")
# Indicators listed most worrying first.
INDICATOR_ORDER = {"behind": 0, "no_value": 1, "on_target": 2, "no_target": 3, "none": 4}


def reason_label(code, year, draft=False):
    if code == "late":
        return _("date de fin dépassée")
    if code == "no_report":
        if draft:
            return _("compte rendu %(year)s en brouillon, non transmis") % {"year": year}
        return _("pas de compte rendu %(year)s") % {"year": year}
    if code == "unchanged":
        return _("avancement inchangé depuis %(year)s") % {"year": year - 1}
    if code == "behind":
        return _("indicateur sous la cible %(year)s") % {"year": year}
    raise ValueError(code)


def reference_date(pacte, year, today):
    """The day an action's end date is compared with: the end of the year, or today for the current year."""
    if year >= reporting_year(pacte, today):
        return today
    return min(today, datetime.date(year, 12, 31))


# --- the state of every action in a year, in SQL -----------------------------------------------------
#
# The per-action facts of a year (status, progress, the year's report, an indicator behind its target) are
# computed once per action in a MATERIALIZED common table expression `s`, then summed per axe and status, or
# filtered into the list of actions needing attention. It is written in SQL rather than with the ORM because
# the ORM repeats an annotation's subquery wherever it is used (every flag would evaluate it again) and takes
# longer to compile such a query than the database takes to run it. Standard SQL: SQLite >= 3.35 and PostgreSQL
# >= 12 (MATERIALIZED). Table and column names come from the models.


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


def _names():
    qn = connection.ops.quote_name

    def column(model, field):
        return qn(model._meta.get_field(field).column)

    return {
        "action": qn(Action._meta.db_table),
        "axe": qn(Axe._meta.db_table),
        "report": qn(ProgressReport._meta.db_table),
        "indicator": qn(Indicator._meta.db_table),
        "value": qn(IndicatorValue._meta.db_table),
        **{f"a.{f}": column(Action, f) for f in ("number", "title", "sort_key", "status", "progress")},
        **{f"a.{f}": column(Action, f) for f in ("start_date", "end_date", "axe", "pacte")},
        **{f"r.{f}": column(ProgressReport, f) for f in ("action", "year", "state", "status", "progress")},
        "i.action": column(Indicator, "action"),
        "i.higher_is_better": column(Indicator, "higher_is_better"),
        **{f"v.{f}": column(IndicatorValue, f) for f in ("indicator", "year", "target", "value")},
        "x.number": column(Axe, "number"),
    }


def _date(value):
    return connection.ops.adapt_datefield_value(value)


def _indicator_cte(sql, n, pacte, periods):
    """`ind`: for each action of the pacte with indicators, how many of them are in each state in each period's
    year (one pass over the year's indicator values)."""
    behind = (
        f"((i.{n['i.higher_is_better']} AND v.{n['v.value']} < v.{n['v.target']})"
        f" OR (NOT i.{n['i.higher_is_better']} AND v.{n['v.value']} > v.{n['v.target']}))"
    )
    measured = f"v.{n['v.target']} IS NOT NULL AND v.{n['v.value']} IS NOT NULL"
    conditions = {
        "on_target": f"{measured} AND NOT {behind}",
        "behind": f"{measured} AND {behind}",
        "no_value": f"v.{n['v.target']} IS NOT NULL AND v.{n['v.value']} IS NULL",
        "no_target": f"v.{n['v.target']} IS NULL AND v.{n['v.value']} IS NOT NULL",
    }
    sql.add(f"WITH ind AS MATERIALIZED (SELECT i.{n['i.action']} AS action_id")
    for key, year in periods:
        for state in INDICATOR_STATES:
            sql.add(
                f", SUM(CASE WHEN v.{n['v.year']} = %s AND {conditions[state]} THEN 1 ELSE 0 END) AS {state}_{key}",
                year,
            )
    years = [year for _key, year in periods]
    sql.add(
        f" FROM {n['action']} a JOIN {n['indicator']} i ON i.{n['i.action']} = a.id"
        f" JOIN {n['value']} v ON v.{n['v.indicator']} = i.id AND v.{n['v.year']} IN ({', '.join(['%s'] * len(years))})"
        f" WHERE a.{n['a.pacte']} = %s GROUP BY i.{n['i.action']}), ",
        *years,
        pacte.pk,
    )


def _report_cte(sql, n, pacte, periods, last_years):
    """`rep`: for each action of the pacte with reports, the latest year with a submitted report by the end of
    each of `last_years` (last_<year>) and the state of each period's report (report_<key>): one grouped pass
    over the pacte's reports instead of a lookup per action and year."""
    sql.add(f"rep AS MATERIALIZED (SELECT r.{n['r.action']} AS action_id")
    for year in last_years:
        sql.add(
            f", MAX(CASE WHEN r.{n['r.state']} = %s AND r.{n['r.year']} <= %s THEN r.{n['r.year']} END) AS last_{year}",
            ReportState.SUBMITTED.value,
            year,
        )
    for key, year in periods:
        # One report per action and year: MAX picks it.
        sql.add(f", MAX(CASE WHEN r.{n['r.year']} = %s THEN r.{n['r.state']} END) AS report_{key}", year)
    sql.add(
        f" FROM {n['action']} a JOIN {n['report']} r ON r.{n['r.action']} = a.id WHERE a.{n['a.pacte']} = %s"
        f" GROUP BY r.{n['r.action']}), ",
        pacte.pk,
    )


def _state_cte(pacte, periods, today):
    """`WITH ind AS MATERIALIZED (...), rep AS MATERIALIZED (...), s AS MATERIALIZED (...)`: one row per action of
    the pacte with, for each (key, year) of `periods`, status_<key>, progress_<key>, previous_<key> (progress the
    year before), report_<key> (that year's report state) and the number of its indicators in each state
    (<state>_<key>)."""
    n = _names()
    reporting = reporting_year(pacte, today)

    def needs_report(year):
        return pacte.first_year <= year < reporting

    # The years whose state comes from the latest submitted report (before the reporting year).
    last_years = sorted(
        {year for _key, year in periods if needs_report(year)}
        | {year - 1 for _key, year in periods if needs_report(year - 1)}
    )

    def progress(year):
        if year < pacte.first_year:
            return "CAST(NULL AS INTEGER)"
        if year >= reporting:
            return f"a.{n['a.progress']}"
        return f"COALESCE(l_{year}.{n['r.progress']}, 0)"

    sql = _Sql()
    _indicator_cte(sql, n, pacte, periods)
    _report_cte(sql, n, pacte, periods, last_years)
    sql.add(
        f"s AS MATERIALIZED (SELECT a.id AS id, a.{n['a.number']} AS number, a.{n['a.title']} AS title,"
        f" a.{n['a.sort_key']} AS sort_key, a.{n['a.axe']} AS axe_id, x.{n['x.number']} AS axe_number,"
        f" a.{n['a.start_date']} AS start_date, a.{n['a.end_date']} AS end_date"
    )
    for key, year in periods:
        if year >= reporting:
            sql.add(f", a.{n['a.status']} AS status_{key}")
        else:
            sql.add(f", COALESCE(l_{year}.{n['r.status']}, %s) AS status_{key}", ActionStatus.TO_LAUNCH.value)
        sql.add(f", {progress(year)} AS progress_{key}")
        previous = progress(year - 1) if year > pacte.first_year else "CAST(NULL AS INTEGER)"
        sql.add(f", {previous} AS previous_{key}, rep.report_{key} AS report_{key}")
        for state in INDICATOR_STATES:
            sql.add(f", COALESCE(ind.{state}_{key}, 0) AS {state}_{key}")
    sql.add(
        f" FROM {n['action']} a JOIN {n['axe']} x ON x.id = a.{n['a.axe']}"
        " LEFT JOIN ind ON ind.action_id = a.id LEFT JOIN rep ON rep.action_id = a.id"
    )
    for year in last_years:
        sql.add(
            f" LEFT JOIN {n['report']} l_{year} ON l_{year}.{n['r.action']} = a.id"
            f" AND l_{year}.{n['r.year']} = rep.last_{year}"
        )
    sql.add(f" WHERE a.{n['a.pacte']} = %s) ", pacte.pk)
    return sql


def _flags(pacte, key, year, today):
    """{name: (SQL 0/1 expression over `s`, params)} for period `key`: due, submitted, draft, the reasons for
    attention and attention itself."""
    finished = (f"s.status_{key} IN (%s, %s)", [status.value for status in FINISHED_STATUSES])
    started = ("(s.start_date IS NULL OR s.start_date <= %s)", [_date(datetime.date(year, 12, 31))])
    ended_before = (
        f"(s.end_date IS NOT NULL AND s.end_date < %s AND {finished[0]})",
        [_date(datetime.date(year, 1, 1)), *finished[1]],
    )
    due = (f"({started[0]} AND NOT {ended_before[0]})", started[1] + ended_before[1])
    submitted = ReportState.SUBMITTED.value
    conditions = {
        "due": due,
        "submitted": (f"({due[0]} AND s.report_{key} = %s)", [*due[1], submitted]),
        "draft": (f"({due[0]} AND s.report_{key} = %s)", [*due[1], ReportState.DRAFT.value]),
        "late": (
            f"(s.end_date IS NOT NULL AND s.end_date < %s AND NOT {finished[0]})",
            [_date(reference_date(pacte, year, today)), *finished[1]],
        ),
        "no_report": (f"({due[0]} AND COALESCE(s.report_{key}, '') <> %s)", [*due[1], submitted]),
        "unchanged": (
            f"((s.start_date IS NULL OR s.start_date < %s) AND NOT {finished[0]}"
            f" AND s.previous_{key} IS NOT NULL AND s.progress_{key} = s.previous_{key})",
            [_date(datetime.date(year, 1, 1)), *finished[1]],
        ),
        "behind": (f"(s.behind_{key} > 0)", []),
    }
    conditions["attention"] = (
        "(" + " OR ".join(conditions[reason][0] for reason in REASONS) + ")",
        [param for reason in REASONS for param in conditions[reason][1]],
    )
    return {name: (f"CASE WHEN {sql} THEN 1 ELSE 0 END", params) for name, (sql, params) in conditions.items()}


def _fetch(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql.text(), sql.params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- figures -----------------------------------------------------------------------------------------


def _empty_figures(year):
    return {
        "year": year,
        "actions": 0,
        "status_counts": {status: 0 for status in ActionStatus.values},
        "progress_total": 0,
        "mean_progress": None,
        "late": 0,
        "reports": {"submitted": 0, "draft": 0, "due": 0, "share": None},
        "indicators": {state: 0 for state in INDICATOR_STATES} | {"total": 0, "share_on_target": None},
        "attention": {reason: 0 for reason in REASONS} | {"total": 0},
    }


def _add(figures, row):
    # PostgreSQL sums integers into bigint or numeric (Decimal): plain ints for JSON.
    row = {
        name: int(row[name] or 0)
        for name in ("n", "progress", *FIGURE_COLUMNS, *(f"ind_{s}" for s in INDICATOR_STATES))
    } | {"status": row["status"]}
    figures["actions"] += row["n"]
    figures["status_counts"][row["status"]] = figures["status_counts"].get(row["status"], 0) + row["n"]
    figures["progress_total"] += row["progress"]
    figures["late"] += row["late"]
    figures["reports"]["submitted"] += row["submitted"]
    figures["reports"]["draft"] += row["draft"]
    figures["reports"]["due"] += row["due"]
    for reason in REASONS:
        figures["attention"][reason] += row[reason]
    figures["attention"]["total"] += row["attention"]
    for state in INDICATOR_STATES:
        figures["indicators"][state] += row[f"ind_{state}"]


def _finish(figures):
    count = figures["actions"]
    figures["mean_progress"] = round(figures["progress_total"] / count) if count else None
    reports = figures["reports"]
    reports["share"] = round(100 * reports["submitted"] / reports["due"]) if reports["due"] else None
    indicators = figures["indicators"]
    indicators["total"] = sum(indicators[state] for state in INDICATOR_STATES)
    measured = indicators["on_target"] + indicators["behind"]
    indicators["share_on_target"] = round(100 * indicators["on_target"] / measured) if measured else None
    return figures


# The columns of the attention list and their SQL types; the figures' rows leave them NULL (typed, for
# PostgreSQL's UNION) when both share one statement.
LIST_COLUMNS = {
    "id": "BIGINT",
    "number": "VARCHAR",
    "title": "VARCHAR",
    "sort_key": "VARCHAR",
    "axe_number": "INTEGER",
    "end_date": "DATE",
    "report": "VARCHAR",
}
FIGURE_COLUMNS = ("submitted", "draft", "due", *REASONS, "attention")
LIST_ROWS = -1


def _add_figures_select(sql, pacte, index, key, year, today):
    flags = _flags(pacte, key, year, today)
    sql.add(f"SELECT {index} AS period, s.axe_id AS axe_id, s.status_{key} AS status, COUNT(*) AS n")
    sql.add(f", SUM(s.progress_{key}) AS progress")
    for state in INDICATOR_STATES:
        sql.add(f", SUM(s.{state}_{key}) AS ind_{state}")
    for name in FIGURE_COLUMNS:
        flag, params = flags[name]
        sql.add(f", SUM({flag}) AS {name}", *params)
    sql.add("".join(f", CAST(NULL AS {kind}) AS {name}" for name, kind in LIST_COLUMNS.items()))
    sql.add(f" FROM s GROUP BY s.axe_id, s.status_{key}")


def _add_list_select(sql, pacte, key, year, today, limit, offset):
    """The actions needing attention in period `key`, in the plan's order, as rows shaped like the figures'."""
    flags = _flags(pacte, key, year, today)
    sql.add(
        f"SELECT * FROM (SELECT {LIST_ROWS} AS period, CAST(NULL AS BIGINT) AS axe_id, s.status_{key} AS status,"
        " CAST(NULL AS BIGINT) AS n,"
        f" s.progress_{key} AS progress"
    )
    sql.add("".join(f", CAST(NULL AS BIGINT) AS ind_{state}" for state in INDICATOR_STATES))
    for name in FIGURE_COLUMNS:
        if name in REASONS:
            flag, params = flags[name]
            sql.add(f", {flag} AS {name}", *params)
        else:
            sql.add(f", CAST(NULL AS BIGINT) AS {name}")
    sql.add(
        ", s.id AS id, s.number AS number, s.title AS title, s.sort_key AS sort_key, s.axe_number AS axe_number,"
        f" s.end_date AS end_date, s.report_{key} AS report"
    )
    flag, params = flags["attention"]
    sql.add(f" FROM s WHERE {flag} = 1 ORDER BY s.axe_number, s.sort_key", *params)
    if limit is not None:
        sql.add(" LIMIT %s OFFSET %s", int(limit), int(offset))
    sql.add(") attention_list")


def _attention_item(row, year, statuses):
    draft = row["report"] == ReportState.DRAFT
    reasons = [{"code": code, "label": reason_label(code, year, draft=draft)} for code in REASONS if row[code]]
    end_date = row["end_date"]
    return {
        "action_id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "axe_number": row["axe_number"],
        "status": row["status"],
        "status_label": str(statuses.get(row["status"], row["status"])),
        "progress": int(row["progress"]),
        "end_date": str(end_date) if end_date else None,
        "reasons": reasons,
        "reason": ", ".join(reason["label"] for reason in reasons),
    }


def _attention_items(rows, year):
    statuses = dict(ActionStatus.choices)
    rows = sorted(rows, key=lambda row: (row["axe_number"], row["sort_key"]))
    return [_attention_item(row, year, statuses) for row in rows]


def year_figures(pacte, years, today, axe_ids, attention_limit=None):
    """({year: ({axe id: figures}, pacte figures)} for each of `years` (one or two), [actions needing attention
    in the first year, at most `attention_limit`]), from one statement: the per-action state is computed once."""
    periods = [(f"p{index}", year) for index, year in enumerate(years)]
    sql = _state_cte(pacte, periods, today)
    for index, (key, year) in enumerate(periods):
        if index:
            sql.add(" UNION ALL ")
        _add_figures_select(sql, pacte, index, key, year, today)
    sql.add(" UNION ALL ")
    _add_list_select(sql, pacte, "p0", years[0], today, attention_limit, 0)
    result = {year: ({axe_id: _empty_figures(year) for axe_id in axe_ids}, _empty_figures(year)) for year in years}
    listed = []
    for row in _fetch(sql):
        if row["period"] == LIST_ROWS:
            listed.append(row)
            continue
        year = years[row["period"]]
        per_axe, total = result[year]
        _add(per_axe.setdefault(row["axe_id"], _empty_figures(year)), row)
        _add(total, row)
    return result, _attention_items(listed, years[0])


# --- lists -------------------------------------------------------------------------------------------


def attention_items(pacte, year, today=None, limit=None, offset=0):
    """The actions needing attention in `year`, in the plan's order, with their reasons (one query)."""
    today = today or timezone.localdate()
    sql = _state_cte(pacte, [("p0", year)], today)
    _add_list_select(sql, pacte, "p0", year, today, limit, offset)
    return _attention_items(_fetch(sql), year)


def _number(value):
    return None if value is None else float(value)


def trend(series, year, higher_is_better):
    """From the first measured year to the latest measured year up to `year`: change and whether it is good."""
    measured = [point for point in series if point["value"] is not None and point["year"] <= year]
    if len(measured) < 2:
        return None
    first, last = measured[0], measured[-1]
    change = last["value"] - first["value"]
    if change == 0:
        direction, assessment = "flat", "stable"
    else:
        direction = "up" if change > 0 else "down"
        assessment = "better" if (change > 0) == higher_is_better else "worse"
    return {
        "from_year": first["year"],
        "from_value": first["value"],
        "to_year": last["year"],
        "to_value": last["value"],
        "change": round(change, 2),
        "change_pct": round(100 * change / first["value"], 1) if first["value"] else None,
        "direction": direction,
        "assessment": assessment,
    }


def _behind_condition():
    """The value misses the target, taking the indicator's direction into account (on Indicator rows annotated
    with the year's `target` and `value`)."""
    measured = Q(target__isnull=False, value__isnull=False)
    return measured & (
        Q(higher_is_better=True, value__lt=F("target")) | Q(higher_is_better=False, value__gt=F("target"))
    )


def indicator_items(pacte, year, limit=None, offset=0, axe_number=None):
    """The pacte's indicators, most worrying first in `year`, each with its yearly target and value over the
    pacte's years and its trend (two queries)."""
    queryset = Indicator.objects.filter(action__pacte=pacte)
    if axe_number is not None:
        queryset = queryset.filter(action__axe__number=axe_number)
    # This year's target and value come from a LEFT JOIN on the year's row (no correlated subquery).
    queryset = (
        queryset.annotate(this_year=FilteredRelation("values", condition=Q(values__year=year)))
        .annotate(target=F("this_year__target"), value=F("this_year__value"), total=Window(Count("pk")))
        .annotate(
            rank=Case(
                When(_behind_condition(), then=Value(INDICATOR_ORDER["behind"])),
                When(Q(target__isnull=False, value__isnull=True), then=Value(INDICATOR_ORDER["no_value"])),
                When(Q(target__isnull=False, value__isnull=False), then=Value(INDICATOR_ORDER["on_target"])),
                When(Q(value__isnull=False), then=Value(INDICATOR_ORDER["no_target"])),
                default=Value(INDICATOR_ORDER["none"]),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "action__axe__number", "action__sort_key", "position", "pk")
        .values(
            "pk",
            "label",
            "unit",
            "higher_is_better",
            "baseline",
            "action_id",
            "action__number",
            "action__title",
            "action__axe__number",
            "total",
        )
    )
    if limit is not None:
        indicators = list(queryset[offset : offset + limit])
        values = IndicatorValue.objects.filter(indicator_id__in=[row["pk"] for row in indicators])
    else:
        indicators = list(queryset)
        values = IndicatorValue.objects.filter(indicator__action__pacte=pacte)
        if axe_number is not None:
            values = values.filter(indicator__action__axe__number=axe_number)
    series = {}
    for row in values.order_by("year").values("indicator_id", "year", "target", "value"):
        series.setdefault(row["indicator_id"], []).append(row)
    items = []
    for row in indicators:
        by_year = {point["year"]: point for point in series.get(row["pk"], [])}
        points = []
        for point_year in pacte.years:
            point = by_year.get(point_year, {"target": None, "value": None})
            points.append(
                {
                    "year": point_year,
                    "target": _number(point["target"]),
                    "value": _number(point["value"]),
                    "state": _point_state(point, row["higher_is_better"]),
                }
            )
        current = next((point for point in points if point["year"] == year), None)
        items.append(
            {
                "id": row["pk"],
                "label": row["label"],
                "unit": row["unit"],
                "higher_is_better": row["higher_is_better"],
                "baseline": _number(row["baseline"]),
                "action_id": row["action_id"],
                "action_number": row["action__number"],
                "action_title": row["action__title"],
                "axe_number": row["action__axe__number"],
                "state": current["state"],
                "target": current["target"] if current else None,
                "value": current["value"] if current else None,
                "years": points,
                "trend": trend(points, year, row["higher_is_better"]),
                "total": row["total"],
            }
        )
    return items


def _point_state(point, higher_is_better):
    target, value = point["target"], point["value"]
    if target is None and value is None:
        return "none"
    if value is None:
        return "no_value"
    if target is None:
        return "no_target"
    on_target = value >= target if higher_is_better else value <= target
    return "on_target" if on_target else "behind"


def decision_counts(pacte, today):
    counts = Decision.objects.filter(copil__pacte=pacte, status=DecisionStatus.OPEN).aggregate(
        open=Count("id"), late=Count("id", filter=Q(due_date__lt=today))
    )
    return {"open": counts["open"], "late": counts["late"]}


# --- the whole -------------------------------------------------------------------------------------------


def dashboard_data(pacte, year, today=None, *, limit=None):
    """The dashboard of `pacte` for `year` and the year before (None in the pacte's first year).

    With `limit`, the lists of actions needing attention and of indicators hold their first `limit` items
    (their totals are still complete); without it, everything (for PDFs)."""
    today = today or timezone.localdate()
    year = int(year)
    previous_year = year - 1 if pacte.contains_year(year - 1) else None
    axes = list(Axe.objects.filter(pacte=pacte).order_by("number").values("pk", "number", "title"))
    axe_ids = [axe["pk"] for axe in axes]
    per_year, attention = year_figures(
        pacte, [year] if previous_year is None else [year, previous_year], today, axe_ids, attention_limit=limit
    )
    for per_axe, total in per_year.values():
        for figures in per_axe.values():
            _finish(figures)
        _finish(total)

    current_axes, current = per_year[year]
    previous_axes, previous = per_year.get(previous_year, (None, None))
    indicators = indicator_items(pacte, year, limit=limit)
    return {
        "pacte": {
            "id": pacte.pk,
            "slug": pacte.slug,
            "title": pacte.title,
            "first_year": pacte.first_year,
            "last_year": pacte.last_year,
        },
        "year": year,
        "previous_year": previous_year,
        "years": pacte.years,
        "reporting_year": reporting_year(pacte, today),
        "today": today.isoformat(),
        "reference_date": reference_date(pacte, year, today).isoformat(),
        "statuses": [{"value": value, "label": str(label)} for value, label in ActionStatus.choices],
        "current": current,
        "previous": previous,
        "axes": [
            {
                "id": axe["pk"],
                "number": axe["number"],
                "title": axe["title"],
                "current": current_axes[axe["pk"]],
                "previous": previous_axes[axe["pk"]] if previous_axes is not None else None,
            }
            for axe in axes
        ],
        "attention": {
            "items": attention,
            "total": current["attention"]["total"],
            "truncated": len(attention) < current["attention"]["total"],
        },
        "indicators": {
            "items": indicators,
            "total": indicators[0]["total"] if indicators else 0,
            "truncated": bool(indicators) and len(indicators) < indicators[0]["total"],
        },
        "decisions": decision_counts(pacte, today),
    }


# --- charts and their tables ---------------------------------------------------------------------------
#
# The same functions draw the charts of the dashboard page, the dossier COPIL and the bilan: every chart is an
# SVG drawn on the server (pti.charts), shown with the table of its data beside it (`chart_tables`).

INDICATOR_STATE_LABELS = {
    "on_target": _lazy("Sur la cible"),
    "behind": _lazy("Sous la cible"),
    "no_value": _lazy("Sans valeur"),
    "no_target": _lazy("Sans cible"),
}


def _axe_label(axe):
    return _("Axe %(number)s") % {"number": axe["number"]}


def _bar_height(rows):
    return 110 + 34 * max(rows, 1)


def _year_over_year_rows(data):
    """[(label, previous, current)] of the figures compared year over year, all in %."""
    rows = []
    current, previous = data["current"], data["previous"] or {}

    def share_done(figures):
        count = figures.get("actions")
        return round(100 * figures["status_counts"].get(ActionStatus.DONE, 0) / count) if count else None

    rows.append((_("Avancement moyen (%)"), previous.get("mean_progress"), current["mean_progress"]))
    rows.append(
        (
            _("Comptes rendus transmis (%)"),
            previous.get("reports", {}).get("share"),
            current["reports"]["share"],
        )
    )
    rows.append(
        (
            _("Indicateurs sur la cible (%)"),
            previous.get("indicators", {}).get("share_on_target"),
            current["indicators"]["share_on_target"],
        )
    )
    rows.append((_("Actions réalisées (%)"), share_done(previous) if previous else None, share_done(current)))
    return rows


CHART_CACHE_SECONDS = 24 * 3600


def _chart(draw, *args, **kwargs):
    """`draw(*args, **kwargs)`, cached by its inputs: the same figures always give the same chart, and drawing
    one takes pygal longer than computing the whole dashboard."""
    inputs = json.dumps(
        [draw.__name__, args, kwargs, settings.DEPARTEMENT["primary_color"]], default=str, sort_keys=True
    )
    key = "pilotage:chart:" + hashlib.sha256(inputs.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = str(draw(*args, **kwargs))
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - pygal's SVG, labels escaped by pygal (see pti.charts.render)


def dashboard_charts(data):
    """{name: SVG} for the dashboard `data`: status_by_axe, progress_by_axe, year_over_year, indicators_by_axe."""
    axes = data["axes"]
    categories = [_axe_label(axe) for axe in axes]
    height = _bar_height(len(axes))
    statuses = data["statuses"]
    result = {
        "status_by_axe": _chart(
            charts.stacked_bars,
            categories,
            [
                (capfirst(status["label"]), [axe["current"]["status_counts"].get(status["value"], 0) for axe in axes])
                for status in statuses
            ],
            height=height,
        ),
        "progress_by_axe": _chart(
            charts.progress_bars, categories, [axe["current"]["mean_progress"] for axe in axes], height=height
        ),
    }
    rows = _year_over_year_rows(data)
    series = []
    if data["previous_year"] is not None:
        series.append((str(data["previous_year"]), [row[1] for row in rows]))
    series.append((str(data["year"]), [row[2] for row in rows]))
    result["year_over_year"] = _chart(
        charts.grouped_bars, [row[0].replace(" (%)", "") for row in rows], series, unit="%", max_value=100
    )
    result["indicators_by_axe"] = _chart(
        charts.stacked_bars,
        categories,
        [
            (str(INDICATOR_STATE_LABELS[state]), [axe["current"]["indicators"][state] for axe in axes])
            for state in ("on_target", "behind", "no_value")
        ],
        height=height,
    )
    return result


def _cell(value, suffix=""):
    if value is None:
        return "—"
    return f"{value}{suffix}"


def chart_tables(data):
    """{name: {"caption", "head", "rows"}}: the data of each chart of `dashboard_charts`, as a table (RGAA).

    The first cell of each row is the row's header."""
    axes = data["axes"]
    year, previous_year = data["year"], data["previous_year"]
    statuses = data["statuses"]
    tables = {
        "status_by_axe": {
            "caption": _("Actions par statut et par axe, %(year)s") % {"year": year},
            "head": [_("Axe")] + [capfirst(status["label"]) for status in statuses] + [_("Total")],
            "rows": [
                [f"{axe['number']}. {axe['title']}"]
                + [axe["current"]["status_counts"].get(status["value"], 0) for status in statuses]
                + [axe["current"]["actions"]]
                for axe in axes
            ],
        },
        "progress_by_axe": {
            "caption": _("Avancement moyen des actions par axe, %(year)s") % {"year": year},
            "head": [_("Axe"), _("Avancement moyen"), _("Comptes rendus %(year)s transmis") % {"year": year}],
            "rows": [
                [
                    f"{axe['number']}. {axe['title']}",
                    _cell(axe["current"]["mean_progress"], " %"),
                    f"{axe['current']['reports']['submitted']} / {axe['current']['reports']['due']}",
                ]
                for axe in axes
            ],
        },
        "indicators_by_axe": {
            "caption": _("Indicateurs par rapport à leur cible %(year)s, par axe") % {"year": year},
            "head": [_("Axe")] + [str(INDICATOR_STATE_LABELS[s]) for s in ("on_target", "behind", "no_value")],
            "rows": [
                [f"{axe['number']}. {axe['title']}"]
                + [axe["current"]["indicators"][s] for s in ("on_target", "behind", "no_value")]
                for axe in axes
            ],
        },
    }
    rows = _year_over_year_rows(data)
    head = [_("Indicateur clé")]
    if previous_year is not None:
        head.append(str(previous_year))
    head.append(str(year))
    tables["year_over_year"] = {
        "caption": _("Comparaison %(previous)s – %(year)s") % {"previous": previous_year, "year": year}
        if previous_year is not None
        else _("Chiffres clés %(year)s") % {"year": year},
        "head": head,
        "rows": [
            [label] + ([_cell(before, " %")] if previous_year is not None else []) + [_cell(after, " %")]
            for label, before, after in rows
        ],
    }
    return tables
