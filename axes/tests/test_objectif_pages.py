"""Staff add, edit, move and delete the objectives of an axe in the application."""

import pytest
from django.urls import reverse

from actions.factories import ActionFactory
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Objectif

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes():
    pacte = PacteFactory(slug="pti-2026-2030")
    emploi = AxeFactory(pacte=pacte, number=1, title="Emploi")
    logement = AxeFactory(pacte=pacte, number=2, title="Logement")
    for number, text in [(1, "Accompagner"), (2, "Former"), (3, "Recruter")]:
        ObjectifFactory(axe=emploi, number=number, text=text)
    ObjectifFactory(axe=logement, number=1, text="Loger")
    return emploi, logement


def codes(pacte):
    rows = Objectif.objects.filter(axe__pacte=pacte).select_related("axe").order_by("axe__number", "number")
    return [(o.code, o.text) for o in rows]


def objectif_data(objectif, **overrides):
    data = {"axe": objectif.axe_id, "number": objectif.number, "text": objectif.text, "version": objectif.version}
    data.update(overrides)
    return data


def test_inserting_objective_1_shifts_the_others(client, staff, axes):
    emploi, _logement = axes
    client.force_login(staff)
    page = client.get(reverse("axes:objectif_create", args=[emploi.pk])).content.decode()
    assert 'name="number" value="4"' in page

    response = client.post(
        reverse("axes:objectif_create", args=[emploi.pk]), {"axe": emploi.pk, "number": 1, "text": "Repérer"}
    )

    assert response.status_code == 302 and response["Location"] == "/pactes/pti-2026-2030/plan/"
    assert codes(emploi.pacte) == [
        ("1.1", "Repérer"),
        ("1.2", "Accompagner"),
        ("1.3", "Former"),
        ("1.4", "Recruter"),
        ("2.1", "Loger"),
    ]
    assert Objectif.objects.get(text="Repérer").history.get().history_user == staff


def test_moving_an_objective_to_another_axe(client, staff, axes):
    emploi, logement = axes
    former = Objectif.objects.get(text="Former")
    ActionFactory(axe=emploi, objectif=former, number="1.2.1")
    client.force_login(staff)

    response = client.post(
        reverse("axes:objectif_edit", args=[former.pk]), objectif_data(former, axe=logement.pk, number=1)
    )

    assert response.status_code == 302
    assert codes(emploi.pacte) == [("1.1", "Accompagner"), ("1.2", "Recruter"), ("2.1", "Former"), ("2.2", "Loger")]


def test_an_objective_of_another_pacte_s_axe_is_refused(client, staff, axes):
    emploi, _logement = axes
    other = AxeFactory(pacte=PacteFactory(slug="autre"), number=1)
    former = Objectif.objects.get(text="Former")
    client.force_login(staff)
    response = client.post(reverse("axes:objectif_edit", args=[former.pk]), objectif_data(former, axe=other.pk))
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    former.refresh_from_db()
    assert former.axe_id == emploi.pk


def test_a_stale_objective_form_is_refused_with_the_change(client, staff, administrator, axes):
    recruter = Objectif.objects.get(text="Recruter")
    stale = objectif_data(recruter, text="Embaucher")
    client.force_login(administrator)
    client.post(reverse("axes:objectif_edit", args=[recruter.pk]), objectif_data(recruter, text="Recruter vite"))

    client.force_login(staff)
    response = client.post(reverse("axes:objectif_edit", args=[recruter.pk]), stale)

    assert response.status_code == 409
    assert "Recruter vite" in response.content.decode()
    recruter.refresh_from_db()
    assert recruter.text == "Recruter vite"


def test_bad_input_is_refused_with_french_messages(client, staff, axes):
    emploi, _logement = axes
    client.force_login(staff)
    response = client.post(
        reverse("axes:objectif_create", args=[emploi.pk]), {"axe": emploi.pk, "number": "deux", "text": ""}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Donnez un nombre entier." in content and "Ce champ est obligatoire." in content
    assert Objectif.objects.count() == 4


def test_an_objective_without_actions_is_deleted_and_the_next_ones_move_up(client, staff, axes):
    emploi, _logement = axes
    accompagner = Objectif.objects.get(text="Accompagner")
    client.force_login(staff)
    url = reverse("axes:objectif_delete", args=[accompagner.pk])
    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert "Les objectifs 1.2 à 1.3 deviendront les objectifs 1.1 à 1.2." in page

    assert client.post(url, {"version": accompagner.version}).status_code == 302
    assert codes(emploi.pacte) == [("1.1", "Former"), ("1.2", "Recruter"), ("2.1", "Loger")]


def test_an_objective_with_actions_is_not_deleted(client, staff, axes):
    emploi, _logement = axes
    former = Objectif.objects.get(text="Former")
    ActionFactory(axe=emploi, objectif=former, number="1.2.1")
    client.force_login(staff)
    response = client.post(reverse("axes:objectif_delete", args=[former.pk]), {"version": former.version})
    assert response.status_code == 400
    assert "1 action est rattachée à cet objectif : il ne peut pas être supprimé." in response.content.decode()
    assert Objectif.objects.filter(pk=former.pk).exists()


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_referents_and_copil_members_may_not_touch_objectives(client, request, role, axes):
    emploi, _logement = axes
    former = Objectif.objects.get(text="Former")
    client.force_login(request.getfixturevalue(role))
    create = client.post(
        reverse("axes:objectif_create", args=[emploi.pk]), {"axe": emploi.pk, "number": 1, "text": "X"}
    )
    assert create.status_code == 403
    assert (
        client.post(reverse("axes:objectif_edit", args=[former.pk]), objectif_data(former, number=1)).status_code == 403
    )
    assert client.post(reverse("axes:objectif_delete", args=[former.pk]), {"version": 1}).status_code == 403
    assert codes(emploi.pacte) == [("1.1", "Accompagner"), ("1.2", "Former"), ("1.3", "Recruter"), ("2.1", "Loger")]
