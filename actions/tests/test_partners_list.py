"""The partners' directory (/partenaires/): kinds, contacts, action counts and funded amounts, filters by kind and
pacte, search by name, pagination, and a query count that does not grow with the data."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import PartnerKind, PartnerRole
from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    old = PacteFactory(slug="pti-2017-2021", title="PTI 2017-2021", first_year=2017, last_year=2021)
    new = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    old_action = ActionFactory(axe=AxeFactory(pacte=old, number=1), number="1.1")
    new_axe = AxeFactory(pacte=new, number=1)
    new_actions = [ActionFactory(axe=new_axe, number=f"1.{i}") for i in (1, 2)]
    france_travail = PartnerFactory(
        name="France Travail",
        kind=PartnerKind.INSTITUTIONAL,
        contact_name="Claire Martin",
        email="claire.martin@francetravail.example",
        phone="05 55 00 00 00",
    )
    ActionPartnerFactory(action=old_action, partner=france_travail, role=PartnerRole.FUNDER, amount=Decimal("1000"))
    ActionPartnerFactory(
        action=new_actions[0], partner=france_travail, role=PartnerRole.FUNDER, amount=Decimal("2500.50")
    )
    ActionPartnerFactory(action=new_actions[0], partner=france_travail, role=PartnerRole.PILOT)
    ActionPartnerFactory(action=new_actions[1], partner=france_travail, role=PartnerRole.OPERATIONAL)
    chambre = PartnerFactory(name="Chambre de métiers", kind=PartnerKind.CONSULAR)
    ActionPartnerFactory(action=old_action, partner=chambre, role=PartnerRole.CO_PILOT)
    PartnerFactory(name="Régie de quartier", kind=PartnerKind.SIAE)
    return old, new


def rows(response):
    """The table's rows as text, cell by cell."""
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [
        [html.unescape(re.sub(r"<[^>]+>", " ", cell)).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def names(response):
    return [" ".join(row[0]) for row in rows(response)]


def test_the_list_shows_each_partner_with_kind_contact_actions_and_funded_amount(client, referent, directory):
    client.force_login(referent)
    response = client.get(reverse("partners:list"))
    assert response.status_code == 200
    assert names(response) == ["Chambre de métiers", "France Travail", "Régie de quartier"]
    france = rows(response)[1]
    assert " ".join(france[1]) == "Institutionnel"
    assert "Claire Martin" in " ".join(france[2]) and "claire.martin@francetravail.example" in " ".join(france[2])
    assert france[3] == ["3"]  # three actions, the pilot and funder roles on 1.1 counting once
    assert " ".join(france[4]) == "3 500,50 €"
    assert " ".join(rows(response)[2][4]) == "—"
    assert "3 partenaires trouvés" in response.content.decode()


def test_the_kind_filter_keeps_the_partners_of_that_kind(client, referent, directory):
    client.force_login(referent)
    response = client.get(reverse("partners:list"), {"type": PartnerKind.SIAE})
    assert names(response) == ["Régie de quartier"]
    assert " ".join(rows(response)[0][1]) == "Structure d'insertion par l'activité économique (SIAE)"


def test_the_pacte_filter_keeps_its_partners_and_counts_within_it(client, referent, directory):
    client.force_login(referent)
    response = client.get(reverse("partners:list"), {"pacte": "pti-2022-2025"})
    assert names(response) == ["France Travail"]
    assert rows(response)[0][3] == ["2"]
    assert " ".join(rows(response)[0][4]) == "2 500,50 €"
    old = client.get(reverse("partners:list"), {"pacte": "pti-2017-2021"})
    assert names(old) == ["Chambre de métiers", "France Travail"]
    assert " ".join(rows(old)[1][4]) == "1 000,00 €"


def test_the_search_finds_a_partner_by_part_of_its_name_whatever_the_case(client, referent, directory):
    client.force_login(referent)
    assert names(client.get(reverse("partners:list"), {"q": "travail"})) == ["France Travail"]
    assert names(client.get(reverse("partners:list"), {"q": "claire"})) == ["France Travail"]
    nothing = client.get(reverse("partners:list"), {"q": "introuvable"})
    assert "Aucun partenaire ne correspond à ces filtres." in nothing.content.decode()


def test_an_unknown_kind_or_pacte_is_shown_as_a_field_error_not_a_crash(client, referent, directory):
    client.force_login(referent)
    response = client.get(reverse("partners:list"), {"type": "inconnu", "pacte": "nulle-part", "page": "abc"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_list_is_paginated_by_25(client, referent):
    for i in range(30):
        PartnerFactory(name=f"Association {i:02d}")
    client.force_login(referent)
    first = client.get(reverse("partners:list"))
    assert len(rows(first)) == 25
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(reverse("partners:list"), {"page": 2})
    assert names(second) == [f"Association {i}" for i in range(25, 30)]


def test_the_navigation_links_to_the_directory(client, referent):
    client.force_login(referent)
    response = client.get(reverse("home"))
    assert '<a class="nav-link" href="/partenaires/">Partenaires</a>' in response.content.decode()


def test_only_staff_see_the_create_and_merge_buttons(client, referent, staff):
    client.force_login(referent)
    assert "Nouveau partenaire" not in client.get(reverse("partners:list")).content.decode()
    client.force_login(staff)
    page = client.get(reverse("partners:list")).content.decode()
    assert "Nouveau partenaire" in page and "Fusionner des doublons" in page


def populate(axe_number, n):
    """n economic partners, each funding two actions of the pacte « pti-charge » and operating on a third."""
    axe = AxeFactory(pacte=PacteFactory(slug="pti-charge"), number=axe_number)
    for i in range(n):
        partner = PartnerFactory(name=f"Partenaire chargé {axe_number}-{i:03d}", kind=PartnerKind.ECONOMIC)
        ActionPartnerFactory(action=ActionFactory(axe=axe), partner=partner, funder=True)
        ActionPartnerFactory(action=ActionFactory(axe=axe), partner=partner, funder=True)
        ActionPartnerFactory(action=ActionFactory(axe=axe), partner=partner)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        response.getvalue()  # an export reads its rows while it is sent
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/partenaires/",
        "/partenaires/?type=economic&pacte=pti-charge&q=charg",
        "/partenaires/export.csv?pacte=pti-charge",
        "/partenaires/export.xlsx",
    ],
)
def test_the_query_count_does_not_grow_with_the_data(client, referent, url):
    client.force_login(referent)
    populate(1, 3)
    small = count_queries(client, url)
    populate(2, 30)
    assert count_queries(client, url) == small
    assert small <= 8
