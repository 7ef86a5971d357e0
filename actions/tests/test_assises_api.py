"""The API of the Assises: groups with their meetings (counts only) and proposals with their fate and actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.factories import ActionFactory
from axes.factories import AxeFactory, MeetingFactory, PacteFactory, ProposalFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assises():
    pacte = PacteFactory(slug="pti-api")
    group = WorkingGroupFactory(axe=AxeFactory(pacte=pacte, number=2), title="Accompagner")
    MeetingFactory(group=group, date=datetime.date(2021, 3, 15), place="Bellac")
    kept = ProposalFactory(group=group, number=1, text="Décloisonner")
    action = ActionFactory(axe=group.axe, number="2.1")
    action.assises_proposals.add(kept)
    ProposalFactory(group=group, number=2, not_retained=True, reason="Hors compétence.")
    return group, kept, action


def test_the_groups_come_with_their_meetings_counted_never_named(client, referent, assises):
    group, _kept, _action = assises
    client.force_login(referent)
    body = client.get("/api/v1/assises-groupes/?pacte=pti-api").json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": group.pk,
        "pacte": "pti-api",
        "axe": group.axe_id,
        "axe_number": 2,
        "title": "Accompagner",
        "description": "",
        "members": {"institutional": 3, "economic": 2, "associative": 4, "social_workers": 3, "rsa_beneficiaries": 2},
        "meetings": [
            {
                "id": group.meetings.get().pk,
                "date": "2021-03-15",
                "place": "Bellac",
                "topic": "",
                "participants": {
                    "institutional": 2,
                    "economic": 1,
                    "associative": 3,
                    "social_workers": 2,
                    "rsa_beneficiaries": 1,
                },
            }
        ],
    }


def test_the_proposals_say_their_fate_and_their_actions(client, referent, assises):
    group, kept, action = assises
    client.force_login(referent)
    results = client.get("/api/v1/assises-propositions/?pacte=pti-api").json()["results"]
    assert [(p["code"], p["fate"], p["fate_label"], p["actions"], p["reason"]) for p in results] == [
        ("2.1", "retained", "retenue", [action.pk], ""),
        ("2.2", "not_retained", "non retenue", [], "Hors compétence."),
    ]
    only = client.get("/api/v1/assises-propositions/?suite=not_retained").json()["results"]
    assert [p["code"] for p in only] == ["2.2"]
    assert client.get("/api/v1/assises-propositions/?suite=peut-etre").status_code == 400


def test_the_lists_read_a_constant_number_of_queries(client, referent, assises):
    client.force_login(referent)
    counts = []
    for size in (1, 4):
        pacte = PacteFactory()
        for number in range(1, size + 1):
            group = WorkingGroupFactory(axe=AxeFactory(pacte=pacte, number=number))
            MeetingFactory(group=group)
            ActionFactory(axe=group.axe, number=f"{number}.1").assises_proposals.add(ProposalFactory(group=group))
        for url in (
            f"/api/v1/assises-groupes/?pacte={pacte.slug}",
            f"/api/v1/assises-propositions/?pacte={pacte.slug}",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
