"""The API of COPILs and decisions: readable by every signed-in user; written by the staff, and by a decision's
owner for its follow-up (pilotage/tests/test_api_writes.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from actions.factories import ActionFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    """ActionFactory numbers actions from a per-process sequence that no number may pass 999 (2.999): this module
    creates many actions, so it hands the sequence back at zero (each test's rows are rolled back anyway)."""
    yield
    ActionFactory.reset_sequence()


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_copil_lists_attendees_partners_and_highlighted_actions(copil_member):
    copil = CopilFactory(pacte=PacteFactory(slug="pti-2022"), date=datetime.date(2024, 6, 12))
    copil.attendees.add(copil_member)
    copil.partners.add(PartnerFactory(name="France Travail"))
    HighlightedActionFactory(copil=copil, action__number="2.1")
    body = as_user(copil_member).get(reverse("v1:copil-list"), {"pacte": "pti-2022"}).json()
    row = body["results"][0]
    assert row["date"] == "2024-06-12"
    assert row["attendees"][0]["name"] == str(copil_member)
    assert row["partners"][0]["name"] == "France Travail"
    assert row["highlighted_actions"][0]["action_number"] == "2.1"


def test_decisions_filter_by_status_and_lateness(copil_member):
    copil = CopilFactory(date=datetime.date(2023, 1, 10))
    late = DecisionFactory(copil=copil, text="Relancer les financeurs", due_date=datetime.date(2023, 3, 1))
    DecisionFactory(copil=copil, text="Déjà fait", status=DecisionStatus.DONE)
    DecisionFactory(copil=copil, text="Plus tard", due_date=datetime.date(2099, 1, 1))
    client = as_user(copil_member)

    def texts(**params):
        return [row["text"] for row in client.get(reverse("v1:decision-list"), params).json()["results"]]

    assert texts(statut="open", en_retard="true") == ["Relancer les financeurs"]
    assert texts(statut="done") == ["Déjà fait"]
    assert set(texts(en_retard="false")) == {"Déjà fait", "Plus tard"}
    detail = client.get(reverse("v1:decision-detail", args=[late.pk])).json()
    assert detail["is_late"] is True and detail["status_label"] == "ouverte"


@pytest.mark.parametrize("user_fixture", ["copil_member", "referent"])
def test_only_staff_write_copils_or_decisions_through_the_api(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    decision = DecisionFactory(text="Texte d'origine")
    client = as_user(user)
    url = reverse("v1:decision-detail", args=[decision.pk])
    assert client.patch(url, {"text": "Changé"}, format="json").status_code == 403
    assert client.post(reverse("v1:copil-list"), {}, format="json").status_code == 403
    decision.refresh_from_db()
    assert decision.text == "Texte d'origine"


def test_anonymous_gets_401(client):
    assert client.get(reverse("v1:copil-list")).status_code == 401


@pytest.mark.parametrize("name", ["v1:copil-list", "v1:decision-list"])
def test_list_query_count_does_not_grow_with_the_page_size(client, copil_member, name):
    pacte = PacteFactory()
    axe = AxeFactory(pacte=pacte, number=1)
    for day in range(30):
        copil = CopilFactory(pacte=pacte, date=datetime.date(2023, 1, 1) + datetime.timedelta(days=day))
        copil.attendees.add(UserFactory(), UserFactory())
        copil.partners.add(PartnerFactory())
        # Explicit numbers: the factory's sequence would soon pass 999, which no action number may.
        HighlightedActionFactory(copil=copil, action=ActionFactory(axe=axe, number=f"1.{2 * day + 1}"))
        DecisionFactory(copil=copil, action=ActionFactory(axe=axe, number=f"1.{2 * day + 2}"), owner=UserFactory())
    client.force_login(copil_member)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name), {"page_size": size})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
