"""Late milestones (actions.figures.milestone_late_q) put their action on the dashboard's attention list, counted
with the other reasons. Today is 15 June 2024, the reporting year 2024."""

import datetime

import pytest
from django.urls import reverse

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, MilestoneFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.dashboard import attention_items, dashboard_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 15)


def on_track(axe, number):
    """An action with nothing to worry about: not late, its 2024 report transmitted, its progress moving."""
    action = ActionFactory(
        axe=axe,
        number=number,
        status=ActionStatus.IN_PROGRESS,
        progress=40,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    ProgressReportFactory(action=action, year=2023, progress=30, state=ReportState.SUBMITTED)
    ProgressReportFactory(action=action, year=2024, progress=40, state=ReportState.SUBMITTED)
    return action


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-etapes", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1)
    one = on_track(axe, "1.1")
    MilestoneFactory(action=one, title="Convention signée", planned_date=datetime.date(2024, 5, 1))
    MilestoneFactory(
        action=one, planned_date=datetime.date(2024, 3, 1), done_date=datetime.date(2024, 3, 5)
    )  # done late: not late any more
    MilestoneFactory(action=one, planned_date=TODAY)  # due today: not late yet
    two = on_track(axe, "1.2")
    MilestoneFactory(action=two, planned_date=datetime.date(2024, 1, 10))
    MilestoneFactory(action=two, planned_date=datetime.date(2024, 2, 10))
    quiet = on_track(axe, "1.3")
    MilestoneFactory(action=quiet, planned_date=datetime.date(2024, 9, 1))
    return pacte


def test_late_milestones_are_a_reason_for_attention_and_counted(pacte):
    data = dashboard_data(pacte, 2024, TODAY)
    assert data["current"]["attention"] == {
        "late": 0,
        "no_report": 0,
        "unchanged": 0,
        "behind": 0,
        "milestones_late": 2,
        "total": 2,
    }
    assert [(item["number"], item["reason"], item["milestones_late"]) for item in data["attention"]["items"]] == [
        ("1.1", "1 étape en retard", 1),
        ("1.2", "2 étapes en retard", 2),
    ]
    assert [item["number"] for item in attention_items(pacte, 2024, TODAY)] == ["1.1", "1.2"]


def test_a_milestone_planned_after_the_year_is_not_late_in_that_year(pacte):
    assert dashboard_data(pacte, 2023, TODAY)["current"]["attention"]["milestones_late"] == 0


def test_the_dashboard_page_lists_them(client, staff, pacte, settings):
    client.force_login(staff)
    response = client.get(reverse("pilotage:dashboard", kwargs={"slug": pacte.slug}), {"annee": 2024})
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 étapes en retard" in content and "actions avec une étape en retard" in content
