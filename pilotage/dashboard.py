"""The steering committee's dashboard of a pacte for one year, beside the previous year, as plain data.

`dashboard_data(pacte, year)` returns numbers, strings, lists and dicts only (no model instances; decimals as
floats), so that the dashboard page, the dossier COPIL and the bilan (another app) read the same figures, and
the same `dashboard_charts(data)` draws their charts. Every figure comes from `actions.figures`, where each is
defined once (state of an action in a year, report due, late, unchanged, indicator on target, mean progress):
this module only gathers them and draws them. It runs a constant number of SQL queries whatever the number of
actions, and the two long lists (actions needing attention, indicators) can be cut to their first `limit`
rows, the most worrying first.

An action needs attention in year Y when it is late, its report for Y is due and not submitted (missing or
still a draft), its progress did not move since Y - 1, one of its indicators misses the year's target, or one
of its milestones is late (`actions.figures.REASONS`).
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, Value, When, Window
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from actions import figures
from actions.enums import ActionStatus, ReportState
from actions.models import Indicator, IndicatorValue
from axes.models import Axe
from pilotage.models import Decision, decision_late_q
from pti import charts, palette, stamps
from pti.formats import euros

REASONS = figures.REASONS
INDICATOR_STATES = figures.INDICATOR_STATES
# Indicators listed most worrying first.
INDICATOR_ORDER = {"behind": 0, "no_value": 1, "on_target": 2, "no_target": 3, "none": 4}


def reason_label(code, year, draft=False, count=None):
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
    if code == "milestones_late":
        count = count or 1
        return ngettext("%(count)s étape en retard", "%(count)s étapes en retard", count) % {"count": count}
    raise ValueError(code)


reference_date = figures.reference_date


def _attention_item(row, year, statuses):
    draft = row["report"] == ReportState.DRAFT
    count = row.get("milestones_late_count")
    reasons = [
        {"code": code, "label": reason_label(code, year, draft=draft, count=count)} for code in REASONS if row[code]
    ]
    end_date = row["end_date"]
    return {
        "action_id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "axe_number": row["axe_number"],
        "status": row["status"],
        "status_label": str(statuses.get(row["status"], row["status"])),
        "progress": int(row["progress"]),
        "end_date": end_date.isoformat() if end_date else None,
        "milestones_late": int(count or 0),
        "reasons": reasons,
        "reason": ", ".join(reason["label"] for reason in reasons),
    }


def _attention_items(rows, year):
    statuses = dict(ActionStatus.choices)
    return [_attention_item(row, year, statuses) for row in rows]


def year_figures(pacte, years, today, axe_ids, attention_limit=None):
    """({year: ({axe id: figures}, pacte figures)} for each of `years` (one or two), [actions needing attention
    in the first year, at most `attention_limit`]), from one statement (actions.figures)."""
    periods = [figures.period(pacte, year, today, key=index) for index, year in enumerate(years)]
    result = figures.compute(
        periods,
        group="axe",
        rows=[("facts.attention = 1", ()), ("facts.period = %s", (0,))],
        limit=attention_limit,
    )
    per_year = {}
    for p in periods:
        groups = result.groups(p.key)
        per_axe = {axe_id: groups.get(axe_id) or figures.finish(figures.empty_figures(p.year)) for axe_id in axe_ids}
        per_year[p.year] = (per_axe, result.total(p.key))
    return per_year, _attention_items(result.rows, years[0])


# --- lists -------------------------------------------------------------------------------------------


def attention_items(pacte, year, today=None, limit=None, offset=0):
    """The actions needing attention in `year`, in the plan's order, with their reasons (one query)."""
    today = today or timezone.localdate()
    result = figures.compute(
        [figures.period(pacte, year, today)], totals=False, rows="attention", limit=limit, offset=offset
    )
    return _attention_items(result.rows, year)


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
    pacte's years and its trend (two queries). They read the whole pacte's indicators to sort them: kept in the
    cache under the `indicators` counters of the pacte's pieces, which the indicators' and values' writes move
    and a report's leaves, and the other tables' stamps (actions.figures.kept)."""
    parts = ("indicator-items", pacte.pk, tuple(pacte.years), year, limit, offset, axe_number)
    return figures.kept(
        [pacte.pk], parts, lambda: _indicator_items(pacte, year, limit, offset, axe_number), counter="indicators"
    )


def _indicator_items(pacte, year, limit, offset, axe_number):
    queryset = Indicator.objects.filter(action__pacte=pacte)
    if axe_number is not None:
        queryset = queryset.filter(action__axe__number=axe_number)
    # This year's target and value come from a LEFT JOIN on the year's row (no correlated subquery).
    queryset = (
        queryset.annotate(this_year=FilteredRelation("values", condition=Q(values__year=year)))
        .annotate(target=F("this_year__target"), value=F("this_year__value"), total=Window(Count("pk")))
        .annotate(
            state=figures.indicator_state(),
        )
        .annotate(
            rank=Case(
                *[When(state=state, then=Value(rank)) for state, rank in INDICATOR_ORDER.items()],
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
    values = values.annotate(state=figures.indicator_state(higher_is_better="indicator__higher_is_better"))
    for row in values.order_by("year").values("indicator_id", "year", "target", "value", "state"):
        series.setdefault(row["indicator_id"], []).append(row)
    items = []
    for row in indicators:
        by_year = {point["year"]: point for point in series.get(row["pk"], [])}
        points = []
        for point_year in pacte.years:
            point = by_year.get(point_year, {"target": None, "value": None, "state": "none"})
            points.append(
                {
                    "year": point_year,
                    "target": _number(point["target"]),
                    "value": _number(point["value"]),
                    "state": point["state"],
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


def _plain_budget(entry):
    """A budget entry of `figures.budget_totals` in whole euros as ints (JSON), an empty one when missing."""
    if entry is None:
        return {"planned": 0, "actual": None, "with_actual": 0, "share": None}
    return {
        "planned": int(entry["planned"]),
        "actual": None if entry["actual"] is None else int(entry["actual"]),
        "with_actual": entry["with_actual"],
        "share": entry["share"],
    }


def decision_counts(pacte, today):
    """The pacte's open decisions and those of them late on `today`: one grouped row, kept in the cache while the
    COPILs and decisions are unchanged (pti.stamps)."""
    rows = stamps.rows(
        Decision.objects.filter(copil__pacte=pacte)
        .open()
        .values("copil__pacte")
        .annotate(open=Count("id"), late=Count("id", filter=decision_late_q(today)))
        .values_list("open", "late")
    )
    open_count, late = rows[0] if rows else (0, 0)
    return {"open": open_count, "late": late}


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

    current_axes, current = per_year[year]
    previous_axes, previous = per_year.get(previous_year, (None, None))
    indicators = indicator_items(pacte, year, limit=limit)
    budgets = figures.budget_totals(pacte)
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
        "reporting_year": figures.reporting_year(pacte, today),
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
                "budget": _plain_budget(budgets["axes"].get(axe["pk"], {}).get(year)),
            }
            for axe in axes
        ],
        "live": year >= figures.reporting_year(pacte, today),
        "budget": {
            "current": _plain_budget(budgets["years"].get(year)),
            "previous": _plain_budget(budgets["years"].get(previous_year)) if previous_year else None,
        },
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

WEATHERS = (*figures.WEATHERS, "unknown")
WEATHER_LABELS = {
    "on_track": _lazy("En bonne voie"),
    "some_difficulties": _lazy("Quelques difficultés"),
    "at_risk": _lazy("En danger"),
    "unknown": _lazy("Non renseignée"),
}

INDICATOR_STATE_LABELS = {
    "on_target": _lazy("Sur la cible"),
    "behind": _lazy("Sous la cible"),
    "no_value": _lazy("Sans valeur"),
    "no_target": _lazy("Sans cible"),
}


def short_title(title, limit=34):
    """An axe's title cut at a word boundary to fit a chart's label column."""
    title = " ".join(str(title).split())
    if len(title) <= limit:
        return title
    cut = title[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:–-")
    return f"{cut}…"


def _axe_label(axe):
    """The axe as a chart names it: its number and short title ("2. Accompagnement individualisé…")."""
    return f"{axe['number']}. {axe.get('short_title') or short_title(axe['title'])}"


def _bar_height(rows):
    return 130 + 40 * max(rows, 1)


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
    alts = {name: table["caption"] for name, table in chart_tables(data).items()}
    result = {
        "status_by_axe": _chart(
            charts.stacked_bars,
            categories,
            [
                (capfirst(status["label"]), [axe["current"]["status_counts"].get(status["value"], 0) for axe in axes])
                for status in statuses
            ],
            height=height,
            colors=palette.status_colors([status["value"] for status in statuses]),
            alt=alts["status_by_axe"],
        ),
        "progress_by_axe": _chart(
            charts.progress_bars,
            categories,
            [axe["current"]["mean_progress"] for axe in axes],
            height=height,
            alt=alts["progress_by_axe"],
        ),
    }
    if has_weather(data):
        result["weather_by_axe"] = _chart(
            charts.stacked_bars,
            categories,
            [(str(WEATHER_LABELS[w]), [axe["current"]["weather"][w] for axe in axes]) for w in WEATHERS],
            height=height,
            colors=palette.weather_colors(WEATHERS),
            alt=alts["weather_by_axe"],
        )
    if has_budget(data):
        result["budget_by_axe"] = _chart(
            charts.grouped_bars,
            categories,
            [
                (_("Prévu"), [_thousands(axe["budget"]["planned"]) for axe in axes]),
                (_("Réalisé"), [_thousands(axe["budget"]["actual"]) for axe in axes]),
            ],
            unit=_("milliers d'euros"),
            colors=(palette.TARGET.background, palette.VALUE.background),  # planned as a target, actual as a value
            alt=alts["budget_by_axe"],
        )
    rows = _year_over_year_rows(data)
    series = []
    if data["previous_year"] is not None:
        series.append((str(data["previous_year"]), [row[1] for row in rows]))
    series.append((str(data["year"]), [row[2] for row in rows]))
    result["year_over_year"] = _chart(
        charts.grouped_bars,
        [row[0].replace(" (%)", "") for row in rows],
        series,
        unit="%",
        max_value=100,
        alt=alts["year_over_year"],
    )
    result["indicators_by_axe"] = _chart(
        charts.stacked_bars,
        categories,
        [
            (str(INDICATOR_STATE_LABELS[state]), [axe["current"]["indicators"][state] for axe in axes])
            for state in ("on_target", "behind", "no_value")
        ],
        height=height,
        colors=palette.indicator_colors(("on_target", "behind", "no_value")),
        alt=alts["indicators_by_axe"],
    )
    return result


def _cell(value, suffix=""):
    if value is None:
        return "—"
    return f"{value}{suffix}"


def _thousands(value):
    """Euros in thousands for a chart's axis (its labels stay short); the table beside it gives the euros."""
    return None if value is None else round(value / 1000)


def has_weather(data):
    """Dashboards frozen in bilans approved before the weather was counted have none: nothing to draw."""
    return "weather" in data["current"]


def has_budget(data):
    """Likewise for the budgets (`figures.budget_totals`)."""
    return "budget" in data and all("budget" in axe for axe in data["axes"])


def _weather_table(data):
    axes, year = data["axes"], data["year"]
    return {
        "caption": _("Météo des comptes rendus %(year)s transmis, par axe") % {"year": year},
        "head": [_("Axe")] + [str(WEATHER_LABELS[w]) for w in WEATHERS] + [_("Comptes rendus attendus")],
        "rows": [
            [f"{axe['number']}. {axe['title']}"]
            + [axe["current"]["weather"][w] for w in WEATHERS]
            + [axe["current"]["reports"]["due"]]
            for axe in axes
        ],
    }


def _budget_table(data):
    axes, year = data["axes"], data["year"]
    return {
        "caption": _("Budget %(year)s prévu et réalisé, par axe (en euros)") % {"year": year},
        "head": [_("Axe"), _("Prévu"), _("Réalisé"), _("Taux de réalisation")],
        "rows": [
            [
                f"{axe['number']}. {axe['title']}",
                euros(axe["budget"]["planned"]),
                euros(axe["budget"]["actual"]),
                _cell(axe["budget"]["share"], " %"),
            ]
            for axe in axes
        ]
        + [
            [
                _("Total"),
                euros(data["budget"]["current"]["planned"]),
                euros(data["budget"]["current"]["actual"]),
                _cell(data["budget"]["current"]["share"], " %"),
            ]
        ],
    }


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
    if has_weather(data):
        tables["weather_by_axe"] = _weather_table(data)
    if has_budget(data):
        tables["budget_by_axe"] = _budget_table(data)
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
