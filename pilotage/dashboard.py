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
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
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


# --- expressions -------------------------------------------------------------------------------------


def _status_progress(pacte, year, today):
    """(status, progress) expressions of an action in `year` (see the module's docstring)."""
    if year >= reporting_year(pacte, today):
        return F("status"), F("progress")
    latest = ProgressReport.objects.filter(action=OuterRef("pk"), year__lte=year, state=ReportState.SUBMITTED).order_by(
        "-year"
    )
    status = Coalesce(
        Subquery(latest.values("status")[:1], output_field=CharField()),
        Value(ActionStatus.TO_LAUNCH.value),
        output_field=CharField(),
    )
    progress = Coalesce(
        Subquery(latest.values("progress")[:1], output_field=IntegerField()), Value(0), output_field=IntegerField()
    )
    return status, progress


def _behind_condition(higher_is_better="indicator__higher_is_better"):
    """The value misses the target, taking the indicator's direction into account."""
    measured = Q(target__isnull=False, value__isnull=False)
    return measured & (
        Q(**{higher_is_better: True}, value__lt=F("target")) | Q(**{higher_is_better: False}, value__gt=F("target"))
    )


def action_states(pacte, year, today):
    """One row per action of the pacte with what `year`'s figures need: its status and progress in the year (and
    the year before), whether its report is submitted or drafted, whether an indicator misses its target.

    Each correlated subquery appears once here; the flags that combine them are computed on top of this query
    (see `_state_sql`), so the database evaluates every subquery once per action."""
    status, progress = _status_progress(pacte, year, today)
    reports = ProgressReport.objects.filter(action=OuterRef("pk"), year=year)
    behind = IndicatorValue.objects.filter(indicator__action=OuterRef("pk"), year=year).filter(_behind_condition())
    if year > pacte.first_year:
        previous_progress = _status_progress(pacte, year - 1, today)[1]
    else:
        previous_progress = Value(None, output_field=IntegerField())
    return (
        Action.objects.filter(pacte=pacte)
        .annotate(
            year_status=status,
            year_progress=progress,
            previous_progress=previous_progress,
            submitted=Exists(reports.filter(state=ReportState.SUBMITTED)),
            drafted=Exists(reports.filter(state=ReportState.DRAFT)),
            behind=Exists(behind),
        )
        .values(
            "id",
            "number",
            "title",
            "sort_key",
            "axe_id",
            "axe__number",
            "start_date",
            "end_date",
            "year_status",
            "year_progress",
            "previous_progress",
            "submitted",
            "drafted",
            "behind",
        )
        .order_by()
    )


def _state_sql(pacte, year, today):
    """(FROM clause, its params, {flag: (SQL 0/1 expression, its params)}, column reference) over the rows of
    `action_states`, aliased `s`. Params go in the order their SQL appears: SELECT list, FROM, WHERE."""
    qn = connection.ops.quote_name
    date = connection.ops.adapt_datefield_value
    inner, inner_params = action_states(pacte, year, today).query.sql_with_params()

    def col(name):
        return f"s.{qn(name)}"

    finished = f"{col('year_status')} IN (%s, %s)"
    finished_params = [status.value for status in FINISHED_STATUSES]
    started = f"({col('start_date')} IS NULL OR {col('start_date')} <= %s)"
    started_params = [date(datetime.date(year, 12, 31))]
    ended_before = f"({col('end_date')} IS NOT NULL AND {col('end_date')} < %s AND {finished})"
    ended_before_params = [date(datetime.date(year, 1, 1)), *finished_params]
    due = f"({started} AND NOT {ended_before})"
    due_params = started_params + ended_before_params
    conditions = {
        "due": (due, due_params),
        "submitted": (f"({due} AND {col('submitted')})", due_params),
        "draft": (f"({due} AND {col('drafted')} AND NOT {col('submitted')})", due_params),
        "late": (
            f"({col('end_date')} IS NOT NULL AND {col('end_date')} < %s AND NOT {finished})",
            [date(reference_date(pacte, year, today)), *finished_params],
        ),
        "no_report": (f"({due} AND NOT {col('submitted')})", due_params),
        "unchanged": (
            f"(({col('start_date')} IS NULL OR {col('start_date')} < %s) AND NOT {finished}"
            f" AND {col('previous_progress')} IS NOT NULL AND {col('year_progress')} = {col('previous_progress')})",
            [date(datetime.date(year, 1, 1)), *finished_params],
        ),
        "behind": (f"({col('behind')})", []),
    }
    attention = " OR ".join(conditions[reason][0] for reason in REASONS)
    conditions["attention"] = (f"({attention})", [p for reason in REASONS for p in conditions[reason][1]])
    flags = {name: (f"CASE WHEN {sql} THEN 1 ELSE 0 END", params) for name, (sql, params) in conditions.items()}
    return f"({inner}) s", list(inner_params), flags, col


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
    figures["actions"] += row["n"]
    figures["status_counts"][row["year_status"]] = figures["status_counts"].get(row["year_status"], 0) + row["n"]
    figures["progress_total"] += row["progress"] or 0
    figures["late"] += row["late"] or 0
    figures["reports"]["submitted"] += row["submitted"] or 0
    figures["reports"]["draft"] += row["draft"] or 0
    figures["reports"]["due"] += row["due"] or 0
    for reason in REASONS:
        figures["attention"][reason] += row[reason] or 0
    figures["attention"]["total"] += row["attention"] or 0


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


def year_figures(pacte, year, today, axe_ids):
    """({axe id: figures}, pacte figures) for `year`, from one grouped query."""
    source, source_params, flags, col = _state_sql(pacte, year, today)
    sums, params = [], []
    for name in ("submitted", "draft", "due", *REASONS, "attention"):
        sql, flag_params = flags[name]
        sums.append(f"SUM({sql}) AS {connection.ops.quote_name(name)}")
        params += flag_params
    params += source_params
    rows = _fetch(
        f"SELECT {col('axe_id')} AS axe_id, {col('year_status')} AS year_status, COUNT(*) AS n,"
        f" SUM({col('year_progress')}) AS progress, {', '.join(sums)}"
        f" FROM {source} GROUP BY {col('axe_id')}, {col('year_status')}",
        params,
    )
    per_axe = {axe_id: _empty_figures(year) for axe_id in axe_ids}
    total = _empty_figures(year)
    for row in rows:
        _add(per_axe.setdefault(row["axe_id"], _empty_figures(year)), row)
        _add(total, row)
    return per_axe, total


def indicator_state_expression(higher_is_better="indicator__higher_is_better"):
    """An indicator's state in a year from the `target` and `value` of that year (see the module's docstring)."""
    return Case(
        When(Q(target__isnull=True, value__isnull=True), then=Value("none")),
        When(Q(value__isnull=True), then=Value("no_value")),
        When(Q(target__isnull=True), then=Value("no_target")),
        When(_behind_condition(higher_is_better), then=Value("behind")),
        default=Value("on_target"),
        output_field=CharField(),
    )


def add_indicator_counts(pacte, years, per_year):
    """Count indicators by state, per axe and year, in one query; `per_year` is {year: (per_axe, total)}."""
    rows = (
        IndicatorValue.objects.filter(indicator__action__pacte=pacte, year__in=years)
        .annotate(state=indicator_state_expression())
        .exclude(state="none")
        .values("indicator__action__axe_id", "year", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        per_axe, total = per_year[row["year"]]
        axe = per_axe.setdefault(row["indicator__action__axe_id"], _empty_figures(row["year"]))
        axe["indicators"][row["state"]] += row["n"]
        total["indicators"][row["state"]] += row["n"]


# --- lists -------------------------------------------------------------------------------------------


def attention_items(pacte, year, today=None, limit=None, offset=0):
    """The actions needing attention in `year`, in the plan's order, with their reasons (one query)."""
    today = today or timezone.localdate()
    source, source_params, flags, col = _state_sql(pacte, year, today)
    selected, params = [], []
    for reason in REASONS:
        sql, flag_params = flags[reason]
        selected.append(f"{sql} AS {connection.ops.quote_name(reason)}")
        params += flag_params
    where, where_params = flags["attention"]
    params += source_params + where_params
    columns = ("id", "number", "title", "axe__number", "year_status", "year_progress", "end_date", "drafted")
    sql = (
        f"SELECT {', '.join(f'{col(name)} AS {connection.ops.quote_name(name)}' for name in columns)},"
        f" {', '.join(selected)} FROM {source} WHERE {where} = 1"
        f" ORDER BY {col('axe__number')}, {col('sort_key')}"
    )
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [int(limit), int(offset)]
    statuses = dict(ActionStatus.choices)
    items = []
    for row in _fetch(sql, params):
        reasons = [
            {"code": code, "label": reason_label(code, year, draft=bool(row["drafted"]))}
            for code in REASONS
            if row[code]
        ]
        end_date = row["end_date"]
        items.append(
            {
                "action_id": row["id"],
                "number": row["number"],
                "title": row["title"],
                "axe_number": row["axe__number"],
                "status": row["year_status"],
                "status_label": str(statuses.get(row["year_status"], row["year_status"])),
                "progress": row["year_progress"],
                "end_date": str(end_date) if end_date else None,
                "reasons": reasons,
                "reason": ", ".join(reason["label"] for reason in reasons),
            }
        )
    return items


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
                When(_behind_condition("higher_is_better"), then=Value(INDICATOR_ORDER["behind"])),
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
    per_year = {year: year_figures(pacte, year, today, axe_ids)}
    if previous_year is not None:
        per_year[previous_year] = year_figures(pacte, previous_year, today, axe_ids)
    add_indicator_counts(pacte, list(per_year), per_year)
    for per_axe, total in per_year.values():
        for figures in per_axe.values():
            _finish(figures)
        _finish(total)

    current_axes, current = per_year[year]
    previous_axes, previous = per_year.get(previous_year, (None, None))
    attention = attention_items(pacte, year, today, limit=limit)
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
_CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')
_SERIE_ID = re.compile(r'id="activate-serie-(\d+)"')


def _unique_ids(svg):
    """pygal names its legend entries `activate-serie-N` in every chart: prefix them with the chart's own id, so
    a page or a PDF with several charts has no duplicate id."""
    match = _CHART_ID.search(svg)
    if not match:
        return svg
    return _SERIE_ID.sub(lambda m: f'id="{match[1]}-serie-{m[1]}"', svg)


def _chart(draw, *args, **kwargs):
    """`draw(*args, **kwargs)`, cached by its inputs: the same figures always give the same chart, and drawing
    one takes pygal longer than computing the whole dashboard."""
    inputs = json.dumps(
        [draw.__name__, args, kwargs, settings.DEPARTEMENT["primary_color"]], default=str, sort_keys=True
    )
    key = "pilotage:chart:" + hashlib.sha256(inputs.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _unique_ids(str(draw(*args, **kwargs)))
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
