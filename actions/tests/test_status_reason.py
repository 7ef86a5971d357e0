"""Abandoning or postponing an action says why and since when; the action's page shows it, and the figures count
an action abandoned before a year as finished before it (docs/indicateurs.md)."""

import datetime

import pytest
from django.urls import reverse

from actions import figures
from actions.enums import ActionStatus
from actions.factories import ActionFactory
from actions.models import Action
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2022", first_year=2022, last_year=2025)
    return ActionFactory(
        axe=AxeFactory(pacte=pacte, number=1), number="1.5", referents=[referent], status=ActionStatus.IN_PROGRESS
    )


def edit_data(action, **overrides):
    return {
        "version": action.version,
        "title": action.title,
        "objectif": "",
        "description": "",
        "target_public": "",
        "start_date": action.start_date.isoformat(),
        "end_date": action.end_date.isoformat(),
        "priority": action.priority,
        "status": action.status,
        "progress": action.progress,
        "status_reason": "",
        "status_date": "",
        **overrides,
    }


def text(response):
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("status", "reason_message", "date_message"),
    [
        ("abandoned", "Dites pourquoi l'action est abandonnée.", "Dites depuis quand l'action est abandonnée."),
        ("postponed", "Dites pourquoi l'action est reportée.", "Dites depuis quand l'action est reportée."),
    ],
)
def test_abandoning_or_postponing_without_reason_and_date_is_refused(
    client, referent, action, status, reason_message, date_message
):
    client.force_login(referent)
    response = client.post(reverse("actions:edit", args=[action.pk]), edit_data(action, status=status))
    assert response.status_code == 400
    assert reason_message in text(response) and date_message in text(response)
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.version == 1


def test_an_abandoned_action_shows_its_reason_and_date(client, referent, action):
    client.force_login(referent)
    response = client.post(
        reverse("actions:edit", args=[action.pk]),
        edit_data(action, status="abandoned", status_reason="Le financeur s'est retiré.", status_date="2024-03-01"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.status_reason, action.status_date) == (
        "abandoned",
        "Le financeur s'est retiré.",
        datetime.date(2024, 3, 1),
    )
    page = text(client.get(action.get_absolute_url()))
    assert "Abandonnée le 1er mars 2024</strong> : Le financeur s'est retiré." in page
    history = text(client.get(reverse("actions:history", args=[action.pk])))
    assert "Motif de l'abandon ou du report" in history


def test_the_reason_goes_when_the_action_leaves_the_status(client, staff, action):
    Action.objects.filter(pk=action.pk).update(
        status=ActionStatus.POSTPONED, status_reason="Attente du marché", status_date=datetime.date(2024, 5, 2)
    )
    action.refresh_from_db()
    client.force_login(staff)
    response = client.post(
        reverse("actions:edit", args=[action.pk]),
        edit_data(action, status="in_progress", status_reason="Attente du marché", status_date="2024-05-02"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.status_reason, action.status_date) == ("in_progress", "", None)
    assert "Attente du marché" not in text(client.get(action.get_absolute_url()))


def test_any_path_that_changes_the_status_clears_the_reason():
    action = ActionFactory(
        status=ActionStatus.ABANDONED, status_reason="Doublon", status_date=datetime.date(2023, 1, 5)
    )
    action.status = ActionStatus.IN_PROGRESS
    action.save(update_fields=["status"])
    action.refresh_from_db()
    assert (action.status_reason, action.status_date) == ("", None)


@pytest.mark.parametrize(
    ("abandoned_on", "due_in_2025"),
    [
        (datetime.date(2024, 3, 1), False),  # abandoned before 2025: finished before it, owes nothing
        (datetime.date(2025, 2, 1), True),  # abandoned during 2025: owes the report that says so
        (None, True),  # no date, no end date, no report saying so: still owed
    ],
)
def test_an_action_abandoned_before_a_year_owes_no_report_for_it(abandoned_on, due_in_2025):
    pacte = PacteFactory(slug="pti-abandons", first_year=2022, last_year=2025)
    ActionFactory(
        axe=AxeFactory(pacte=pacte, number=1),
        number="1.1",
        status=ActionStatus.ABANDONED,
        status_reason="Retrait du porteur",
        status_date=abandoned_on,
        start_date=datetime.date(2022, 1, 1),
        end_date=None,
    )
    result = figures.compute([figures.period(pacte, 2025, TODAY)], totals=False, rows=True)
    assert [row["due"] for row in result.rows] == [due_in_2025]
