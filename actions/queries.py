"""The reads the referents' pages need, each in a constant number of queries whatever the number of actions."""

from collections import defaultdict

from django.db.models import F, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from actions.models import Action, ActionPartner, Indicator, IndicatorValue, ProgressReport


def with_report_state(queryset, year=None, today=None):
    """Annotate each action with `report_year` and `report_state` (None, "draft" or "submitted").

    Without `year`, the year is each pacte's reporting year: this year, kept inside the pacte's years.
    """
    if year is None:
        this_year = (today or timezone.localdate()).year
        year_expr = Least(
            Greatest(Value(this_year), F("pacte__first_year"), output_field=IntegerField()),
            F("pacte__last_year"),
            output_field=IntegerField(),
        )
    else:
        year_expr = Value(int(year), output_field=IntegerField())
    queryset = queryset.annotate(report_year=year_expr)
    reports = ProgressReport.objects.filter(action=OuterRef("pk"), year=OuterRef("report_year"))
    return queryset.annotate(
        report_state=Subquery(reports.values("state")[:1]),
        report_progress=Subquery(reports.values("progress")[:1], output_field=IntegerField()),
    )


def list_actions(queryset):
    return queryset.select_related("pacte", "axe", "objectif").prefetch_related("referents")


def action_detail_queryset():
    return Action.objects.select_related("pacte", "axe", "objectif", "objectif__axe").prefetch_related(
        "referents",
        Prefetch("partner_roles", queryset=ActionPartner.objects.select_related("partner")),
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.select_related("author").prefetch_related("documents").order_by("-year"),
        ),
        "budgets",
        "axe__thematic_referents",
    )


def indicator_rows(indicator, years):
    """One row per year: target, value, gap, and whether the value is on target."""
    by_year = {iv.year: iv for iv in indicator.values.all()}
    rows = []
    for year in years:
        iv = by_year.get(year) or IndicatorValue(indicator=indicator, year=year)
        rows.append({"year": year, "target": iv.target, "value": iv.value, "gap": iv.gap, "on_target": iv.on_target})
    return rows


def rollup(actions):
    """Mean progress and status counts of a group of actions (the pacte page rolls actions up this way:
    every action weighs the same, because actions have no comparable size or budget in the plan)."""
    actions = list(actions)
    counts = defaultdict(int)
    for action in actions:
        counts[action.status] += 1
    mean = round(sum(a.progress for a in actions) / len(actions)) if actions else None
    return {"count": len(actions), "mean_progress": mean, "status_counts": dict(counts)}
