"""The pacte's timeline (calendrier): each action as a bar from its start to its end date on the pacte's years,
with its milestones as marks and a line for today. Plain data in percentages of the pacte's span, drawn by
templates/actions/pacte_timeline.html as an HTML grid (no JavaScript), with the same data as a table."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from actions.figures import milestone_is_late
from actions.models import Action, Milestone
from axes.models import Axe
from pti import palette

# The milestones' marks: done green, late red (the palette's lateness), to come white with a dark outline.
MARK_COLORS = {"done": palette.GREEN.background, "late": palette.LATE.background, "planned": palette.WHITE}


@dataclass
class Mark:
    milestone: Milestone
    left: float | None  # None: outside the pacte's years
    state: str  # "done", "late" or "planned"

    @property
    def color(self):
        return MARK_COLORS[self.state]


@dataclass
class Bar:
    action: Action
    color: str
    left: float | None = None  # None: no bar (no dates, or outside the pacte's years)
    width: float | None = None
    clamped_start: bool = False
    clamped_end: bool = False
    marks: list = field(default_factory=list)


def span(pacte):
    return datetime.date(pacte.first_year, 1, 1), datetime.date(pacte.last_year, 12, 31)


def percent(days, total):
    return round(days * 100 / total, 2)


def bar(action, pacte, today):
    first, last = span(pacte)
    total = (last - first).days + 1
    result = Bar(action=action, color=palette.STATUS[action.status].background)
    if action.start_date or action.end_date:
        start, end = action.start_date or first, action.end_date or last
        if start <= last and end >= first:
            result.clamped_start, result.clamped_end = start < first, end > last
            start, end = max(start, first), min(end, last)
            result.left = percent((start - first).days, total)
            result.width = percent((end - start).days + 1, total)
    for milestone in action.milestones.all():
        if milestone.done_date:
            state = "done"
        elif milestone_is_late(milestone.planned_date, milestone.done_date, today):
            state = "late"
        else:
            state = "planned"
        day = milestone.planned_date
        left = percent((day - first).days, total) if first <= day <= last else None
        result.marks.append(Mark(milestone=milestone, left=left, state=state))
    return result


def years(pacte):
    """The year columns: (year, left %, width %)."""
    first, last = span(pacte)
    total = (last - first).days + 1
    columns = []
    for year in range(pacte.first_year, pacte.last_year + 1):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        columns.append((year, percent((start - first).days, total), percent((end - start).days + 1, total)))
    return columns


def today_position(pacte, today):
    first, last = span(pacte)
    if not first <= today <= last:
        return None
    return percent((today - first).days, (last - first).days + 1)


def timeline(pacte, today):
    """The axes of the pacte in order, each with the bars of its actions; a constant number of queries."""
    actions = (
        Action.objects.filter(pacte=pacte)
        .select_related("axe")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.ordered()))
        .order_by("sort_key")
    )
    by_axe = {axe.pk: {"axe": axe, "bars": []} for axe in Axe.objects.filter(pacte=pacte).order_by("number")}
    for action in actions:
        by_axe[action.axe_id]["bars"].append(bar(action, pacte, today))
    return {
        "axes": list(by_axe.values()),
        "years": years(pacte),
        "today": today,
        "today_left": today_position(pacte, today),
        "mark_colors": MARK_COLORS,
    }
