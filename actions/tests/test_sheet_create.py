"""Staff create a new action in an axe of a pacte, from the pacte's page or the axe's page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionStatus
from actions.factories import ActionFactory
from actions.models import Action
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def axe():
    pacte = PacteFactory(slug="pti-2022", first_year=2022, last_year=2025)
    return AxeFactory(pacte=pacte, number=2, title="Lever les freins à l'emploi")


def create_url(axe):
    return reverse("actions:create", args=[axe.pacte.slug, axe.number])


def data(**overrides):
    return {
        "number": "2.7",
        "title": "Garde d'enfants pour les parents en reprise d'emploi",
        "objectif": "",
        "description": "",
        "target_public": "",
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "priority": "normal",
        **overrides,
    }


def test_staff_create_an_action_in_an_axe_with_its_objective_and_referents(client, staff, axe):
    objectif = ObjectifFactory(axe=axe, number=1)
    referent = UserFactory(username="ref-creche", first_name="Inès", last_name="Garnier")
    client.force_login(staff)
    assert client.get(create_url(axe)).status_code == 200

    response = client.post(create_url(axe), data(objectif=objectif.pk, referents=[referent.pk]))

    action = Action.objects.get(number="2.7")
    assert response.status_code == 302 and response["Location"] == f"/actions/{action.pk}/"
    assert action.axe == axe and action.pacte == axe.pacte and action.objectif == objectif
    assert action.status == ActionStatus.TO_LAUNCH and action.version == 1
    assert list(action.referents.all()) == [referent]
    assert action.history.latest().history_user == staff
    page = client.get(response["Location"]).content.decode()
    assert "L&#x27;action 2.7 a été créée." in page or "L'action 2.7 a été créée." in page


def test_a_number_already_used_in_the_pacte_is_refused_with_a_french_message(client, staff, axe):
    other_axe = AxeFactory(pacte=axe.pacte, number=3)
    ActionFactory(axe=other_axe, number="2.7")
    client.force_login(staff)
    response = client.post(create_url(axe), data())
    assert response.status_code == 400
    assert "Une autre action de ce pacte porte déjà le numéro 2.7." in response.content.decode()
    assert Action.objects.filter(number="2.7").count() == 1


def test_the_same_number_in_another_pacte_is_fine(client, staff, axe):
    ActionFactory(axe=AxeFactory(pacte=PacteFactory(slug="pti-2017"), number=2), number="2.7")
    client.force_login(staff)
    assert client.post(create_url(axe), data()).status_code == 302
    assert Action.objects.filter(number="2.7").count() == 2


def test_an_objective_of_another_axe_is_refused(client, staff, axe):
    foreign = ObjectifFactory(axe=AxeFactory(pacte=axe.pacte, number=4))
    client.force_login(staff)
    response = client.post(create_url(axe), data(objectif=foreign.pk))
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": "deux"}, "Le numéro doit être de la forme 2.3 (chiffres et points)."),
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"end_date": "2022-06-30"}, "La date de fin doit être postérieure à la date de début."),
        ({"start_date": "2019-01-01"}, "La date doit être comprise dans les années du pacte (2022-2025)."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, staff, axe, overrides, message):
    client.force_login(staff)
    response = client.post(create_url(axe), data(**overrides))
    assert response.status_code == 400
    content = response.content.decode().replace("&#x27;", "'")
    assert message in content
    assert "Le formulaire contient des erreurs" in content
    assert not Action.objects.exists()


@pytest.mark.parametrize("role", ["referent", "copil"])
def test_referents_and_copil_members_cannot_create_an_action(client, axe, role):
    user = UserFactory(username=f"u-{role}", role=role)
    axe.thematic_referents.add(user)
    client.force_login(user)
    assert client.get(create_url(axe)).status_code == 403
    assert client.post(create_url(axe), data()).status_code == 403
    assert not Action.objects.exists()


def test_the_pacte_and_axe_pages_offer_new_action_to_staff_only(client, staff, referent, axe):
    client.force_login(staff)
    assert create_url(axe) in client.get(reverse("actions:pacte_detail", args=[axe.pacte.slug])).content.decode()
    assert create_url(axe) in client.get(reverse("actions:pacte_axe", args=[axe.pacte.slug, 2])).content.decode()
    client.force_login(referent)
    assert create_url(axe) not in client.get(reverse("actions:pacte_detail", args=[axe.pacte.slug])).content.decode()
    assert create_url(axe) not in client.get(reverse("actions:pacte_axe", args=[axe.pacte.slug, 2])).content.decode()


def test_the_form_page_query_count_does_not_grow_with_the_axe(client, staff, axe):
    client.force_login(staff)
    ObjectifFactory(axe=axe)
    UserFactory(username="r1")
    with CaptureQueriesContext(connection) as small:
        assert client.get(create_url(axe)).status_code == 200
    for n in range(5):
        ObjectifFactory(axe=axe)
        UserFactory(username=f"r-plus-{n}")
    with CaptureQueriesContext(connection) as big:
        assert client.get(create_url(axe)).status_code == 200
    assert len(big) == len(small)
