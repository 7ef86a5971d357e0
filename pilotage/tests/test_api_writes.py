"""Writes of COPILs and decisions through the API: the staff create and change them, a decision's owner reports
its follow-up and status; the pages' rules and French messages apply; a stale version is refused (409, or 412 with
If-Match) with the other person's changes; nothing is written on a refusal."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from actions.factories import ActionFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.enums import DecisionStatus, Presence
from pilotage.factories import CopilAttendeeFactory, CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.models import Copil, CopilAttendee, Decision
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    yield
    ActionFactory.reset_sequence()


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-api-copil", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=2)
    ActionFactory(axe=axe, number="2.3", title="Clauses sociales")
    return pacte


@pytest.fixture
def copil(pacte):
    return CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Limoges")


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def copil_url(copil):
    return reverse("v1:copil-detail", args=[copil.pk])


def decision_url(decision):
    return reverse("v1:decision-detail", args=[decision.pk])


# --- COPILs -------------------------------------------------------------------------------------------------


def test_staff_create_a_copil_with_its_lists(staff, pacte):
    member = UserFactory(username="membre", copil=True)
    caf = PartnerFactory(name="CAF")
    action = pacte.actions.get(number="2.3")
    response = as_user(staff).post(
        reverse("v1:copil-list"),
        {
            "pacte": "pti-api-copil",
            "date": "2024-11-26",
            "place": "Hôtel du Département",
            "attendees": [member.pk],
            "partners": [caf.pk],
            "guests": [
                {"name": "Claire Martin", "partner": caf.pk, "function": "Directrice"},
                {"name": "Paul Durand", "organisation": "Tremplin", "presence": "excused"},
            ],
            "highlighted_actions": [{"action": action.pk, "comment": "Exemplaire"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    copil = Copil.objects.get()
    assert response["Location"] == copil_url(copil) and response["ETag"] == '"1"'
    body = response.json()
    assert (body["pacte"], body["date"], body["version"]) == ("pti-api-copil", "2024-11-26", 1)
    assert [(g["name"], g["partner_name"], g["organisation"], g["presence"]) for g in body["guests"]] == [
        ("Claire Martin", "CAF", "", "present"),
        ("Paul Durand", None, "Tremplin", "excused"),
    ]
    assert body["highlighted_actions"] == [{"action": action.pk, "action_number": "2.3", "comment": "Exemplaire"}]
    assert list(copil.attendees.all()) == [member] and list(copil.partners.all()) == [caf]


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"date": "2024-11-26"}, "pacte", "Le pacte du COPIL est obligatoire (son identifiant)."),
        ({"pacte": "inconnu", "date": "2024-11-26"}, "pacte", "Aucun pacte n'a l'identifiant « inconnu »."),
        ({"pacte": "pti-api-copil"}, "date", "Ce champ est obligatoire."),
        (
            {"pacte": "pti-api-copil", "date": "2019-01-01"},
            "date",
            "La date doit tomber pendant le pacte (2022-2025) ou l'année qui suit.",
        ),
        (
            {"pacte": "pti-api-copil", "date": "2024-11-26", "guests": [{"name": ""}]},
            "guests",
            "Ce champ ne peut être vide.",
        ),
        (
            {"pacte": "pti-api-copil", "date": "2024-11-26", "guests": [{"name": "Claire", "partner": 999999}]},
            "guests",
            "Ligne 1, partenaire : Sélectionnez un choix valide.",
        ),
        (
            {"pacte": "pti-api-copil", "date": "2024-11-26", "attendees": [999999]},
            "attendees",
            "Sélectionnez un choix valide.",
        ),
        (
            {"pacte": "pti-api-copil", "date": "2024-11-26", "highlighted_actions": [{"action": 999999}]},
            "highlighted_actions",
            "L'action 999999 n'existe pas ou n'appartient pas au pacte du COPIL.",
        ),
        (
            {"pacte": "pti-api-copil", "date": "2024-11-26", "numero": 3},
            "numero",
            "Ce champ n'existe pas ou ne peut pas être modifié.",
        ),
    ],
    ids=[
        "no_pacte",
        "unknown_pacte",
        "no_date",
        "date_outside",
        "guest_without_name",
        "guest_unknown_partner",
        "unknown_user",
        "unknown_action",
        "unknown_field",
    ],
)
def test_a_bad_copil_is_refused_in_french_and_nothing_is_written(staff, pacte, body, field, message):
    response = as_user(staff).post(reverse("v1:copil-list"), body, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field]), response.json()
    assert not Copil.objects.exists() and not CopilAttendee.objects.exists()


def test_a_highlighted_action_of_another_pacte_is_refused(staff, pacte):
    foreign = ActionFactory(axe__pacte=PacteFactory(slug="autre"), number="3.1")
    response = as_user(staff).post(
        reverse("v1:copil-list"),
        {"pacte": pacte.slug, "date": "2024-11-26", "highlighted_actions": [{"action": foreign.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert not Copil.objects.exists()


def test_staff_patch_a_copil_and_lists_left_out_stay_as_they_are(staff, copil):
    guest = CopilAttendeeFactory(copil=copil, name="Claire Martin")
    HighlightedActionFactory(copil=copil, action=copil.pacte.actions.get(number="2.3"))
    copil.partners.add(PartnerFactory(name="CAF"))
    response = as_user(staff).patch(copil_url(copil), {"version": 1, "place": "Bellac"}, format="json")
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    copil.refresh_from_db()
    assert (copil.place, copil.version, copil.date) == ("Bellac", 2, datetime.date(2024, 11, 26))
    assert list(copil.guests.all()) == [guest] and copil.highlights.count() == 1 and copil.partners.count() == 1


def test_a_patched_list_replaces_the_copils(staff, copil):
    claire = CopilAttendeeFactory(copil=copil, name="Claire Martin")
    CopilAttendeeFactory(copil=copil, name="Paul Durand")
    response = as_user(staff).patch(
        copil_url(copil),
        {
            "version": 1,
            "guests": [{"id": claire.pk, "name": "Claire Martin", "presence": "excused"}, {"name": "Inès Roux"}],
            "partners": [],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [(g.pk == claire.pk, g.name, g.presence) for g in copil.guests.all()] == [
        (True, "Claire Martin", Presence.EXCUSED),
        (False, "Inès Roux", Presence.PRESENT),
    ]


def test_a_copil_patch_needs_the_version_read(staff, copil):
    response = as_user(staff).patch(copil_url(copil), {"place": "Bellac"}, format="json")
    assert response.status_code == 400
    assert response.json()["version"] == ["La version lue est obligatoire (champ « version » ou en-tête If-Match)."]
    copil.refresh_from_db()
    assert copil.place == "Limoges"


def test_a_stale_copil_patch_is_refused_with_the_other_persons_changes(staff, copil):
    other = UserFactory(username="agent2", staff=True)
    assert (
        as_user(other).patch(copil_url(copil), {"version": 1, "place": "Salle du conseil"}, format="json").status_code
        == 200
    )
    response = as_user(staff).patch(
        copil_url(copil), {"version": 1, "place": "Bellac", "guests": [{"name": "X"}]}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2 and body["changed_by"] == str(other)
    assert {"field": "lieu", "before": "Limoges", "after": "Salle du conseil"} in body["changes"]
    assert body["current"]["place"] == "Salle du conseil"
    assert not copil.guests.exists()


def test_if_match_carries_the_version_and_a_stale_one_gets_412(staff, copil):
    client = as_user(staff)
    etag = client.get(copil_url(copil))["ETag"]
    assert etag == '"1"'
    assert client.patch(copil_url(copil), {"place": "Bellac"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    response = client.patch(copil_url(copil), {"place": "Guéret"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412 and response["ETag"] == '"2"'
    copil.refresh_from_db()
    assert copil.place == "Bellac"


@pytest.mark.parametrize("user_fixture", ["copil_member", "referent"])
def test_only_staff_write_copils(request, user_fixture, copil):
    client = as_user(request.getfixturevalue(user_fixture))
    response = client.patch(copil_url(copil), {"version": 1, "place": "Bellac"}, format="json")
    assert response.status_code == 403
    response = client.post(reverse("v1:copil-list"), {"pacte": copil.pacte.slug, "date": "2024-12-01"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Seuls les agents du Département gèrent les COPIL et leurs décisions."
    assert Copil.objects.count() == 1 and Copil.objects.get().place == "Limoges"


def test_the_copil_list_reads_guests_in_the_same_number_of_queries_whatever_their_number(copil_member, pacte):
    client = as_user(copil_member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("v1:copil-list")).status_code == 200
        return len(queries)

    for _ in range(2):
        CopilAttendeeFactory.create_batch(2, copil=CopilFactory(pacte=pacte), partner=PartnerFactory())
    small = count()
    for _ in range(2):
        CopilAttendeeFactory.create_batch(4, copil=CopilFactory(pacte=pacte), partner=PartnerFactory())
    assert count() == small


# --- decisions ----------------------------------------------------------------------------------------------


def test_staff_add_a_decision_to_a_copil(staff, copil):
    owner = UserFactory(username="porteuse")
    response = as_user(staff).post(
        reverse("v1:decision-list"),
        {"copil": copil.pk, "text": "Relancer les financeurs", "owner": owner.pk, "due_date": "2025-03-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    decision = Decision.objects.get()
    assert response["Location"] == decision_url(decision)
    assert (decision.text, decision.owner, decision.status, decision.version) == (
        "Relancer les financeurs",
        owner,
        DecisionStatus.OPEN,
        1,
    )


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"text": "Sans COPIL"}, "copil", "Ce champ est obligatoire."),
        ({"copil": 999999, "text": "X"}, "copil", "Ce COPIL n'existe pas."),
        ({"copil": "COPIL", "due_date": "2024-01-01"}, "text", "Ce champ est obligatoire."),
        (
            {"copil": "COPIL", "text": "X", "due_date": "2024-01-01"},
            "due_date",
            "L'échéance ne peut pas précéder le COPIL qui a pris la décision (26/11/2024).",
        ),
        ({"copil": "COPIL", "text": "X", "status": "perdue"}, "status", "n'est pas un choix valide"),
    ],
    ids=["no_copil", "unknown_copil", "no_text", "due_before_copil", "bad_status"],
)
def test_a_bad_decision_is_refused_in_french(staff, copil, body, field, message):
    body = {name: copil.pk if value == "COPIL" else value for name, value in body.items()}
    response = as_user(staff).post(reverse("v1:decision-list"), body, format="json")
    assert response.status_code == 400
    assert any(message in str(text) for text in response.json()[field]), response.json()
    assert not Decision.objects.exists()


def test_the_owner_reports_follow_up_and_closes_his_decision(referent, copil):
    decision = DecisionFactory(copil=copil, owner=referent)
    response = as_user(referent).patch(
        decision_url(decision),
        {"version": 1, "follow_up": "Convention signée le 3 mars.", "status": "done"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    decision.refresh_from_db()
    assert (decision.follow_up, decision.status, decision.version) == ("Convention signée le 3 mars.", "done", 2)
    assert decision.closed_on is not None
    assert decision.history.first().history_user == referent


def test_the_owner_cannot_change_anything_else(referent, copil):
    decision = DecisionFactory(copil=copil, owner=referent, text="Texte d'origine")
    response = as_user(referent).patch(decision_url(decision), {"version": 1, "text": "Changé"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Le responsable d'une décision n'en modifie que le suivi")
    decision.refresh_from_db()
    assert (decision.text, decision.version) == ("Texte d'origine", 1)


def test_someone_else_cannot_update_the_decision(referent, copil):
    decision = DecisionFactory(copil=copil, owner=UserFactory(username="autre"))
    response = as_user(referent).patch(decision_url(decision), {"version": 1, "follow_up": "Moi"}, format="json")
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.follow_up == ""


def test_a_stale_follow_up_is_refused_with_the_staff_change(referent, staff, copil):
    decision = DecisionFactory(copil=copil, owner=referent)
    assert (
        as_user(staff).patch(decision_url(decision), {"version": 1, "text": "Reformulée"}, format="json").status_code
        == 200
    )
    response = as_user(referent).patch(decision_url(decision), {"version": 1, "follow_up": "Fait"}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["text"] == "Reformulée"
    response = as_user(referent).patch(
        decision_url(decision), {"follow_up": "Fait"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    decision.refresh_from_db()
    assert (decision.follow_up, decision.version) == ("", 2)


def test_staff_change_every_field_of_a_decision(staff, copil):
    decision = DecisionFactory(copil=copil)
    action = copil.pacte.actions.get(number="2.3")
    response = as_user(staff).patch(
        decision_url(decision), {"version": 1, "text": "Nouveau texte", "action": action.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["action_number"] == "2.3"
    decision.refresh_from_db()
    assert (decision.text, decision.action) == ("Nouveau texte", action)


def test_the_schema_documents_the_writes_and_their_conflicts(copil_member):
    schema = as_user(copil_member).get(reverse("v1:schema"), {"format": "json"}).json()
    for path in ("/api/v1/copils/", "/api/v1/decisions/"):
        assert {"201", "400", "403"} <= set(schema["paths"][path]["post"]["responses"])
    for path in ("/api/v1/copils/{id}/", "/api/v1/decisions/{id}/"):
        patch = schema["paths"][path]["patch"]
        assert {"200", "400", "403", "409", "412"} <= set(patch["responses"])
        assert "If-Match" in [parameter["name"] for parameter in patch["parameters"]]
    assert schema["paths"]["/api/v1/decisions/{id}/"]["patch"]["description"].startswith(
        "Les agents du Département modifient tout ; le responsable de la décision, seulement son suivi"
    )
