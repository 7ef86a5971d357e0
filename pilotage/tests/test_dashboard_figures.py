"""The dashboard's figures on a small hand-built pacte, where every number can be counted by hand.

Today is 15 June 2024: 2024 is the reporting year (the actions' own status counts), 2023 the previous year (the
status of the latest report submitted by the end of 2023 counts).

    axe 1  1.1  in progress 50 %, ended 31/12/2023       2023 report 50 %, no 2024 report
           1.2  done 100 %                               2023 report 60 %, 2024 report 100 %; indicator behind in 2024
    axe 2  2.1  to launch, starts in 2025                no report; indicator with a 2024 target and no value
           2.2  in progress 30 %                         2023 report 22 %, 2024 report still a draft; indicator
                                                         (lower is better) on target in 2023, behind in 2024
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.dashboard import attention_items, chart_tables, dashboard_charts, dashboard_data
from pilotage.enums import DecisionStatus
from pilotage.factories import DecisionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 15)


def report(action, year, progress, state=ReportState.SUBMITTED, status=ActionStatus.IN_PROGRESS):
    return ProgressReportFactory(action=action, year=year, progress=progress, state=state, status=status)


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-test", first_year=2022, last_year=2025)
    axe1 = AxeFactory(pacte=pacte, number=1, title="Orienter")
    axe2 = AxeFactory(pacte=pacte, number=2, title="Accompagner")

    late = ActionFactory(
        axe=axe1,
        number="1.1",
        title="Plateforme d'orientation",
        status=ActionStatus.IN_PROGRESS,
        progress=50,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2023, 12, 31),
    )
    report(late, 2023, 50)

    done = ActionFactory(
        axe=axe1,
        number="1.2",
        title="Rendez-vous sous quinze jours",
        status=ActionStatus.DONE,
        progress=100,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    report(done, 2023, 60)
    report(done, 2024, 100, status=ActionStatus.DONE)
    reached = IndicatorFactory(action=done, label="Personnes reçues", unit="personnes", higher_is_better=True)
    IndicatorValueFactory(indicator=reached, year=2023, target=10, value=12)
    IndicatorValueFactory(indicator=reached, year=2024, target=20, value=15)

    future = ActionFactory(
        axe=axe2,
        number="2.1",
        title="Garde d'enfants",
        status=ActionStatus.TO_LAUNCH,
        progress=0,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    waiting = IndicatorFactory(action=future, label="Places ouvertes", unit="places", higher_is_better=False)
    IndicatorValueFactory(indicator=waiting, year=2024, target=5, value=None)

    drafted = ActionFactory(
        axe=axe2,
        number="2.2",
        title="Référent de parcours",
        status=ActionStatus.IN_PROGRESS,
        progress=30,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    report(drafted, 2023, 22)
    report(drafted, 2024, 30, state=ReportState.DRAFT)
    delay = IndicatorFactory(action=drafted, label="Délai d'orientation", unit="jours", higher_is_better=False)
    IndicatorValueFactory(indicator=delay, year=2022, target=None, value=120)
    IndicatorValueFactory(indicator=delay, year=2023, target=100, value=90)
    IndicatorValueFactory(indicator=delay, year=2024, target=80, value=85)
    untargeted = IndicatorFactory(action=drafted, label="Entretiens", unit="", position=1)
    IndicatorValueFactory(indicator=untargeted, year=2024, target=None, value=7)
    return pacte


def test_key_figures_of_the_reporting_year_use_the_actions_status_and_progress(pacte):
    current = dashboard_data(pacte, 2024, TODAY)["current"]
    assert current["actions"] == 4
    assert current["status_counts"] == {
        "to_launch": 1,
        "in_progress": 2,
        "done": 1,
        "postponed": 0,
        "abandoned": 0,
    }
    assert current["mean_progress"] == 45  # (50 + 100 + 0 + 30) / 4
    assert current["late"] == 1
    # 2.1 has not started: no 2024 report is due from it.
    assert current["reports"] == {"submitted": 1, "draft": 1, "missing": 1, "due": 3, "share": 33}


def test_indicators_are_on_target_behind_without_value_or_without_target(pacte):
    indicators = dashboard_data(pacte, 2024, TODAY)["current"]["indicators"]
    assert indicators == {
        "on_target": 0,
        "behind": 2,  # 15 for a target of 20; 85 days for a target of 80 (lower is better)
        "no_value": 1,
        "no_target": 1,
        "total": 4,
        "share_on_target": 0,
    }


def test_previous_year_figures_come_from_the_reports_submitted_by_then(pacte):
    data = dashboard_data(pacte, 2024, TODAY)
    previous = data["previous"]
    assert data["previous_year"] == 2023
    assert previous["status_counts"]["in_progress"] == 3 and previous["status_counts"]["to_launch"] == 1
    assert previous["mean_progress"] == 33  # (50 + 60 + 0 + 22) / 4
    # 1.1 ends on 31/12/2023: it was not late yet at the end of 2023.
    assert previous["late"] == 0
    assert previous["reports"] == {"submitted": 3, "draft": 0, "missing": 0, "due": 3, "share": 100}
    assert (previous["indicators"]["on_target"], previous["indicators"]["behind"]) == (2, 0)
    assert previous["attention"]["total"] == 0


def test_axes_have_their_own_figures_for_both_years(pacte):
    first, second = dashboard_data(pacte, 2024, TODAY)["axes"]
    assert (first["number"], first["title"]) == (1, "Orienter")
    assert first["current"]["mean_progress"] == 75
    assert first["current"]["status_counts"]["done"] == 1
    assert (first["current"]["reports"]["submitted"], first["current"]["reports"]["due"]) == (1, 2)
    assert first["previous"]["mean_progress"] == 55
    assert second["current"]["mean_progress"] == 15
    assert (second["current"]["reports"]["submitted"], second["current"]["reports"]["draft"]) == (0, 1)
    assert second["current"]["indicators"]["no_value"] == 1


def test_actions_needing_attention_give_each_reason(pacte):
    data = dashboard_data(pacte, 2024, TODAY)
    assert data["current"]["attention"] == {
        "late": 1,
        "no_report": 2,
        "unchanged": 1,
        "behind": 2,
        "milestones_late": 0,
        "total": 3,
    }
    items = data["attention"]["items"]
    assert [item["number"] for item in items] == ["1.1", "1.2", "2.2"]
    late, behind, drafted = items
    assert [reason["code"] for reason in late["reasons"]] == ["late", "no_report", "unchanged"]
    assert late["reason"] == "date de fin dépassée, pas de compte rendu 2024, avancement inchangé depuis 2023"
    assert (late["axe_number"], late["title"], late["end_date"]) == (1, "Plateforme d'orientation", "2023-12-31")
    assert [reason["code"] for reason in behind["reasons"]] == ["behind"]
    assert drafted["reason"] == "compte rendu 2024 en brouillon, non transmis, indicateur sous la cible 2024"


def test_a_finished_action_is_never_late_nor_unchanged(pacte):
    codes = {item["number"]: [r["code"] for r in item["reasons"]] for item in attention_items(pacte, 2024, TODAY)}
    assert "late" not in codes["1.2"] and "unchanged" not in codes["1.2"]


def test_indicators_list_the_most_worrying_first_with_their_years_and_trend(pacte):
    items = dashboard_data(pacte, 2024, TODAY)["indicators"]["items"]
    assert [(item["label"], item["state"]) for item in items] == [
        ("Personnes reçues", "behind"),
        ("Délai d'orientation", "behind"),
        ("Places ouvertes", "no_value"),
        ("Entretiens", "no_target"),
    ]
    delay = items[1]
    assert (delay["action_number"], delay["axe_number"], delay["unit"]) == ("2.2", 2, "jours")
    assert [point["year"] for point in delay["years"]] == [2022, 2023, 2024, 2025]
    assert delay["years"][1] == {"year": 2023, "target": 100.0, "value": 90.0, "state": "on_target"}
    assert (delay["target"], delay["value"]) == (80.0, 85.0)
    # From 120 days in 2022 to 85 in 2024: fewer days is better.
    assert delay["trend"] == {
        "from_year": 2022,
        "from_value": 120.0,
        "to_year": 2024,
        "to_value": 85.0,
        "change": -35.0,
        "change_pct": -29.2,
        "direction": "down",
        "assessment": "better",
    }
    assert items[0]["trend"]["assessment"] == "better" and items[0]["trend"]["change"] == 3.0
    assert items[2]["trend"] is None


def test_the_first_year_has_no_previous_year(pacte):
    data = dashboard_data(pacte, 2022, TODAY)
    assert data["previous_year"] is None and data["previous"] is None
    assert all(axe["previous"] is None for axe in data["axes"])
    assert data["current"]["attention"]["unchanged"] == 0
    assert "year_over_year" in dashboard_charts(data)


def test_lists_can_be_cut_while_their_totals_stay_complete(pacte):
    data = dashboard_data(pacte, 2024, TODAY, limit=2)
    assert len(data["attention"]["items"]) == 2 and data["attention"]["total"] == 3
    assert data["attention"]["truncated"] is True
    assert len(data["indicators"]["items"]) == 2 and data["indicators"]["total"] == 4
    assert data["indicators"]["truncated"] is True
    assert [item["number"] for item in attention_items(pacte, 2024, TODAY, limit=2, offset=2)] == ["2.2"]


def test_open_and_late_decisions_of_the_pacte_are_counted(pacte):
    DecisionFactory(copil__pacte=pacte, copil__date=datetime.date(2023, 11, 1), due_date=datetime.date(2024, 1, 31))
    DecisionFactory(copil__pacte=pacte, copil__date=datetime.date(2023, 11, 2), due_date=datetime.date(2024, 9, 30))
    DecisionFactory(copil__pacte=pacte, copil__date=datetime.date(2023, 11, 3), status=DecisionStatus.DONE)
    DecisionFactory()  # another pacte
    assert dashboard_data(pacte, 2024, TODAY)["decisions"] == {"open": 2, "late": 1}


def test_the_data_is_plain_json(pacte):
    data = dashboard_data(pacte, 2024, TODAY)
    assert json.loads(json.dumps(data)) == data


def test_charts_are_svg_without_script_with_a_table_each(pacte):
    data = dashboard_data(pacte, 2024, TODAY)
    charts = dashboard_charts(data)
    tables = chart_tables(data)
    assert set(charts) == {
        "status_by_axe",
        "progress_by_axe",
        "weather_by_axe",
        "budget_by_axe",
        "year_over_year",
        "indicators_by_axe",
    }
    assert set(tables) == set(charts)
    for svg in charts.values():
        assert svg.lstrip().startswith("<svg") and "<script" not in svg
        assert "activate-serie-" not in svg  # ids made unique per chart
    assert tables["status_by_axe"]["rows"][0] == ["1. Orienter", 0, 1, 1, 0, 0, 2]
    assert tables["year_over_year"]["head"][1:] == ["2023", "2024"]
    assert tables["year_over_year"]["rows"][0][1:] == ["33 %", "45 %"]


def test_dashboard_data_runs_the_same_queries_whatever_the_number_of_actions(pacte):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            dashboard_data(pacte, 2024, TODAY, limit=25)
        return len(ctx.captured_queries)

    small = count()
    axe = pacte.axes.get(number=1)
    for i in range(30):
        action = ActionFactory(axe=axe, number=f"1.{i + 10}")
        report(action, 2023, 10)
        IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2024, target=10, value=5)
    assert count() == small <= 9
