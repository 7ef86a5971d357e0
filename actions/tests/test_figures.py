"""The figures' definitions (docs/indicateurs.md) on a hand-built pacte where every case is counted by hand.

Today is 15 June 2025: 2025 is the reporting year (the actions' own state counts), earlier years read the
latest report submitted by then. The expected tables are written out literally.

    axe 1  1.1  in progress 40 %, 2022 → 31/12/2025           2025 report: draft
           1.2  done 100 %, 2022 → 31/03/2025                 finished during 2025; 2025 report submitted
           1.3  abandoned 10 %, 2022 → 30/06/2023             2022 report (in progress), 2023 report (abandoned)
           1.4  abandoned 30 %, 2022 →, no end date          2023 report (in progress), 2024 report (abandoned)
    axe 2  2.1  postponed 20 %, 2022 → 31/12/2024             no report at all: late today
           2.2  to launch 0 %, starts 01/01/2026             nothing is due from it
           2.3  in progress 60 %, no dates                    2024 report 60 %: unchanged in 2025
"""

import datetime
from decimal import Decimal

import pytest

from actions import figures
from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import Action, IndicatorValue
from axes.factories import AxeFactory, PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import DecisionFactory
from pilotage.models import Decision

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
S = ActionStatus


def d(year, month=1, day=1):
    return datetime.date(year, month, day)


def report(action, year, status, progress, state=ReportState.SUBMITTED):
    return ProgressReportFactory(action=action, year=year, status=status, progress=progress, state=state)


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-figures", first_year=2022, last_year=2025)
    axe1 = AxeFactory(pacte=pacte, number=1)
    axe2 = AxeFactory(pacte=pacte, number=2)

    def action(axe, number, status, progress, start, end):
        return ActionFactory(
            axe=axe, number=number, status=status, progress=progress, start_date=start, end_date=end, objectif=None
        )

    a11 = action(axe1, "1.1", S.IN_PROGRESS, 40, d(2022), d(2025, 12, 31))
    report(a11, 2025, S.IN_PROGRESS, 40, ReportState.DRAFT)
    a12 = action(axe1, "1.2", S.DONE, 100, d(2022), d(2025, 3, 31))
    report(a12, 2025, S.DONE, 100)
    a13 = action(axe1, "1.3", S.ABANDONED, 10, d(2022), d(2023, 6, 30))
    report(a13, 2022, S.IN_PROGRESS, 5)
    report(a13, 2023, S.ABANDONED, 10)
    a14 = action(axe1, "1.4", S.ABANDONED, 30, d(2022), None)
    report(a14, 2023, S.IN_PROGRESS, 30)
    report(a14, 2024, S.ABANDONED, 30)
    action(axe2, "2.1", S.POSTPONED, 20, d(2022), d(2024, 12, 31))
    action(axe2, "2.2", S.TO_LAUNCH, 0, d(2026), None)
    a23 = action(axe2, "2.3", S.IN_PROGRESS, 60, None, None)
    report(a23, 2024, S.IN_PROGRESS, 60)
    return pacte


def rows_by_number(pacte, year):
    result = figures.compute([figures.period(pacte, year, TODAY)], totals=False, rows=True)
    return {row["number"]: row for row in result.rows}


# Which action owes a report for which year, written out by hand from docs/indicateurs.md.
DUE = {
    #        2022   2023   2024   2025
    "1.1": (True, True, True, True),
    "1.2": (True, True, True, True),  # finished during 2025: owes the 2025 report that says so
    "1.3": (True, True, False, False),  # abandoned in 2023 (end date in 2023): nothing after 2023
    "1.4": (True, True, True, False),  # abandoned in 2024 without an end date: its 2024 report said so
    "2.1": (True, True, True, True),  # postponed: still owed every year
    "2.2": (False, False, False, False),  # starts in 2026
    "2.3": (True, True, True, True),  # no dates: always started, never ended
}


@pytest.mark.parametrize("index, year", list(enumerate([2022, 2023, 2024, 2025])))
def test_which_action_owes_a_report_each_year(pacte, index, year):
    rows = rows_by_number(pacte, year)
    assert {number: row["due"] for number, row in rows.items()} == {n: due[index] for n, due in DUE.items()}


def test_the_state_of_an_action_in_a_past_year_is_its_latest_report_by_then(pacte):
    rows = rows_by_number(pacte, 2024)
    assert {n: (r["status"], r["progress"]) for n, r in rows.items()} == {
        "1.1": ("to_launch", 0),  # no report submitted by 2024 (its 2025 one is a draft)
        "1.2": ("to_launch", 0),
        "1.3": ("abandoned", 10),  # its 2023 report
        "1.4": ("abandoned", 30),
        "2.1": ("to_launch", 0),
        "2.2": ("to_launch", 0),
        "2.3": ("in_progress", 60),
    }


def test_late_today_and_at_the_end_of_a_past_year(pacte):
    assert {n for n, r in rows_by_number(pacte, 2025).items() if r["late"]} == {"2.1"}
    # On 31/12/2024, 2.1's end date (that very day) had not passed yet; 1.3 was abandoned.
    assert {n for n, r in rows_by_number(pacte, 2024).items() if r["late"]} == set()
    # The live rule on the table itself says the same as the rows of the reporting year.
    assert set(Action.objects.filter(pacte=pacte).late(TODAY).values_list("number", flat=True)) == {"2.1"}


def test_report_states_among_the_reports_due(pacte):
    rows = rows_by_number(pacte, 2025)
    flags = {n: (r["submitted"], r["draft"], r["missing"], r["no_report"]) for n, r in rows.items() if r["due"]}
    assert flags == {
        "1.1": (False, True, False, True),
        "1.2": (True, False, False, False),
        "2.1": (False, False, True, True),
        "2.3": (False, False, True, True),
    }


def test_unchanged_progress_is_flagged_for_a_started_unfinished_action(pacte):
    assert {n for n, r in rows_by_number(pacte, 2025).items() if r["unchanged"]} == {"2.3"}


def test_totals_of_the_reporting_year(pacte):
    result = figures.compute([figures.period(pacte, 2025, TODAY)], group="axe")
    total = result.total()
    assert total["actions"] == 7
    assert total["status_counts"] == {"to_launch": 1, "in_progress": 2, "done": 1, "postponed": 1, "abandoned": 2}
    # The abandoned 1.3 and 1.4 stay out of the mean: (40 + 100 + 20 + 0 + 60) / 5.
    assert (total["in_mean"], total["mean_progress"]) == (5, 44)
    assert total["late"] == 1
    assert total["reports"] == {"submitted": 1, "draft": 1, "missing": 2, "due": 4, "share": 25}
    axe1, axe2 = (result.groups()[axe.pk] for axe in pacte.axes.order_by("number"))
    assert (axe1["actions"], axe1["mean_progress"], axe1["reports"]["due"]) == (4, 70, 2)  # (40 + 100) / 2
    assert (axe2["actions"], axe2["mean_progress"], axe2["reports"]["due"]) == (3, 27, 2)  # (20 + 0 + 60) / 3


def test_a_set_of_abandoned_actions_has_no_mean_progress(pacte):
    scope = Action.objects.filter(number__in=["1.3", "1.4"])
    total = figures.compute([figures.period(pacte, 2025, TODAY)], scope, group=None).total()
    assert (total["actions"], total["mean_progress"]) == (2, None)


@pytest.mark.parametrize(
    "higher_is_better, target, value, state",
    [
        (True, 100, 100, "on_target"),
        (True, 100, 99, "behind"),
        (False, 80, 80, "on_target"),
        (False, 80, 81, "behind"),
        (True, 100, None, "no_value"),
        (True, None, 5, "no_target"),
        (True, None, None, "none"),
    ],
)
def test_indicator_state(pacte, higher_is_better, target, value, state):
    action = Action.objects.get(pacte=pacte, number="1.1")
    indicator = IndicatorFactory(action=action, higher_is_better=higher_is_better)
    IndicatorValueFactory(indicator=indicator, year=2025, target=target, value=value)
    assert IndicatorValue.objects.get(indicator=indicator).state == state
    row = rows_by_number(pacte, 2025)["1.1"]
    counted = {name: row[f"ind_{name}"] for name in figures.INDICATOR_STATES}
    assert counted == {name: int(name == state) for name in figures.INDICATOR_STATES}
    assert row["behind"] is (state == "behind")


def test_an_unavailable_value_counts_as_without_value(pacte):
    action = Action.objects.get(pacte=pacte, number="1.1")
    indicator = IndicatorFactory(action=action)
    IndicatorValueFactory(indicator=indicator, year=2025, target=Decimal(10), value=None, unavailable_reason="Panne")
    assert IndicatorValue.objects.get(indicator=indicator).state == "no_value"


@pytest.mark.parametrize(
    "due_date, status, late",
    [
        (TODAY - datetime.timedelta(days=1), DecisionStatus.OPEN, True),
        (TODAY, DecisionStatus.OPEN, False),  # due today: not late yet
        (TODAY + datetime.timedelta(days=1), DecisionStatus.OPEN, False),
        (TODAY - datetime.timedelta(days=1), DecisionStatus.DONE, False),
        (TODAY - datetime.timedelta(days=1), DecisionStatus.DROPPED, False),
        (None, DecisionStatus.OPEN, False),
    ],
)
def test_late_decision(due_date, status, late):
    decision = DecisionFactory(due_date=due_date, status=status)
    assert Decision.objects.with_late(TODAY).get(pk=decision.pk).is_late is late
    assert Decision.objects.late(TODAY).filter(pk=decision.pk).exists() is late


def test_a_matching_condition_filters_actions_by_a_flag(pacte):
    periods = [figures.period(pacte, 2025, TODAY)]
    missing = Action.objects.filter(figures.matching(periods, "missing"))
    assert sorted(missing.values_list("number", flat=True)) == ["2.1", "2.3"]
    not_late = Action.objects.filter(pacte=pacte).filter(figures.matching(periods, "late", negate=True))
    assert "2.1" not in set(not_late.values_list("number", flat=True))
