"""A partner's page: its contact, the actions it takes part in with its role, by pacte, and what it funds."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import PartnerKind, PartnerRole
from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from actions.models import Action
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def partner():
    old = PacteFactory(slug="pti-2017-2021", title="PTI 2017-2021", first_year=2017, last_year=2021)
    new = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    old_action = ActionFactory(axe=AxeFactory(pacte=old, number=1), number="1.4", title="Clauses sociales")
    axe = AxeFactory(pacte=new, number=2)
    first = ActionFactory(axe=axe, number="2.1", title="Accompagnement global")
    second = ActionFactory(axe=axe, number="2.10", title="Mobilité solidaire")
    partner = PartnerFactory(
        name="France Travail",
        kind=PartnerKind.INSTITUTIONAL,
        contact_name="Claire Martin",
        email="claire.martin@francetravail.example",
        phone="05 55 00 00 00",
        website="https://www.francetravail.fr",
    )
    ActionPartnerFactory(action=old_action, partner=partner, role=PartnerRole.FUNDER, amount=Decimal("1000"))
    ActionPartnerFactory(action=first, partner=partner, role=PartnerRole.PILOT)
    ActionPartnerFactory(action=first, partner=partner, role=PartnerRole.FUNDER, amount=Decimal("20000"))
    ActionPartnerFactory(action=second, partner=partner, role=PartnerRole.FUNDER, amount=Decimal("5000.25"))
    return partner


def test_the_page_shows_the_contact(client, copil_member, partner):
    client.force_login(copil_member)
    response = client.get(reverse("partners:detail", args=[partner.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Contact Claire Martin" in page
    assert "E-mail claire.martin@francetravail.example" in page
    assert "Téléphone 05 55 00 00 00" in page
    assert "Site internet https://www.francetravail.fr" in page
    assert "Institutionnel" in page


def test_the_page_lists_the_actions_with_the_role_by_pacte_and_the_amounts(client, referent, partner):
    client.force_login(referent)
    page = text(client.get(reverse("partners:detail", args=[partner.pk])))
    assert "Prend part à 3 actions. Montants financés, tous pactes : 26 000,25 €." in page
    newest, oldest = page.index("pacte PTI 2022-2025 N°"), page.index("pacte PTI 2017-2021 N°")
    assert newest < oldest
    assert (
        "Rôles dans les actions du pacte PTI 2022-2025 N° Action Rôle Montant "
        "2.1 Accompagnement global Pilote — "
        "2.1 Accompagnement global Financeur 20 000,00 € "
        "2.10 Mobilité solidaire Financeur 5 000,25 € "
        "Total financé dans ce pacte 25 000,25 €"
    ) in page
    assert "PTI 2017-2021 N° Action Rôle Montant 1.4 Clauses sociales Financeur 1 000,00 €" in page


def test_a_partner_without_actions_says_so(client, referent):
    lonely = PartnerFactory(name="Régie de quartier", kind=PartnerKind.SIAE)
    client.force_login(referent)
    page = text(client.get(reverse("partners:detail", args=[lonely.pk])))
    assert "Ce partenaire ne prend part à aucune action pour l’instant." in page
    assert "Prend part à" not in page


def test_an_unknown_partner_is_a_404(client, referent):
    client.force_login(referent)
    assert client.get(reverse("partners:detail", args=[999999])).status_code == 404


def test_the_edit_buttons_are_for_staff(client, referent, staff, partner):
    url = reverse("partners:detail", args=[partner.pk])
    client.force_login(referent)
    assert "Modifier le partenaire" not in text(client.get(url))
    client.force_login(staff)
    assert "Modifier le partenaire" in text(client.get(url))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_actions(client, referent, partner):
    client.force_login(referent)
    url = reverse("partners:detail", args=[partner.pk])
    small = count_queries(client, url)
    for number in range(3, 30):
        pacte = PacteFactory(slug=f"pti-{number}", first_year=2022, last_year=2025)
        ActionPartnerFactory(action=ActionFactory(axe=AxeFactory(pacte=pacte, number=1)), partner=partner, funder=True)
    # At most: the history reads only the sources that have a row on the page (here the links' alone, now).
    assert count_queries(client, url) <= small


def test_the_history_lists_the_links_and_survives_a_deleted_action(client, referent, partner):
    ActionPartnerFactory(action=ActionFactory(number="9.9"), partner=partner, role=PartnerRole.OPERATIONAL)
    Action.objects.get(number="9.9").delete()
    client.force_login(referent)
    response = client.get(reverse("partners:detail", args=[partner.pk]))
    assert response.status_code == 200
    page = text(response)
    history = page[page.index("Qui a modifié quoi, et quand Date Par Objet Modification") :]
    assert "— Action supprimée Effacé" in history
    assert "— Action 2.10 Création" in history
    assert "— Fiche du partenaire Création" in history
