"""The action's sheet by section: referents, partners with their roles, and the budget of each year. Staff edit
them; every save moves the action's version, so a stale save of any section is refused and shows what changed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import PartnerRole
from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from actions.models import ActionBudget, ActionPartner
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2022", first_year=2022, last_year=2025)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.4", referents=[referent])


def text(response):
    return response.content.decode().replace("&#x27;", "'")


# --- referents -----------------------------------------------------------------------------------------------


def test_staff_name_the_referents_of_an_action(client, staff, action, referent):
    other = UserFactory(username="ref-2", first_name="Paul", last_name="Aubert")
    url = reverse("actions:edit_referents", args=[action.pk])
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and "Paul Aubert" in text(page)

    response = client.post(url, {"version": 1, "referents": [other.pk]})

    assert response.status_code == 302
    action.refresh_from_db()
    assert list(action.referents.all()) == [other] and action.version == 2
    assert action.history.latest().history_user == staff


def test_a_copil_member_cannot_be_named_referent(client, staff, action):
    copil = UserFactory(username="copil-x", copil=True)
    client.force_login(staff)
    response = client.post(reverse("actions:edit_referents", args=[action.pk]), {"version": 1, "referents": [copil.pk]})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text(response)
    assert action.referents.count() == 1


def test_a_stale_referents_save_is_refused_with_the_other_persons_change(client, staff, action):
    client.force_login(staff)
    edit = client.post(
        reverse("actions:edit", args=[action.pk]),
        {
            "version": 1,
            "title": "Nouveau titre",
            "objectif": "",
            "description": "",
            "target_public": "",
            "start_date": "2022-01-01",
            "end_date": "2025-12-31",
            "priority": "normal",
            "status": "in_progress",
            "progress": 40,
        },
    )
    assert edit.status_code == 302
    response = client.post(reverse("actions:edit_referents", args=[action.pk]), {"version": 1, "referents": []})
    assert response.status_code == 409
    assert "Modification concurrente" in text(response) and "Nouveau titre" in text(response)
    assert action.referents.count() == 1


# --- partners ------------------------------------------------------------------------------------------------


def partners_data(version, rows, initial=0):
    data = {
        "version": version,
        "partenaires-TOTAL_FORMS": len(rows),
        "partenaires-INITIAL_FORMS": initial,
        "partenaires-MIN_NUM_FORMS": 0,
        "partenaires-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"partenaires-{index}-{name}"] = value
    return data


def test_staff_add_a_pilot_and_a_funder_with_its_amount(client, staff, action):
    france_travail = PartnerFactory(name="France Travail")
    caf = PartnerFactory(name="CAF de la Haute-Vienne")
    url = reverse("actions:edit_partners", args=[action.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        partners_data(
            1,
            [
                {"partner": france_travail.pk, "role": "pilot", "amount": ""},
                {"partner": caf.pk, "role": "funder", "amount": "25000"},
            ],
        ),
    )

    assert response.status_code == 302
    roles = {(r.partner.name, r.role, r.amount) for r in ActionPartner.objects.filter(action=action)}
    assert roles == {("France Travail", "pilot", None), ("CAF de la Haute-Vienne", "funder", Decimal("25000.00"))}
    action.refresh_from_db()
    assert action.version == 2
    page = text(client.get(action.get_absolute_url()))
    assert "CAF de la Haute-Vienne" in page and "25\xa0000,00&nbsp;€" in page


def test_staff_change_and_remove_partners_inline(client, staff, action):
    pilot = ActionPartnerFactory(action=action, partner=PartnerFactory(name="Mission locale"), role=PartnerRole.PILOT)
    funder = ActionPartnerFactory(action=action, partner=PartnerFactory(name="Région"), funder=True)
    client.force_login(staff)
    response = client.post(
        reverse("actions:edit_partners", args=[action.pk]),
        partners_data(
            1,
            [
                {"id": pilot.pk, "partner": pilot.partner_id, "role": "co_pilot", "amount": ""},
                {"id": funder.pk, "partner": funder.partner_id, "role": "funder", "amount": "10000", "DELETE": "on"},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302
    assert list(ActionPartner.objects.filter(action=action).values_list("partner__name", "role")) == [
        ("Mission locale", "co_pilot")
    ]
    history = text(client.get(reverse("actions:history", args=[action.pk])))
    assert "Partenaire « Région »" in history and "Partenaire « Mission locale »" in history


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"role": "funder", "amount": ""}, "Dites le montant qu'apporte ce financeur."),
        ({"role": "funder", "amount": "-5"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        ({"role": "pilot", "amount": "300"}, "Seul un financeur apporte un montant."),
        ({"role": "sponsor", "amount": ""}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_partner_rows_are_refused_next_to_the_field(client, staff, action, row, message):
    partner = PartnerFactory(name="Département")
    client.force_login(staff)
    response = client.post(
        reverse("actions:edit_partners", args=[action.pk]), partners_data(1, [{"partner": partner.pk, **row}])
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not ActionPartner.objects.exists()
    action.refresh_from_db()
    assert action.version == 1


def test_the_same_partner_twice_in_the_same_role_is_refused(client, staff, action):
    partner = PartnerFactory(name="Département")
    client.force_login(staff)
    rows = [{"partner": partner.pk, "role": "pilot", "amount": ""}] * 2
    response = client.post(reverse("actions:edit_partners", args=[action.pk]), partners_data(1, rows))
    assert response.status_code == 400
    assert "Un même partenaire figure deux fois avec le même rôle : gardez une seule ligne." in text(response)
    assert not ActionPartner.objects.exists()


def test_a_stale_partners_save_is_refused_and_shows_the_partner_added_meanwhile(client, staff, action):
    first, second = PartnerFactory(name="Pôle emploi"), PartnerFactory(name="APF France handicap")
    url = reverse("actions:edit_partners", args=[action.pk])
    client.force_login(staff)
    assert client.post(url, partners_data(1, [{"partner": first.pk, "role": "pilot", "amount": ""}])).status_code == 302
    response = client.post(url, partners_data(1, [{"partner": second.pk, "role": "operational", "amount": ""}]))
    assert response.status_code == 409
    assert "Partenaire « Pôle emploi »" in text(response)
    assert list(ActionPartner.objects.values_list("partner__name", flat=True)) == ["Pôle emploi"]


def test_a_missing_version_is_refused(client, staff, action):
    partner = PartnerFactory(name="Département")
    client.force_login(staff)
    data = partners_data(1, [{"partner": partner.pk, "role": "pilot", "amount": ""}])
    del data["version"]
    response = client.post(reverse("actions:edit_partners", args=[action.pk]), data)
    assert response.status_code == 400
    assert "le formulaire ne dit pas de quelle version de la fiche il part" in text(response)


# --- budget --------------------------------------------------------------------------------------------------


def budget_data(version, **years):
    data = {"version": version}
    for year in range(2022, 2026):
        planned, actual = years.get(f"y{year}", ("", ""))
        data[f"planned_{year}"], data[f"actual_{year}"] = planned, actual
    return data


def test_staff_set_the_planned_and_actual_budget_of_each_year(client, staff, action):
    ActionBudget.objects.create(action=action, year=2025, planned=Decimal("500"))
    url = reverse("actions:edit_budget", args=[action.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 200

    response = client.post(url, budget_data(1, y2023=("12000", "11500.50"), y2024=("15000", "")))

    assert response.status_code == 302
    assert list(ActionBudget.objects.filter(action=action).values_list("year", "planned", "actual")) == [
        (2023, Decimal("12000.00"), Decimal("11500.50")),
        (2024, Decimal("15000.00"), None),
    ]
    action.refresh_from_db()
    assert action.version == 2


def test_a_negative_amount_is_refused_next_to_the_field(client, staff, action):
    client.force_login(staff)
    response = client.post(reverse("actions:edit_budget", args=[action.pk]), budget_data(1, y2023=("-1", "")))
    assert response.status_code == 400
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in text(response)
    assert not ActionBudget.objects.exists()


def test_a_closed_years_budget_cannot_change(client, staff, action):
    ActionBudget.objects.create(action=action, year=2022, planned=Decimal("8000"))
    ClosedYear.objects.create(pacte=action.pacte, year=2022)
    url = reverse("actions:edit_budget", args=[action.pk])
    client.force_login(staff)
    page = text(client.get(url))
    assert "L'année 2022 est close" in page and "readonly" in page

    response = client.post(url, budget_data(1, y2022=("9000", ""), y2023=("100", "")))

    assert response.status_code == 400
    assert "Sa valeur ne peut plus changer." in text(response)
    assert list(ActionBudget.objects.values_list("year", "planned")) == [(2022, Decimal("8000.00"))]
    # Left as it was, the closed year does not keep the other years from being saved.
    assert client.post(url, budget_data(1, y2022=("8000", ""), y2023=("100", ""))).status_code == 302
    assert list(ActionBudget.objects.values_list("year", "planned")) == [
        (2022, Decimal("8000.00")),
        (2023, Decimal("100.00")),
    ]


# --- who may edit what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["actions:edit_referents", "actions:edit_partners", "actions:edit_budget"])
def test_staff_only_sections_are_refused_to_the_actions_own_referent_and_the_copil(
    client, referent, copil_member, action, route
):
    for user in (referent, copil_member):
        client.force_login(user)
        assert client.get(reverse(route, args=[action.pk])).status_code == 403
        assert client.post(reverse(route, args=[action.pk]), {"version": 1}).status_code == 403


def test_the_sheet_tabs_show_a_referent_only_what_he_may_edit(client, referent, staff, action):
    client.force_login(referent)
    page = text(client.get(reverse("actions:edit", args=[action.pk])))
    assert reverse("actions:edit_indicators", args=[action.pk]) in page
    assert reverse("actions:edit_budget", args=[action.pk]) not in page
    client.force_login(staff)
    page = text(client.get(reverse("actions:edit", args=[action.pk])))
    for route in ("actions:edit_referents", "actions:edit_partners", "actions:edit_budget"):
        assert reverse(route, args=[action.pk]) in page


# --- query counts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["actions:edit_referents", "actions:edit_partners", "actions:edit_budget"])
def test_section_pages_query_count_does_not_grow_with_the_data(client, staff, action, route):
    def grow(n):
        for i in range(n):
            partner = PartnerFactory(name=f"Partenaire {route} {n}-{i}")
            ActionPartnerFactory(action=action, partner=partner, role=PartnerRole.OPERATIONAL)
            UserFactory(username=f"ref-{n}-{i}")
            action.referents.add(UserFactory(username=f"named-{n}-{i}"))

    client.force_login(staff)
    url = reverse(route, args=[action.pk])
    grow(1)
    ActionBudget.objects.create(action=action, year=2022, planned=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(4)
    ActionBudget.objects.create(action=action, year=2023, planned=1)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)


def test_the_action_page_links_each_section_to_those_who_may_edit_it(client, referent, staff, action):
    client.force_login(staff)
    page = text(client.get(action.get_absolute_url()))
    assert "Renseigner le budget" in page and "Modifier les partenaires" in page
    assert "Modifier les indicateurs et leurs cibles" in page
    client.force_login(referent)
    page = text(client.get(action.get_absolute_url()))
    assert "Modifier les indicateurs et leurs cibles" in page
    assert "Renseigner le budget" not in page and "Modifier les partenaires" not in page


def test_a_stale_general_form_shows_the_budget_saved_meanwhile(client, staff, referent, action):
    client.force_login(staff)
    assert (
        client.post(reverse("actions:edit_budget", args=[action.pk]), budget_data(1, y2024=("7000", ""))).status_code
        == 302
    )
    client.force_login(referent)
    response = client.post(
        reverse("actions:edit", args=[action.pk]),
        {
            "version": 1,
            "title": "Titre du référent",
            "objectif": "",
            "description": "",
            "target_public": "",
            "start_date": "2022-01-01",
            "end_date": "2025-12-31",
            "priority": "normal",
            "status": "in_progress",
            "progress": 50,
        },
    )
    assert response.status_code == 409
    assert "Budget 2024" in text(response)
    action.refresh_from_db()
    assert action.title != "Titre du référent" and action.version == 2
