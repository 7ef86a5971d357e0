"""Staff add, edit, renumber and delete the axes of a pacte in the application."""

import re

import pytest
from django.urls import reverse

from actions.factories import ActionFactory
from axes.enums import PacteStatus
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Axe
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-2026-2030", title="PTI 2026-2030", status=PacteStatus.DRAFT)
    AxeFactory(pacte=pacte, number=1, title="Emploi")
    AxeFactory(pacte=pacte, number=2, title="Logement")
    AxeFactory(pacte=pacte, number=3, title="Mobilité")
    return pacte


def titles(pacte):
    return list(Axe.objects.filter(pacte=pacte).order_by("number").values_list("number", "title"))


def axe_data(axe=None, **overrides):
    data = {"number": axe.number, "title": axe.title, "description": axe.description} if axe else {}
    if axe:
        data["version"] = axe.version
        data["thematic_referents"] = [u.pk for u in axe.thematic_referents.all()]
    data.update(overrides)
    return data


def test_the_new_axe_form_proposes_the_next_number_and_explains_renumbering(client, staff, pacte):
    client.force_login(staff)
    response = client.get(reverse("axes:axe_create", args=[pacte.slug]))
    content = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert 'name="number" value="4"' in content
    assert "Si ce numéro est déjà pris, l'axe prend sa place et les axes suivants sont décalés d'un rang" in content


def test_inserting_axe_2_shifts_the_others_and_names_its_referents(client, staff, pacte):
    thematic = UserFactory(username="thematique", first_name="Inès", last_name="Morel")
    client.force_login(staff)

    response = client.post(
        reverse("axes:axe_create", args=[pacte.slug]),
        {"number": 2, "title": "Santé", "description": "Accès aux soins", "thematic_referents": [thematic.pk]},
    )

    assert response.status_code == 302 and response["Location"] == "/pactes/pti-2026-2030/plan/"
    assert titles(pacte) == [(1, "Emploi"), (2, "Santé"), (3, "Logement"), (4, "Mobilité")]
    sante = Axe.objects.get(pacte=pacte, number=2)
    assert list(sante.thematic_referents.all()) == [thematic]
    assert sante.history.get().history_user == staff
    plan = client.get(response["Location"]).content.decode()
    assert "L'axe 2 a été créé." in plan.replace("&#x27;", "'")
    assert "Inès Morel" in plan


def test_moving_an_axe_shifts_those_between_and_keeps_the_action_numbers(client, staff, pacte):
    mobilite = Axe.objects.get(pacte=pacte, number=3)
    action = ActionFactory(axe=mobilite, number="3.1")
    client.force_login(staff)

    response = client.post(reverse("axes:axe_edit", args=[mobilite.pk]), axe_data(mobilite, number=1))

    assert response.status_code == 302
    assert titles(pacte) == [(1, "Mobilité"), (2, "Emploi"), (3, "Logement")]
    action.refresh_from_db()
    assert (action.number, action.axe_id) == ("3.1", mobilite.pk)


def test_a_form_opened_before_a_renumbering_is_refused_with_the_change(client, staff, administrator, pacte):
    logement = Axe.objects.get(pacte=pacte, number=2)
    stale = axe_data(logement, title="Habitat")
    client.force_login(administrator)
    client.post(reverse("axes:axe_create", args=[pacte.slug]), {"number": 1, "title": "Santé", "description": ""})

    client.force_login(staff)
    response = client.post(reverse("axes:axe_edit", args=[logement.pk]), stale)

    assert response.status_code == 409
    content = response.content.decode()
    assert "Modification concurrente" in content and str(administrator) in content
    assert '<th scope="row">Numéro</th><td>2</td><td>3</td>' in content
    logement.refresh_from_db()
    assert (logement.number, logement.title) == (3, "Logement")


def test_bad_input_is_refused_with_french_messages(client, staff, pacte):
    client.force_login(staff)
    response = client.post(
        reverse("axes:axe_create", args=[pacte.slug]), {"number": "0", "title": "", "thematic_referents": ["x"]}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Le numéro commence à 1." in content
    assert "Ce champ est obligatoire." in content
    assert "«\xa0x\xa0» n’est pas une valeur correcte." in content
    assert titles(pacte) == [(1, "Emploi"), (2, "Logement"), (3, "Mobilité")]

    too_big = client.post(reverse("axes:axe_create", args=[pacte.slug]), {"number": "1000", "title": "Trop"})
    assert too_big.status_code == 400
    assert "Le numéro va jusqu&#x27;à 999." in too_big.content.decode()


def test_an_empty_axe_is_deleted_after_a_confirmation_and_the_following_ones_move_up(client, staff, pacte):
    logement = Axe.objects.get(pacte=pacte, number=2)
    ObjectifFactory(axe=logement, number=1, text="Loger")
    client.force_login(staff)
    url = reverse("axes:axe_delete", args=[logement.pk])

    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert "Supprimer l'axe 2 « Logement » ?" in page
    assert "Ses objectifs seront supprimés avec lui : 2.1 Loger." in page
    assert "L'axe 3 deviendra l'axe 2." in page

    response = client.post(url, {"version": logement.version})
    assert response.status_code == 302
    assert titles(pacte) == [(1, "Emploi"), (2, "Mobilité")]


def test_an_axe_with_actions_is_not_deleted(client, staff, pacte):
    emploi = Axe.objects.get(pacte=pacte, number=1)
    ActionFactory(axe=emploi, number="1.1")
    ActionFactory(axe=emploi, number="1.2")
    client.force_login(staff)
    url = reverse("axes:axe_delete", args=[emploi.pk])

    page = client.get(url).content.decode()
    assert "L’axe compte 2 actions" in page.replace("&#x27;", "’").replace("'", "’")
    assert "btn-danger" not in page
    response = client.post(url, {"version": emploi.version})
    assert response.status_code == 400
    assert Axe.objects.filter(pk=emploi.pk).exists()


def test_a_stale_deletion_is_refused(client, staff, pacte):
    logement = Axe.objects.get(pacte=pacte, number=2)
    client.force_login(staff)
    client.post(reverse("axes:axe_edit", args=[logement.pk]), axe_data(logement, title="Habitat"))
    response = client.post(reverse("axes:axe_delete", args=[logement.pk]), {"version": 1})
    assert response.status_code == 409
    assert Axe.objects.filter(pk=logement.pk).exists()


def test_the_axes_of_a_closed_pacte_stay_as_they_are(client, staff, pacte):
    pacte.status = PacteStatus.CLOSED
    pacte.save()
    emploi = Axe.objects.get(pacte=pacte, number=1)
    client.force_login(staff)
    assert client.get(reverse("axes:axe_create", args=[pacte.slug])).status_code == 403
    assert client.post(reverse("axes:axe_edit", args=[emploi.pk]), axe_data(emploi, title="X")).status_code == 403
    assert client.post(reverse("axes:axe_delete", args=[emploi.pk]), {"version": 1}).status_code == 403
    plan = client.get(reverse("axes:plan", args=[pacte.slug])).content.decode()
    assert "Ce pacte est clos" in plan and "Ajouter un axe" not in plan
    assert titles(pacte) == [(1, "Emploi"), (2, "Logement"), (3, "Mobilité")]


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_referents_and_copil_members_may_not_touch_axes(client, request, role, pacte):
    emploi = Axe.objects.get(pacte=pacte, number=1)
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("axes:axe_create", args=[pacte.slug]), {"number": 1, "title": "X"}).status_code == 403
    assert client.post(reverse("axes:axe_edit", args=[emploi.pk]), axe_data(emploi, number=3)).status_code == 403
    assert client.post(reverse("axes:axe_delete", args=[emploi.pk]), {"version": 1}).status_code == 403
    assert client.get(reverse("axes:plan", args=[pacte.slug])).status_code == 403
    assert titles(pacte) == [(1, "Emploi"), (2, "Logement"), (3, "Mobilité")]


def test_a_deactivated_thematic_referent_is_kept_until_staff_remove_him(client, staff, pacte):
    emploi = Axe.objects.get(pacte=pacte, number=1)
    gone = UserFactory(username="parti", first_name="Paul", last_name="Parti", is_active=False)
    emploi.thematic_referents.add(gone)
    client.force_login(staff)
    page = client.get(reverse("axes:axe_edit", args=[emploi.pk])).content.decode()
    assert re.search(rf'<input[^>]*name="thematic_referents" value="{gone.pk}"[^>]* checked', page)
    assert "Paul Parti" in page

    response = client.post(reverse("axes:axe_edit", args=[emploi.pk]), axe_data(emploi, title="Emploi durable"))

    assert response.status_code == 302
    assert list(emploi.thematic_referents.all()) == [gone]
