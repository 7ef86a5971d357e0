"""The reads the referents' pages need, each in a constant number of queries whatever the number of actions.

Their figures (report due, late, mean progress, indicator on target) come from `actions.figures`, where each is
defined once.
"""

from django.db.models import F, Prefetch, prefetch_related_objects

from actions import figures
from actions.enums import ActionStatus, ReportState, YearReportState
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, ProgressReport
from axes.models import Axe, Proposal
from pti import access, prefetch

NOT_DUE, MISSING = YearReportState.NOT_DUE.value, YearReportState.MISSING.value


def report_display_state(row):
    """How a report of the year reads: its own state if it exists, else "missing" when due, else "not_due"."""
    if row is None:
        return NOT_DUE
    if row["report"]:
        return row["report"]
    return MISSING if row["due"] else NOT_DUE


def attach_year_facts(actions, year=None, today=None, scope=None):
    """Give each of `actions` (loaded, with their pacte) its facts in `year` (each pacte's reporting year when
    None), from actions.figures in one query (plus one for the closed years):

    `report_year`, `report_due`, `report_state` ("submitted", "draft", "missing" or "not_due"), `report_closure`
    (why the year is closed, or None) and `report_todo` (due, not submitted and the year still open).
    `scope` (a queryset holding them) keeps the query short for long lists; by default, their ids."""
    actions = list(actions)
    if not actions:
        return actions
    pactes = {action.pacte_id: action.pacte for action in actions}
    prefetch_related_objects(list(pactes.values()), "closed_years")
    periods = figures.periods_of(pactes.values(), year, today)
    by_pacte = {p.pacte_id: p for p in periods}
    if scope is None:
        scope = [action.pk for action in actions]
    rows = figures.compute(periods, scope, totals=False, rows=True).by_action() if periods else {}
    for action in actions:
        action.pacte = pactes[action.pacte_id]  # the one instance whose closed years are prefetched
        p = by_pacte.get(action.pacte_id)
        row = rows.get((p.key, action.pk)) if p else None
        action.report_year = p.year if p else year
        action.report_due = bool(row and row["due"])
        action.report_state = report_display_state(row)
        action.report_closure = action.pacte.closure(p.year) if p else None
        action.report_todo = action.report_due and action.report_state != ReportState.SUBMITTED
        action.report_todo = action.report_todo and action.report_closure is None
        action.year_row = row
    return actions


def iter_year_facts(queryset, year=None, chunk_size=500, lookups=()):
    """The actions of `queryset` one by one with their facts in `year` (as `attach_year_facts`), read
    `chunk_size` at a time, each chunk with its related rows of `lookups` (`pti.prefetch.fill`): memory stays flat
    however long the list (exports)."""
    for chunk in prefetch.in_chunks(queryset, lookups, chunk_size):
        yield from attach_year_facts(chunk, year)


def list_actions(queryset):
    return queryset.select_related("pacte", "axe", "objectif").prefetch_related("referents")


def action_detail_queryset():
    return Action.objects.select_related("pacte", "axe", "objectif", "objectif__axe").prefetch_related(
        "referents",
        Prefetch("partner_roles", queryset=ActionPartner.objects.select_related("partner")),
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.select_related("author", "returned_by")
            .prefetch_related("documents")
            .order_by("-year"),
        ),
        "budgets",
        "axe__thematic_referents",
        "pacte__closed_years",
        Prefetch(
            "assises_proposals",
            queryset=Proposal.objects.select_related("group__axe").order_by("group__axe__number", "number"),
        ),
    )


def report_years(action, can_edit, today=None, user=None):
    """The action's yearly reports, newest first, up to the reporting year: for each year whether a report is
    due (actions.figures), the report if any, why the year is closed if it is, and whether `can_edit` lets the
    user write it now (in one query; the reports come prefetched)."""
    pacte = action.pacte
    reporting = figures.reporting_year(pacte, today)
    years = [year for year in pacte.years if year <= reporting]
    periods = [figures.period(pacte, year, today, key=index) for index, year in enumerate(years)]
    rows = figures.compute(periods, Action.objects.filter(pk=action.pk), totals=False, rows=True).by_action()
    reports = {report.year: report for report in action.reports.all()}
    result = []
    for p in reversed(periods):
        row = rows.get((p.key, action.pk))
        report = reports.get(p.year)
        closure = pacte.closure(p.year)
        due = bool(row and row["due"])
        submitted = report is not None and report.is_submitted
        result.append(
            {
                "year": p.year,
                "returnable": submitted and closure is None and access.is_staff(user),
                "current": p.year == reporting,
                "due": due,
                "report": report,
                "closure": closure,
                "writable": can_edit and closure is None,
                "todo": can_edit and closure is None and due and not submitted,
            }
        )
    return result


def indicator_rows(indicator, years):
    """One row per year: target, value, gap, and whether the value is on target."""
    by_year = {iv.year: iv for iv in indicator.values.all()}
    rows = []
    for year in years:
        iv = by_year.get(year) or IndicatorValue(indicator=indicator, year=year)
        rows.append(
            {
                "year": year,
                "target": iv.target,
                "value": iv.value,
                "gap": iv.gap,
                "state": getattr(iv, "state", "none"),
                "on_target": iv.on_target,
            }
        )
    return rows


def returned_reports(scope):
    """The reports of the actions of `scope` sent back by staff and waiting for their referent, whatever their
    year (while it is open), oldest request first (one query, plus the closed years)."""
    reports = list(
        ProgressReport.objects.filter(action__in=scope, state=ReportState.DRAFT, returned_at__isnull=False)
        .exclude(return_comment="")
        .select_related("action__pacte", "returned_by")
        .order_by("returned_at", "pk")
    )
    pactes = {report.action.pacte_id: report.action.pacte for report in reports}
    prefetch_related_objects(list(pactes.values()), "closed_years")
    return [report for report in reports if pactes[report.action.pacte_id].closure(report.year) is None]


def status_list(data):
    """[(status, label, count)] of the statuses present in `data` (a figures dict), in the statuses' order."""
    counts = data["status_counts"]
    return [(status, label, counts[status]) for status, label in ActionStatus.choices if counts.get(status)]


def pacte_figures(pacte, year=None, today=None):
    """The pacte's figures in `year` (its reporting year when None), for the pacte and for each of its axes:
    count, status counts, mean progress, late actions, reports due and submitted (actions.figures)."""
    p = figures.period(pacte, year, today)
    result = figures.compute([p], group="axe")
    return p.year, result.groups(), result.total()


def warm():
    """The night's warming (pti.warm): each pacte's figures by axe and its budgets (the pacte page), and the first
    page of each of its axes (an unfolded axe, a thematic referent's axe), computed for the day. How many pactes
    and axes."""
    from axes.models import Pacte

    count = 0
    for pacte in Pacte.objects.order_by("pk"):
        pacte_figures(pacte)
        figures.budget_totals(pacte)
        count += 1
        for axe in Axe.objects.filter(pacte=pacte).select_related("pacte").order_by("number"):
            axe_figures(axe)
            count += 1
    return count


AXE_PAGE_SIZE = 50  # actions of an unfolded axe shown at a time ("Afficher la suite" loads the next ones)


def _page_bounds(count, number, per_page):
    """(page number kept within [1, last page], last page, offset) of a list of `count` rows."""
    pages = max(1, -(-count // per_page))
    number = min(max(int(number), 1), pages)
    return number, pages, (number - 1) * per_page


def axe_figures(axe, today=None, page=1, per_page=None):
    """One axe in its pacte's reporting year, `per_page` actions at a time in the plan's order (objective by
    objective, then those without one): each objective's figures and the axe's (actions.figures, summed by the
    database over the whole axe), the page's actions with their facts, and `page` ({"number", "pages", "count",
    "start", "end", "previous_objectif_id"}: the objective of the action just before the page, so that the page
    knows which objectives it starts with), in four queries whatever the axe's size. A page beyond the last one is
    the last one."""
    per_page = per_page or AXE_PAGE_SIZE
    p = figures.period(axe.pacte, None, today)
    scope = Action.objects.filter(axe=axe)
    ordered = scope.order_by(F("objectif__number").asc(nulls_last=True), "sort_key", "pk")
    count = scope.count()
    number, pages, offset = _page_bounds(count, page, per_page)
    window = list(ordered.select_related("pacte")[max(offset - 1, 0) : offset + per_page])
    previous = window.pop(0) if offset and window else None
    ids = [action.pk for action in window]
    rows_where = [(f"facts.id IN ({', '.join(['%s'] * len(ids))})", tuple(ids))] if ids else [("1 = 0", ())]
    result = figures.compute([p], scope, group="objectif", rows=rows_where, local=True)  # the axe: kept by piece
    rows = result.by_action()
    prefetch_related_objects([axe.pacte], "closed_years")
    for action in window:
        action.pacte = axe.pacte
        row = rows.get((p.key, action.pk))
        action.report_year = p.year
        action.report_due = bool(row and row["due"])
        action.report_state = report_display_state(row)
        action.year_row = row
    page_info = {
        **_page_info(number, pages, count, offset, len(window)),
        "previous_objectif_id": previous.objectif_id if previous else None,
        "continued": previous is not None,
    }
    return p.year, window, result.groups(), result.total(), page_info


def paginated(queryset, page=1, per_page=None):
    """(the rows of `queryset`'s page `page`, {"number", "pages", "count", "start", "end", "first", "last"}): a
    page beyond the last one is the last one; two queries."""
    per_page = per_page or AXE_PAGE_SIZE
    count = queryset.count()
    number, pages, offset = _page_bounds(count, page, per_page)
    rows = list(queryset[offset : offset + per_page])
    return rows, _page_info(number, pages, count, offset, len(rows))


def _page_info(number, pages, count, offset, shown):
    """What a page of `shown` rows from `offset` says of itself: its number, the pages, the count, its first and
    last row's rank (0 when empty) and whether it is the first or the last page."""
    return {
        "number": number,
        "pages": pages,
        "count": count,
        "start": offset + 1 if shown else 0,
        "end": offset + shown,
        "first": number == 1,
        "last": number == pages,
    }


def thematic_axes_summary(user, today=None):
    """For each axe `user` is thematic referent of: its actions and the reports due for its pacte's reporting
    year, submitted, draft and missing, in two queries whatever the number of axes and actions."""
    axes = list(
        Axe.objects.filter(thematic_referents=user).select_related("pacte").order_by("pacte__first_year", "number")
    )
    if not axes:
        return []
    pactes = {axe.pacte_id: axe.pacte for axe in axes}
    periods = figures.periods_of(pactes.values(), None, today)
    by_pacte = {p.pacte_id: p for p in periods}
    result = figures.compute(periods, Action.objects.filter(axe__in=axes), group="axe", local=True)
    summary = []
    for axe in axes:
        p = by_pacte[axe.pacte_id]
        data = result.groups(p.key).get(axe.pk) or figures.finish(figures.empty_figures(p.year))
        reports = data["reports"]
        summary.append(
            {
                "axe": axe,
                "year": p.year,
                "count": data["actions"],
                "due": reports["due"],
                "submitted": reports["submitted"],
                "draft": reports["draft"],
                "missing": reports["missing"],
            }
        )
    return summary


def report_summary(report):
    """The report as the bilan will print it: its state of the action, its texts and each indicator's target and
    value (or why the value is not available), in two queries."""
    indicators = Indicator.objects.filter(action_id=report.action_id).order_by("position", "pk")
    values = {
        iv.indicator_id: iv
        for iv in IndicatorValue.objects.filter(indicator__action_id=report.action_id, year=report.year)
    }
    return {
        "status": report.get_status_display(),
        "progress": report.progress,
        "weather": report.get_weather_display(),
        "texts": [
            (str(ProgressReport._meta.get_field(name).verbose_name), getattr(report, name))
            for name in ("advances", "difficulties", "next_steps", "adjustments", "means")
        ],
        "indicators": [{"indicator": indicator, "value": values.get(indicator.pk)} for indicator in indicators],
    }
