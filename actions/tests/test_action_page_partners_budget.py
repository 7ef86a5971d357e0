"""The action's page writes its partners and budget as the rest of the site does: a partner's type capitalised like
its role (as in the partners' directory), and amounts kept on one line with their euro sign."""

from decimal import Decimal

import pytest

from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from actions.models import ActionBudget
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


def test_action_page_capitalises_the_partner_type_and_binds_euros_to_their_amount(client, staff):
    pacte = PacteFactory(slug="pti-2026", first_year=2026, last_year=2030)
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=2), number="2.1")
    ActionPartnerFactory(
        action=action, partner=PartnerFactory(name="Conseil régional", kind="institutional"), funder=True
    )
    ActionPartnerFactory(action=action, partner=PartnerFactory(name="Mission locale", kind="associative"))
    ActionBudget.objects.create(action=action, year=2026, planned=Decimal("120000"), actual=Decimal("98500.40"))
    client.force_login(staff)

    response = client.get(action.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "<tr><td>Conseil régional</td><td>Institutionnel</td><td>Financeur</td>"
        '<td class="text-end">10\xa0000,00&nbsp;€</td></tr>'
    ) in content
    assert (
        '<tr><td>Mission locale</td><td>Associatif</td><td>Partenaire opérationnel</td><td class="text-end"></td></tr>'
    ) in content
    assert (
        '<tr><th scope="row">2026</th><td class="text-end">120\xa0000,00&nbsp;€</td>'
        '<td class="text-end">98\xa0500,40&nbsp;€</td></tr>'
    ) in content
