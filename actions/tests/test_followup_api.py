"""The API of the action's follow-up: milestones and notes read by every signed-in user, written by the action's
editors with the version check, refused (403) to another referent and to the COPIL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from actions.factories import ActionFactory, FollowUpNoteFactory, MilestoneFactory
from actions.models import FollowUpNote, Milestone
from axes.factories import AxeFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2024", first_year=2024, last_year=2027)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.5", referents=[referent])


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401(action):
    assert APIClient().get(reverse("v1:milestone-list")).status_code == 401
    assert APIClient().get(reverse("v1:note-list")).status_code == 401


def test_every_signed_in_user_reads_milestones_and_notes(copil_member, action):
    milestone = MilestoneFactory(
        action=action, title="Convention signée", planned_date=datetime.date(2025, 1, 31), version=3
    )
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 2, 1), text="Signée avec retard")
    client = as_user(copil_member)

    response = client.get(reverse("v1:milestone-list"), {"action": action.pk})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": milestone.pk,
            "action": action.pk,
            "action_number": "1.5",
            "title": "Convention signée",
            "planned_date": "2025-01-31",
            "done_date": None,
            "note": "",
            "late": True,
            "version": 3,
        }
    ]
    assert client.get(reverse("v1:milestone-detail", args=[milestone.pk]))["ETag"] == '"3"'
    notes = client.get(reverse("v1:note-list"), {"action": action.pk, "annee": 2025}).json()["results"]
    assert [(note["date"], note["text"], note["document"]) for note in notes] == [
        ("2025-02-01", "Signée avec retard", None)
    ]
    assert client.get(reverse("v1:note-list"), {"annee": 2024}).json()["results"] == []


def test_a_referent_creates_changes_and_deletes_a_milestone(referent, action):
    client = as_user(referent)

    response = client.post(
        reverse("v1:milestone-list"),
        {"action": action.pk, "title": "Comité", "planned_date": "2025-05-15"},
        format="json",
    )
    assert response.status_code == 201
    milestone = Milestone.objects.get()
    assert response["Location"] == reverse("v1:milestone-detail", args=[milestone.pk])
    assert (milestone.title, milestone.planned_date, milestone.version) == ("Comité", datetime.date(2025, 5, 15), 1)

    url = reverse("v1:milestone-detail", args=[milestone.pk])
    response = client.patch(url, {"version": 1, "done_date": "2025-05-16"}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    milestone.refresh_from_db()
    assert (milestone.title, milestone.done_date) == ("Comité", datetime.date(2025, 5, 16))

    assert client.delete(url, {"version": 1}, format="json").status_code == 409
    assert client.delete(url, format="json").status_code == 400
    assert client.delete(url, {"version": 2}, format="json").status_code == 204
    assert not Milestone.objects.exists()


def test_bad_api_input_gets_400_with_french_messages(referent, action):
    client = as_user(referent)

    response = client.post(
        reverse("v1:milestone-list"), {"action": action.pk, "title": "", "planned_date": "2031-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "La date prévue doit être comprise dans les années du pacte (2024-2027)." in response.json()["planned_date"]

    milestone = MilestoneFactory(action=action)
    url = reverse("v1:milestone-detail", args=[milestone.pk])
    response = client.patch(url, {"title": "Sans version"}, format="json")
    assert response.status_code == 400
    assert response.json()["version"] == ["La version lue est obligatoire (champ « version » ou en-tête If-Match)."]
    response = client.patch(url, {"version": 1, "numero": "3"}, format="json")
    assert response.status_code == 400 and "numero" in response.json()

    response = client.post(reverse("v1:note-list"), {"action": action.pk, "text": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["text"] == ["Écrivez le texte de la note."]


def test_a_stale_patch_is_a_409_and_changes_nothing(referent, staff, action):
    milestone = MilestoneFactory(action=action, title="Réunion")
    url = reverse("v1:milestone-detail", args=[milestone.pk])
    assert as_user(staff).patch(url, {"version": 1, "title": "Réunion plénière"}, format="json").status_code == 200

    response = as_user(referent).patch(url, {"version": 1, "title": "Autre"}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2 and body["current"]["title"] == "Réunion plénière"
    assert {"field": "intitulé", "before": "Réunion", "after": "Réunion plénière"} in body["changes"]
    response = as_user(referent).patch(url, {"title": "Autre"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert Milestone.objects.get().title == "Réunion plénière"


def test_a_referent_adds_a_note_dated_today_by_default(referent, action):
    response = as_user(referent).post(
        reverse("v1:note-list"), {"action": action.pk, "text": "Point fait"}, format="json"
    )

    assert response.status_code == 201
    note = FollowUpNote.objects.get()
    assert (note.text, note.author, note.date) == ("Point fait", referent, datetime.date.today())


def test_another_referent_and_the_copil_may_not_write(copil_member, action):
    milestone = MilestoneFactory(action=action, title="Réunion")
    url = reverse("v1:milestone-detail", args=[milestone.pk])
    for user in (UserFactory(username="autre"), copil_member):
        client = as_user(user)
        assert client.patch(url, {"version": 1, "title": "Non"}, format="json").status_code == 403
        assert client.delete(url, {"version": 1}, format="json").status_code == 403
        response = client.post(
            reverse("v1:milestone-list"),
            {"action": action.pk, "title": "Non", "planned_date": "2025-01-01"},
            format="json",
        )
        assert response.status_code == 403
        assert (
            client.post(reverse("v1:note-list"), {"action": action.pk, "text": "Non"}, format="json").status_code == 403
        )
    assert (Milestone.objects.get().title, FollowUpNote.objects.count()) == ("Réunion", 0)


def test_the_lists_query_count_does_not_grow(copil_member, action):
    client = as_user(copil_member)
    MilestoneFactory(action=action)
    FollowUpNoteFactory(action=action, author=copil_member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("v1:milestone-list")).status_code == 200
            assert client.get(reverse("v1:note-list")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(4):
        MilestoneFactory(action=action)
        FollowUpNoteFactory(action=action, author=UserFactory())
    assert count() == before
