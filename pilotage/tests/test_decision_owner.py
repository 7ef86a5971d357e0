"""The owner of a COPIL decision updates its follow-up and closes it himself, from /mes-actions/ or /decisions/;
he changes nothing else of it; another referent is refused; staff keep editing everything from /decisions/."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.factories import ActionFactory
from axes.factories import PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory
from pti import access
from pti.factories import UserFactory
from pti.formats import long_date

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MY_ACTIONS = reverse("actions:my_actions")
DECISIONS = reverse("pilotage:decision_list")


@pytest.fixture
def copil():
    pacte = PacteFactory(slug="pti-suivi", first_year=2022, last_year=2025)
    ActionFactory(axe__pacte=pacte, number="1.1", title="Plateforme d'orientation")
    return CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))


@pytest.fixture
def decision(copil, referent):
    return DecisionFactory(
        copil=copil,
        text="Ouvrir une antenne à Saint-Junien",
        owner=referent,
        due_date=datetime.date(2025, 6, 30),
        follow_up="",
    )


def follow_up_url(decision, next_page=None):
    url = reverse("pilotage:decision_follow_up", args=[decision.pk])
    return f"{url}?next={next_page}" if next_page else url


def text(response):
    return html.unescape(response.content.decode())


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def test_the_access_rule_lets_the_owner_and_staff_follow_a_decision_up(decision, referent, staff, copil_member):
    other = UserFactory(username="autre-referent")
    assert access.can_follow_up_decision(referent, decision)
    assert access.can_follow_up_decision(staff, decision)
    assert not access.can_follow_up_decision(other, decision)
    assert not access.can_follow_up_decision(copil_member, decision)
    assert not access.can_follow_up_decision(other, DecisionFactory(copil=decision.copil, owner=None))
    referent.is_active = False
    assert not access.can_follow_up_decision(referent, decision)
    # The rest of the decision stays staff's.
    assert not access.can_manage_pilotage(UserFactory(username="referent"))


def test_my_actions_shows_a_follow_up_form_for_each_open_decision_of_mine(client, referent, decision):
    client.force_login(referent)
    response = client.get(MY_ACTIONS)
    content = text(response)
    assert "Mettre à jour le suivi ou clore la décision" in content
    assert f'action="{reverse("pilotage:decision_follow_up", args=[decision.pk])}"' in content
    assert 'name="next" value="mes-actions"' in content
    assert f'id="suivi-{decision.pk}-follow_up"' in content
    assert f'name="version" value="{decision.version}"' in content


def test_owner_updates_the_follow_up_from_my_actions_without_confirmation(client, referent, decision):
    client.force_login(referent)
    response = client.post(
        follow_up_url(decision),
        {
            "version": 1,
            "status": DecisionStatus.OPEN,
            "follow_up": "Local trouvé, bail en signature.",
            "next": "mes-actions",
        },
    )
    assert response.status_code == 302 and response["Location"] == MY_ACTIONS
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version, decision.closed_on) == (
        "open",
        "Local trouvé, bail en signature.",
        2,
        None,
    )
    assert decision.history.latest().history_user == referent
    page = text(client.get(MY_ACTIONS))
    assert "Le suivi de la décision a été enregistré." in page
    assert "Local trouvé, bail en signature." in page


def test_owner_closes_his_decision_from_my_actions_after_the_confirmation(client, referent, decision):
    client.force_login(referent)
    data = {
        "version": 1,
        "status": DecisionStatus.DONE,
        "follow_up": "Antenne ouverte le 2 mai.",
        "next": "mes-actions",
    }
    asked = client.post(follow_up_url(decision), data)
    assert asked.status_code == 200
    page = text(asked)
    assert "Clore la décision ?" in page and "« réalisée »" in page and "sortira des décisions ouvertes" in page
    assert "Suivi : Antenne ouverte le 2 mai." in page
    assert f'href="{MY_ACTIONS}"' in page  # "Annuler" goes back where he came from
    decision.refresh_from_db()
    assert (decision.status, decision.version, decision.closed_on) == ("open", 1, None)

    response = client.post(follow_up_url(decision), {**data, "confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == MY_ACTIONS
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version) == ("done", "Antenne ouverte le 2 mai.", 2)
    assert decision.closed_on == TODAY
    assert decision.history.latest().history_user == referent
    after = text(client.get(MY_ACTIONS))
    assert "La décision est close (réalisée) ; sa date de clôture est enregistrée." in after
    assert "Ouvrir une antenne à Saint-Junien" not in after  # no longer among his open decisions
    listing = visible(client.get(DECISIONS + "?statut=toutes"))
    assert "Réalisée le " + long_date(TODAY) in listing


def test_owner_closes_his_decision_from_the_decisions_list(client, referent, decision):
    client.force_login(referent)
    listing = text(client.get(DECISIONS))
    link = follow_up_url(decision, "decisions")
    assert f'href="{link}"' in listing.replace("&amp;", "&")
    assert "Mettre à jour le suivi" in listing
    assert reverse("pilotage:decision_edit", args=[decision.pk]) not in listing

    form_page = client.get(link)
    assert form_page.status_code == 200
    content = text(form_page)
    assert "Ouvrir une antenne à Saint-Junien" in content and 'name="next" value="decisions"' in content
    assert 'name="text"' not in content and 'name="owner"' not in content and 'name="due_date"' not in content

    data = {
        "version": 1,
        "status": DecisionStatus.DROPPED,
        "follow_up": "Pas de local disponible.",
        "next": "decisions",
    }
    assert client.post(follow_up_url(decision), data).status_code == 200  # the confirmation first
    response = client.post(follow_up_url(decision), {**data, "confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == DECISIONS
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.closed_on) == ("dropped", "Pas de local disponible.", TODAY)
    assert decision.history.latest().history_user == referent
    assert "La décision est close (abandonnée)" in text(client.get(DECISIONS))


def test_owner_cannot_change_the_text_owner_or_due_date(client, referent, decision, staff):
    client.force_login(referent)
    response = client.post(
        follow_up_url(decision),
        {
            "version": 1,
            "status": DecisionStatus.OPEN,
            "follow_up": "Point fait.",
            "text": "Décision réécrite",
            "owner": staff.pk,
            "due_date": "2030-01-01",
            "action": "",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.text == "Ouvrir une antenne à Saint-Junien"
    assert (decision.owner, decision.due_date, decision.follow_up) == (
        referent,
        datetime.date(2025, 6, 30),
        "Point fait.",
    )
    # And the full edit form stays staff's.
    assert client.get(reverse("pilotage:decision_edit", args=[decision.pk])).status_code == 403
    assert (
        client.post(
            reverse("pilotage:decision_edit", args=[decision.pk]),
            {"version": 2, "text": "Décision réécrite", "status": DecisionStatus.OPEN},
        ).status_code
        == 403
    )
    decision.refresh_from_db()
    assert decision.text == "Ouvrir une antenne à Saint-Junien"


@pytest.mark.parametrize("role", ["other_referent", "copil_member"])
def test_someone_else_than_the_owner_is_refused_and_nothing_changes(client, request, decision, role):
    user = UserFactory(username="autre-referent") if role == "other_referent" else request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(follow_up_url(decision)).status_code == 403
    data = {"version": 1, "status": DecisionStatus.DONE, "follow_up": "Pas moi.", "confirmed": "1"}
    assert client.post(follow_up_url(decision), data).status_code == 403
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version, decision.closed_on) == ("open", "", 1, None)
    assert "Mettre à jour le suivi" not in text(client.get(DECISIONS))


def test_an_unknown_decision_is_a_404(client, referent):
    client.force_login(referent)
    assert client.get(reverse("pilotage:decision_follow_up", args=[999999])).status_code == 404


def test_a_stale_follow_up_is_a_conflict_showing_the_other_change(client, referent, decision):
    agent = UserFactory(username="agent-suivi", staff=True)
    client.force_login(agent)
    assert (
        client.post(
            follow_up_url(decision), {"version": 1, "status": DecisionStatus.OPEN, "follow_up": "Relancé par l'agent."}
        ).status_code
        == 302
    )
    client.force_login(referent)
    response = client.post(
        follow_up_url(decision), {"version": 1, "status": DecisionStatus.DONE, "follow_up": "Fait.", "confirmed": "1"}
    )
    assert response.status_code == 409
    content = text(response)
    assert "Modification concurrente" in content and str(agent) in content and "Relancé par l'agent." in content
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version) == ("open", "Relancé par l'agent.", 2)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"version": 1, "status": "oubliee", "follow_up": ""}, "Sélectionnez un choix valide."),
        ({"version": 1, "status": DecisionStatus.OPEN, "follow_up": "x" * 20_000}, "au plus 10000 caractères"),
        ({"status": DecisionStatus.OPEN, "follow_up": "Sans version"}, "ne dit pas de quelle version"),
    ],
    ids=["unknown_status", "long_follow_up", "no_version"],
)
def test_bad_follow_up_input_is_refused_with_a_french_message(client, referent, decision, data, message):
    client.force_login(referent)
    response = client.post(follow_up_url(decision), data)
    assert response.status_code == 400
    content = text(response)
    assert message in content and "rien n'a été enregistré" in content
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version) == ("open", "", 1)


def test_staff_see_edit_links_on_the_decisions_list(client, staff, decision):
    client.force_login(staff)
    listing = text(client.get(DECISIONS)).replace("&amp;", "&")
    assert f'href="{reverse("pilotage:decision_edit", args=[decision.pk])}?next=decisions"' in listing
    assert "Mettre à jour le suivi" not in listing  # staff edit the whole decision


def test_staff_may_use_the_follow_up_form_too(client, staff, decision):
    client.force_login(staff)
    response = client.post(follow_up_url(decision), {"version": 1, "status": DecisionStatus.OPEN, "follow_up": "Vu."})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.follow_up, decision.history.latest().history_user) == ("Vu.", staff)


def test_a_reader_without_decisions_of_his_own_sees_no_action_column(client, copil_member, decision):
    client.force_login(copil_member)
    content = text(client.get(DECISIONS))
    assert "Ouvrir une antenne à Saint-Junien" in content
    assert "Mettre à jour le suivi" not in content and ">Modifier<" not in content


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_owner_pages_run_the_same_number_of_queries_whatever_the_number_of_decisions(
    client, referent, decision, copil
):
    client.force_login(referent)
    first = (count_queries(client, MY_ACTIONS), count_queries(client, DECISIONS))
    for i in range(12):
        DecisionFactory(copil=CopilFactory(pacte=copil.pacte), owner=referent, text=f"Décision {i}")
        DecisionFactory(copil=copil, owner=UserFactory(username=f"autre-{i}"), text=f"Autre {i}")
    assert (count_queries(client, MY_ACTIONS), count_queries(client, DECISIONS)) == first
