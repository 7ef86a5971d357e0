"""Milestones and follow-up notes in the Django admin (administrators), and the milestones' tab of the sheet."""

import datetime

import pytest
from django.urls import reverse

from actions.factories import ActionFactory, FollowUpNoteFactory, MilestoneFactory
from actions.models import Milestone
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2024", first_year=2024, last_year=2027)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.2", referents=[referent])


def test_administrators_list_and_open_milestones_and_notes(client, administrator, action):
    milestone = MilestoneFactory(action=action, title="Comité de pilotage")
    note = FollowUpNoteFactory(action=action, text="Réunion tenue")
    client.force_login(administrator)

    for url, expected in [
        (reverse("admin:actions_milestone_changelist"), "Comité de pilotage"),
        (reverse("admin:actions_milestone_change", args=[milestone.pk]), "Comité de pilotage"),
        (reverse("admin:actions_milestone_history", args=[milestone.pk]), "Comité de pilotage"),
        (reverse("admin:actions_followupnote_changelist"), "Réunion tenue"),
        (reverse("admin:actions_followupnote_change", args=[note.pk]), "Réunion tenue"),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and expected in response.content.decode(), url


def test_a_milestone_added_in_the_admin_comes_last_and_a_change_moves_its_version(client, administrator, action):
    MilestoneFactory(action=action, position=1)
    client.force_login(administrator)
    data = {"action": action.pk, "title": "Ajoutée", "planned_date": "2025-02-01", "done_date": "", "note": ""}

    response = client.post(reverse("admin:actions_milestone_add"), data)

    assert response.status_code == 302
    added = Milestone.objects.get(title="Ajoutée")
    assert (added.position, added.version) == (2, 1)
    response = client.post(reverse("admin:actions_milestone_change", args=[added.pk]), {**data, "title": "Changée"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.planned_date, added.version) == ("Changée", datetime.date(2025, 2, 1), 2)


def test_the_sheet_has_a_milestones_tab_for_the_actions_referent(client, referent, action):
    client.force_login(referent)

    page = client.get(reverse("actions:edit_indicators", args=[action.pk])).content.decode()

    assert reverse("actions:edit_milestones", args=[action.pk]) in page and "Étapes" in page
