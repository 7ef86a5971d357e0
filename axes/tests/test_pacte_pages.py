"""Staff create and edit a pacte in the application: the form, its French errors, the version check, history,
closing with confirmation and closed years kept."""

import datetime

import pytest
from django.urls import reverse

from axes.enums import PacteStatus
from axes.factories import PacteFactory
from axes.models import ClosedYear, Pacte

pytestmark = pytest.mark.django_db


def pacte_data(pacte=None, **overrides):
    data = {
        "title": pacte.title if pacte else "Pacte territorial d'insertion 2026-2030",
        "territory": pacte.territory if pacte else "Haute-Vienne",
        "first_year": pacte.first_year if pacte else 2026,
        "last_year": pacte.last_year if pacte else 2030,
        "signature_date": pacte.signature_date.isoformat() if pacte and pacte.signature_date else "2026-03-12",
        "status": pacte.status if pacte else PacteStatus.DRAFT,
        "description": pacte.description if pacte else "",
    }
    if pacte:
        data["version"] = pacte.version
    data.update(overrides)
    return data


def test_staff_create_a_pacte_and_land_on_its_axes(client, staff):
    client.force_login(staff)
    page = client.get(reverse("axes:pacte_create"))
    assert page.status_code == 200
    assert "Nouveau pacte" in page.content.decode()

    response = client.post(reverse("axes:pacte_create"), pacte_data())

    pacte = Pacte.objects.get()
    assert response.status_code == 302 and response["Location"] == "/pactes/pti-2026-2030/plan/"
    assert (pacte.slug, pacte.title, pacte.first_year, pacte.last_year) == (
        "pti-2026-2030",
        "Pacte territorial d'insertion 2026-2030",
        2026,
        2030,
    )
    assert pacte.signature_date == datetime.date(2026, 3, 12) and pacte.status == PacteStatus.DRAFT
    assert pacte.version == 1
    assert pacte.history.get().history_user == staff


def test_a_second_pacte_on_the_same_years_gets_its_own_identifier(client, staff):
    PacteFactory(slug="pti-2026-2030", first_year=2026, last_year=2030)
    client.force_login(staff)
    response = client.post(reverse("axes:pacte_create"), pacte_data(title="Avenant"))
    assert response["Location"] == "/pactes/pti-2026-2030-2/plan/"


def test_home_page_offers_a_new_pacte_to_staff_only(client, staff, referent):
    client.force_login(staff)
    assert "Nouveau pacte" in client.get("/").content.decode()
    client.force_login(referent)
    assert "Nouveau pacte" not in client.get("/").content.decode()


def test_a_new_pacte_cannot_be_created_closed(client, staff):
    client.force_login(staff)
    response = client.post(reverse("axes:pacte_create"), pacte_data(status=PacteStatus.CLOSED))
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Pacte.objects.exists()


def test_bad_input_is_refused_with_french_messages_next_to_the_fields(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("axes:pacte_create"),
        pacte_data(title="", first_year="deux mille", last_year="1999", signature_date="31/02/2026"),
    )
    assert response.status_code == 400
    content = response.content.decode().replace("&#x27;", "'")
    assert "Le formulaire contient des erreurs : rien n'a été enregistré." in content
    assert "Ce champ est obligatoire." in content
    assert "Donnez une année, par exemple 2026." in content
    assert "L'année va de 2000 à 2100." in content
    assert "Donnez une date, par exemple 01/03/2026." in content
    assert not Pacte.objects.exists()


def test_last_year_before_first_year_is_refused(client, staff):
    client.force_login(staff)
    response = client.post(reverse("axes:pacte_create"), pacte_data(first_year=2030, last_year=2026))
    assert response.status_code == 400
    assert "La dernière année doit être postérieure ou égale à la première." in response.content.decode()


def test_staff_edit_a_pacte_from_its_page(client, staff):
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", status=PacteStatus.DRAFT)
    client.force_login(staff)
    detail = client.get(pacte.get_absolute_url()).content.decode()
    assert 'href="/pactes/pti-2022-2025/modifier/"' in detail and "Modifier le pacte" in detail

    response = client.post(
        reverse("axes:pacte_edit", args=[pacte.slug]),
        pacte_data(pacte, title="PTI 2022-2026", last_year=2026, status=PacteStatus.ACTIVE),
    )

    assert response.status_code == 302 and response["Location"] == "/pactes/pti-2022-2025/"
    pacte.refresh_from_db()
    assert (pacte.title, pacte.last_year, pacte.status, pacte.version) == ("PTI 2022-2026", 2026, "active", 2)
    assert pacte.history.latest().history_user == staff


def test_a_stale_save_is_refused_with_the_other_persons_changes(client, staff, administrator):
    pacte = PacteFactory(slug="pti-x", title="PTI", territory="Haute-Vienne")
    stale = pacte_data(pacte)
    client.force_login(administrator)
    assert (
        client.post(reverse("axes:pacte_edit", args=[pacte.slug]), pacte_data(pacte, title="PTI révisé")).status_code
        == 302
    )

    client.force_login(staff)
    response = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), {**stale, "territory": "Limoges"})

    assert response.status_code == 409
    content = response.content.decode()
    assert "Modification concurrente" in content and str(administrator) in content
    assert "Intitulé" in content and "PTI révisé" in content
    pacte.refresh_from_db()
    assert (pacte.title, pacte.territory, pacte.version) == ("PTI révisé", "Haute-Vienne", 2)


def test_a_save_without_version_is_refused(client, staff):
    pacte = PacteFactory(slug="pti-x")
    data = pacte_data(pacte, title="Autre")
    del data["version"]
    client.force_login(staff)
    response = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), data)
    assert response.status_code == 400
    assert "le formulaire ne dit pas de quelle version de la fiche il part" in response.content.decode()
    pacte.refresh_from_db()
    assert pacte.title != "Autre"


def test_closing_a_pacte_asks_first_then_closes_it(client, staff):
    pacte = PacteFactory(slug="pti-x", title="PTI 2017-2021", status=PacteStatus.ACTIVE)
    client.force_login(staff)
    url = reverse("axes:pacte_edit", args=[pacte.slug])

    asked = client.post(url, pacte_data(pacte, status=PacteStatus.CLOSED))
    assert asked.status_code == 200
    assert "Clore le pacte ?" in asked.content.decode()
    pacte.refresh_from_db()
    assert pacte.status == PacteStatus.ACTIVE

    done = client.post(url, {**pacte_data(pacte, status=PacteStatus.CLOSED), "confirmed": "1"})
    assert done.status_code == 302
    pacte.refresh_from_db()
    assert pacte.status == PacteStatus.CLOSED


def test_a_closed_pacte_is_not_edited(client, staff):
    pacte = PacteFactory(slug="pti-x", status=PacteStatus.CLOSED, title="PTI clos")
    client.force_login(staff)
    url = reverse("axes:pacte_edit", args=[pacte.slug])
    assert client.get(url).status_code == 403
    response = client.post(url, pacte_data(pacte, title="Rouvert", status=PacteStatus.ACTIVE))
    assert response.status_code == 403
    assert "Ce pacte est clos : son plan (le pacte, ses axes et ses objectifs) ne peut plus être modifié." in (
        response.content.decode().replace("&#x27;", "'")
    )
    pacte.refresh_from_db()
    assert (pacte.title, pacte.status) == ("PTI clos", PacteStatus.CLOSED)


def test_closed_years_stay_in_the_pacte(client, staff):
    pacte = PacteFactory(slug="pti-x", first_year=2022, last_year=2025)
    ClosedYear.objects.create(pacte=pacte, year=2022)
    ClosedYear.objects.create(pacte=pacte, year=2023)
    client.force_login(staff)

    response = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), pacte_data(pacte, first_year=2024))

    assert response.status_code == 400
    assert (
        "Les années 2022, 2023 sont closes (leurs bilans sont approuvés) : elles doivent rester dans les années du pacte."
        in response.content.decode().replace("&#x27;", "'")
    )
    pacte.refresh_from_db()
    assert pacte.first_year == 2022


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_referents_and_copil_members_may_not_create_or_edit_pactes(client, request, role):
    pacte = PacteFactory(slug="pti-x", title="PTI")
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("axes:pacte_create")).status_code == 403
    assert client.post(reverse("axes:pacte_create"), pacte_data()).status_code == 403
    assert client.post(reverse("axes:pacte_edit", args=[pacte.slug]), pacte_data(pacte, title="Non")).status_code == 403
    assert Pacte.objects.get().title == "PTI"
    assert "Modifier le pacte" not in client.get(pacte.get_absolute_url()).content.decode()


def test_years_that_hold_reports_or_budgets_stay_in_the_pacte(client, staff):
    from actions.factories import ActionFactory, ProgressReportFactory
    from actions.models import ActionBudget
    from axes.factories import AxeFactory

    pacte = PacteFactory(slug="pti-x", first_year=2022, last_year=2026)
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1")
    ProgressReportFactory(action=action, year=2025)
    ActionBudget.objects.create(action=action, year=2026, planned=1000)
    client.force_login(staff)

    response = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), pacte_data(pacte, last_year=2024))

    assert response.status_code == 400
    assert (
        "Les actions du pacte ont des comptes rendus, des indicateurs ou des budgets pour 2025, 2026 : ces années "
        "doivent rester dans les années du pacte." in response.content.decode().replace("&#x27;", "'")
    )
    pacte.refresh_from_db()
    assert pacte.last_year == 2026
    ok = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), pacte_data(pacte, first_year=2023))
    assert ok.status_code == 302
