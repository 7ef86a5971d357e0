"""An agent records what became of a proposal of the Assises: the list and the form pass axe-core (the form with
its errors shown too), the refusal says why in French, and the list holds at 390 px without scrolling sideways."""

import pytest

from actions.factories import ActionFactory
from axes.factories import AxeFactory, MeetingFactory, PacteFactory, ProposalFactory, WorkingGroupFactory
from axes.models import Proposal
from pti.factories import UserFactory
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "mot-de-passe-des-assises"


@pytest.fixture
def assises():
    agent = UserFactory(username="agent-assises", staff=True)
    agent.set_password(PASSWORD)
    agent.save()
    pacte = PacteFactory(slug="pti-assises", title="PTI 2022-2025")
    axe = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    group = WorkingGroupFactory(axe=axe, title="Mieux orienter les personnes")
    MeetingFactory(group=group)
    action = ActionFactory(axe=axe, number="1.1", title="Plateforme d'orientation")
    kept = ProposalFactory(group=group, number=1, text="Raccourcir les délais d'orientation")
    action.assises_proposals.add(kept)
    prime = ProposalFactory(group=group, number=2, text="Une prime à l'embauche")
    action.assises_proposals.add(prime)
    return agent, prime


def test_an_agent_says_a_proposal_was_not_retained_and_why(page, live_server, assises):
    agent, prime = assises
    login(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server.url}/pactes/pti-assises/assises/")
    assert_accessible(page, "Assises : la liste")

    page.get_by_role("link", name="Modifier la proposition 1.2").click()
    page.get_by_label("Non retenue").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".invalid-feedback")
    assert "Dites pourquoi la proposition n'a pas été retenue." in page.content()
    assert_accessible(page, "Assises : la proposition avec ses erreurs")

    page.get_by_label("Motif").fill("Coût trop élevé pour un effet d'aubaine probable.")
    page.get_by_label("1.1 Plateforme d'orientation").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    prime.refresh_from_db()
    assert (prime.fate, prime.reason, prime.actions.count()) == (
        "not_retained",
        "Coût trop élevé pour un effet d'aubaine probable.",
        0,
    )
    assert page.locator(f"#proposition-{prime.pk}").inner_text().count("Non retenue") == 1
    assert Proposal.objects.get(number=1).actions.count() == 1

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
