"""The report form suggests the progress its milestones say (done / all, in whole percents); the referent stays
free: nothing is copied into the field unless he clicks."""

import datetime

import pytest
from django.urls import reverse

from actions.desk import suggested_progress
from actions.factories import ActionFactory, MilestoneFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def referent():
    return UserFactory(username="s-referent")


@pytest.fixture
def action(referent):
    return ActionFactory(number="4.1", referents=[referent], progress=40)


def form_page(client, referent, action):
    client.force_login(referent)
    response = client.get(reverse("actions:report_edit", args=[action.pk, YEAR]))
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_two_of_three_milestones_done_suggest_67_percent(client, referent, action):
    MilestoneFactory(action=action, done_date=datetime.date(2024, 2, 1))
    MilestoneFactory(action=action, done_date=datetime.date(2024, 3, 1))
    MilestoneFactory(action=action)
    page = form_page(client, referent, action)
    assert "Avancement suggéré d'après les étapes : 67 % (2 franchies sur 3)." in page
    assert 'data-copy-value="67" data-copy-to="id_progress"' in page
    # The field keeps the action's progress: a suggestion is never applied by itself.
    assert 'name="progress" value="40"' in page


def test_literal_suggestions(action):
    assert suggested_progress(action) is None
    first = MilestoneFactory(action=action)
    assert suggested_progress(action) == {"done": 0, "total": 1, "percent": 0}
    first.done_date = datetime.date(2024, 1, 1)
    first.save()
    assert suggested_progress(action) == {"done": 1, "total": 1, "percent": 100}
    MilestoneFactory(action=action)
    assert suggested_progress(action)["percent"] == 50
    MilestoneFactory(action=action, done_date=datetime.date(2024, 1, 2))
    MilestoneFactory(action=action)
    MilestoneFactory(action=action)
    MilestoneFactory(action=action)
    MilestoneFactory(action=action)
    MilestoneFactory(action=action)
    # 2 of 8: 25 %; 1 of 8 would be 12.5, rounded half up to 13.
    assert suggested_progress(action) == {"done": 2, "total": 8, "percent": 25}
    first.done_date = None
    first.save()
    assert suggested_progress(action)["percent"] == 13


def test_no_milestone_no_suggestion(client, referent, action):
    assert "Avancement suggéré" not in form_page(client, referent, action)
