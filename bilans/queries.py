"""Reads shared by the bilan and the reporting campaign: what state each action was in during a year, and
which actions owe a report for it. Same definitions as the dashboard (pilotage.dashboard's docstring):

- in the reporting year (and after), an action's state is its own status and progress; in an earlier year, the
  status and progress of its latest report submitted for that year or before, or "à lancer" at 0 % without any;
- a report is due for year Y from an action that started by the end of Y and was not finished before Y.
"""

import datetime

from actions.enums import FINISHED_STATUSES, ActionStatus, ReportState
from actions.models import ProgressReport
from actions.services import reporting_year


def year_states(pacte, year, actions, today):
    """{action id: (status, progress)} of `actions` (loaded) in `year`, in at most one query."""
    if year >= reporting_year(pacte, today):
        return {action.pk: (action.status, action.progress) for action in actions}
    latest = {}
    rows = (
        ProgressReport.objects.filter(action__pacte=pacte, year__lte=year, state=ReportState.SUBMITTED)
        .order_by("action_id", "year")
        .values_list("action_id", "status", "progress")
    )
    for action_id, status, progress in rows:
        latest[action_id] = (status, progress)  # ascending years: the latest wins
    return {action.pk: latest.get(action.pk, (ActionStatus.TO_LAUNCH.value, 0)) for action in actions}


def is_due(action, year, year_status):
    """Does `action` owe a report for `year`? (It started by the end of the year and was not finished before.)"""
    started = action.start_date is None or action.start_date <= datetime.date(year, 12, 31)
    ended_before = (
        action.end_date is not None and action.end_date < datetime.date(year, 1, 1) and year_status in FINISHED_STATUSES
    )
    return started and not ended_before
