"""The reads the referents' pages need, each in a constant number of queries whatever the number of actions."""

from collections import defaultdict

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from actions.enums import ActionStatus, ReportState
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, ProgressReport
from actions.services import reporting_year
from axes.models import Axe


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


# Rolled-up progress is the plain mean of the actions' progress: every action weighs the same, because
# actions of a pacte have no comparable size or budget (a study and a 1 000-person programme are both one line
# of the plan). The status counts beside it show what the mean hides.


def _rollup(count, total, status_counts):
    return {
        "count": count,
        "mean_progress": round(total / count) if count else None,
        "status_counts": [
            (status, label, status_counts[status])
            for status, label in ActionStatus.choices
            if status_counts.get(status)
        ],
    }


def rollup(actions):
    """Mean progress and status counts of a list of actions already loaded."""
    actions = list(actions)
    counts = defaultdict(int)
    for action in actions:
        counts[action.status] += 1
    return _rollup(len(actions), sum(a.progress for a in actions), counts)


def axe_rollups(pacte, year, today=None):
    """Per axe of `pacte` and for the whole pacte: count, mean progress, status counts, late actions and
    reports submitted for `year`, computed by the database in three queries whatever the number of actions."""
    actions = Action.objects.filter(pacte=pacte)
    per_axe = defaultdict(lambda: {"count": 0, "total": 0, "status": defaultdict(int)})
    for row in actions.values("axe_id", "status").annotate(n=Count("id"), total=Sum("progress")).order_by():
        axe = per_axe[row["axe_id"]]
        axe["count"] += row["n"]
        axe["total"] += row["total"] or 0
        axe["status"][row["status"]] += row["n"]
    late = dict(actions.late(today).values("axe_id").annotate(n=Count("id")).order_by().values_list("axe_id", "n"))
    reports = dict(
        ProgressReport.objects.filter(action__pacte=pacte, year=year, state=ReportState.SUBMITTED)
        .values("action__axe_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("action__axe_id", "n")
    )
    result = {}
    overall = {"count": 0, "total": 0, "status": defaultdict(int)}
    for axe_id, data in per_axe.items():
        result[axe_id] = {
            **_rollup(data["count"], data["total"], data["status"]),
            "late": late.get(axe_id, 0),
            "reports_done": reports.get(axe_id, 0),
        }
        overall["count"] += data["count"]
        overall["total"] += data["total"]
        for status, n in data["status"].items():
            overall["status"][status] += n
    summary = {
        **_rollup(overall["count"], overall["total"], overall["status"]),
        "late": sum(late.values()),
        "reports_done": sum(reports.values()),
    }
    return result, summary


def thematic_axes_summary(user, today=None):
    """For each axe `user` is thematic referent of: its actions and this year's reports, submitted, draft and
    missing, in four queries whatever the number of axes and actions."""
    axes = list(
        Axe.objects.filter(thematic_referents=user).select_related("pacte").order_by("pacte__first_year", "number")
    )
    if not axes:
        return []
    counts = dict(
        Action.objects.filter(axe__in=axes)
        .values("axe_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("axe_id", "n")
    )
    years = {axe.pacte_id: reporting_year(axe.pacte, today) for axe in axes}
    in_year = Q()
    for pacte_id, year in years.items():
        in_year |= Q(action__pacte_id=pacte_id, year=year)
    states = defaultdict(int)
    rows = (
        ProgressReport.objects.filter(in_year, action__axe__in=axes)
        .values("action__axe_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        states[(row["action__axe_id"], row["state"])] = row["n"]
    summary = []
    for axe in axes:
        count = counts.get(axe.pk, 0)
        submitted = states[(axe.pk, ReportState.SUBMITTED)]
        draft = states[(axe.pk, ReportState.DRAFT)]
        summary.append(
            {
                "axe": axe,
                "year": years[axe.pacte_id],
                "count": count,
                "submitted": submitted,
                "draft": draft,
                "missing": count - submitted - draft,
            }
        )
    return summary
