"""Decisions: staff record and follow them up; bad input is refused next to its field; a stale save is a conflict;
the list shows open decisions across COPILs, late ones first; the owner sees his on /mes-actions/."""

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
from pilotage.models import Decision
from pti.factories import UserFactory
from pti.formats import long_date

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def copil():
    pacte = PacteFactory(slug="pti-decisions", first_year=2022, last_year=2025)
    ActionFactory(axe__pacte=pacte, number="1.1", title="Plateforme d'orientation")
    return CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))


def decision_data(**overrides):
    data = {
        "version": 0,
        "text": "Étendre la plateforme au sud du département",
        "action": "",
        "owner": "",
        "due_date": "2025-06-30",
        "status": DecisionStatus.OPEN,
        "follow_up": "",
    }
    data.update(overrides)
    return data


def text(response):
    return html.unescape(response.content.decode())


def test_staff_record_a_decision_linked_to_an_action_with_an_owner(client, staff, referent, copil):
    action = copil.pacte.actions.get()
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:decision_create", args=[copil.pk]),
        decision_data(action=action.pk, owner=referent.pk, follow_up="Réunion de lancement en janvier."),
    )
    assert response.status_code == 302 and response["Location"] == reverse("pilotage:copil_detail", args=[copil.pk])
    decision = Decision.objects.get()
    assert (decision.copil, decision.action, decision.owner) == (copil, action, referent)
    assert decision.due_date == datetime.date(2025, 6, 30) and decision.status == "open"
    page = text(client.get(response["Location"]))
    assert "Étendre la plateforme au sud du département" in page
    assert "Réunion de lancement en janvier." in page and str(referent) in page
    assert "La décision a été enregistrée." in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"action": "999999"}, "action", "Sélectionnez un choix valide"),
        ({"owner": "999999"}, "owner", "Sélectionnez un choix valide"),
        ({"text": "x" * 20_000}, "text", "au plus 10000 caractères"),
        ({"follow_up": "x" * 20_000}, "follow_up", "au plus 10000 caractères"),
        ({"text": ""}, "text", "Ce champ est obligatoire."),
        ({"due_date": "2024-11-01"}, "due_date", "L'échéance ne peut pas précéder le COPIL qui a pris la décision"),
        ({"due_date": "31/02/2025"}, "due_date", "Saisissez une date valide."),
        ({"status": "oubliee"}, "status", "Sélectionnez un choix valide. oubliee n’en fait pas partie."),
    ],
    ids=[
        "unknown_action",
        "unknown_owner",
        "long_text",
        "long_follow_up",
        "no_text",
        "due_before_copil",
        "bad_date",
        "unknown_status",
    ],
)
def test_bad_decision_input_is_refused_next_to_its_field_and_nothing_is_saved(
    client, staff, copil, overrides, field, message
):
    client.force_login(staff)
    response = client.post(reverse("pilotage:decision_create", args=[copil.pk]), decision_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    content = text(response)
    assert message in content and "rien n'a été enregistré" in content
    assert not Decision.objects.exists()


def test_a_decision_cannot_be_linked_to_an_action_of_another_pacte(client, staff, copil):
    other = ActionFactory(axe__pacte=PacteFactory(slug="autre-pacte"))
    client.force_login(staff)
    response = client.post(reverse("pilotage:decision_create", args=[copil.pk]), decision_data(action=other.pk))
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text(response)
    assert not Decision.objects.exists()
    form = client.get(reverse("pilotage:decision_create", args=[copil.pk])).context["form"]
    assert other not in form.fields["action"].queryset


def test_bad_input_on_edit_changes_nothing(client, staff, copil):
    decision = DecisionFactory(copil=copil, text="Texte d'origine")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:decision_edit", args=[decision.pk]),
        decision_data(version=1, text="Nouveau texte", status="inconnu"),
    )
    assert response.status_code == 400
    decision.refresh_from_db()
    assert (decision.text, decision.status, decision.version) == ("Texte d'origine", "open", 1)


def test_staff_follow_a_decision_up_and_close_it(client, staff, copil):
    decision = DecisionFactory(copil=copil, text="Installer le conseil des usagers")
    client.force_login(staff)
    target = reverse("pilotage:decision_edit", args=[decision.pk])
    data = decision_data(
        version=1, text=decision.text, status=DecisionStatus.DONE, follow_up="Première réunion le 15 juin."
    )
    asked = client.post(target, data)
    # Closing asks once, saying what it does; nothing is written before the confirmation.
    assert asked.status_code == 200
    page = text(asked)
    assert "Clore la décision ?" in page and "sortira des décisions ouvertes" in page and "« réalisée »" in page
    decision.refresh_from_db()
    assert (decision.status, decision.version, decision.closed_on) == ("open", 1, None)

    response = client.post(target, {**data, "confirmed": "1"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version) == ("done", "Première réunion le 15 juin.", 2)
    assert decision.closed_on == datetime.date.today()
    assert decision.history.latest().history_user == staff
    listing = re.sub(r"<[^>]+>", "", text(client.get(reverse("pilotage:copil_detail", args=[copil.pk]))))
    assert "Réalisée le " + long_date(datetime.date.today()) in listing


def test_reopening_a_decision_forgets_its_closure_date(client, staff, copil):
    decision = DecisionFactory(copil=copil, status=DecisionStatus.DONE, closed_on=datetime.date(2024, 3, 1))
    client.force_login(staff)
    target = reverse("pilotage:decision_edit", args=[decision.pk])
    response = client.post(target, decision_data(version=decision.version, text=decision.text))
    assert response.status_code == 302  # reopening is not irreversible: no confirmation
    decision.refresh_from_db()
    assert (decision.status, decision.closed_on) == ("open", None)


def test_editing_from_the_decisions_list_returns_to_it(client, staff, copil):
    decision = DecisionFactory(copil=copil)
    client.force_login(staff)
    listing = client.get(reverse("pilotage:decision_list")).content.decode()
    edit = reverse("pilotage:decision_edit", args=[decision.pk]) + "?next=decisions"
    assert edit in listing
    assert 'name="next" value="decisions"' in client.get(edit).content.decode()
    response = client.post(edit, decision_data(version=1, text=decision.text, next="decisions"))
    assert response["Location"] == reverse("pilotage:decision_list")


def test_second_save_of_a_decision_from_a_stale_version_is_refused_and_shows_the_first_change(client, copil):
    first, second = UserFactory(username="agent1", staff=True), UserFactory(username="agent2", staff=True)
    decision = DecisionFactory(copil=copil, text="Décision", follow_up="")
    target = reverse("pilotage:decision_edit", args=[decision.pk])

    client.force_login(first)
    assert client.post(target, decision_data(version=1, text="Décision", follow_up="Fait en mars.")).status_code == 302

    client.force_login(second)
    response = client.post(target, decision_data(version=1, text="Décision", status=DecisionStatus.DROPPED))
    assert response.status_code == 409
    content = text(response)
    assert "Modification concurrente" in content and str(first) in content and "Fait en mars." in content
    decision.refresh_from_db()
    assert (decision.status, decision.follow_up, decision.version) == ("open", "Fait en mars.", 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def test_open_decisions_list_shows_late_ones_first_then_by_due_date(client, copil_member, copil):
    other_copil = CopilFactory(date=datetime.date(2023, 11, 21))
    DecisionFactory(copil=copil, text="Plus tard", due_date=days(60))
    DecisionFactory(copil=copil, text="Sans échéance", due_date=None)
    DecisionFactory(copil=other_copil, text="En retard de peu", due_date=days(-2))
    DecisionFactory(copil=copil, text="Bientôt", due_date=days(5))
    DecisionFactory(copil=other_copil, text="En retard depuis longtemps", due_date=days(-200))
    DecisionFactory(copil=copil, text="Réalisée", due_date=days(-300), status=DecisionStatus.DONE)
    client.force_login(copil_member)
    response = client.get(reverse("pilotage:decision_list"))
    assert [d.text for d in response.context["page"]] == [
        "En retard depuis longtemps",
        "En retard de peu",
        "Bientôt",
        "Plus tard",
        "Sans échéance",
    ]
    assert text(response).count(">en retard</span>") == 2


def test_decisions_list_filters_by_pacte_owner_and_status(client, copil_member, referent, copil):
    DecisionFactory(copil=copil, text="À moi", owner=referent)
    DecisionFactory(copil=copil, text="Close", status=DecisionStatus.DROPPED, owner=referent)
    DecisionFactory(copil=CopilFactory(pacte=PacteFactory(slug="autre")), text="Autre pacte")
    client.force_login(copil_member)
    base = reverse("pilotage:decision_list")

    def texts(query):
        response = client.get(base + query)
        assert response.status_code == 200
        return sorted(d.text for d in response.context["page"])

    assert texts("") == ["Autre pacte", "À moi"]
    assert texts(f"?pacte={copil.pacte.slug}") == ["À moi"]
    assert texts(f"?responsable={referent.pk}&statut=toutes") == ["Close", "À moi"]
    assert texts("?statut=dropped") == ["Close"]
    part = client.get(base + "?statut=dropped", headers={"HX-Request": "true"})
    assert "<html" not in part.content.decode() and "Close" in part.content.decode()


def test_decisions_list_with_bad_filter_values_answers_with_a_message(client, copil_member, copil):
    client.force_login(copil_member)
    response = client.get(reverse("pilotage:decision_list") + "?statut=oubliee&pacte=inconnu&responsable=abc&page=x")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)


def test_owner_sees_his_open_decisions_on_my_actions(client, referent, copil):
    DecisionFactory(copil=copil, text="Ma décision en retard", owner=referent, due_date=days(-1))
    DecisionFactory(copil=copil, text="Ma décision à venir", owner=referent, due_date=days(30))
    DecisionFactory(copil=copil, text="Ma décision réalisée", owner=referent, status=DecisionStatus.DONE)
    DecisionFactory(copil=copil, text="Celle d'un autre", owner=UserFactory(username="autre"))
    client.force_login(referent)
    content = text(client.get(reverse("actions:my_actions")))
    assert "Les décisions du COPIL dont je suis responsable" in content
    assert content.index("Ma décision en retard") < content.index("Ma décision à venir")
    assert "Ma décision réalisée" not in content and "Celle d'un autre" not in content
    assert "en retard" in content


def test_my_actions_without_decisions_says_nothing_about_them(client, referent):
    client.force_login(referent)
    assert "Les décisions du COPIL" not in text(client.get(reverse("actions:my_actions")))


def test_my_actions_runs_one_query_for_the_decisions_whatever_their_number(client, referent, copil):
    client.force_login(referent)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("actions:my_actions")).status_code == 200
        return len(ctx.captured_queries)

    DecisionFactory(copil=copil, owner=referent, action=copil.pacte.actions.get())
    one = count()
    for i in range(15):
        # Dates of their own: the factory's sequence could reach the fixture's COPIL date (one COPIL a day).
        later = CopilFactory(pacte=copil.pacte, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
        DecisionFactory(copil=later, owner=referent, text=f"Décision {i}")
    assert count() == one <= 12


def test_a_script_typed_in_a_decision_shows_as_text(client, staff, copil):
    DecisionFactory(copil=copil, text="<script>alert('décision')</script>", follow_up="<img src=x onerror=alert(1)>")
    client.force_login(staff)
    for target in (reverse("pilotage:copil_detail", args=[copil.pk]), reverse("pilotage:decision_list")):
        content = client.get(target).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content
        assert "&lt;script&gt;alert(&#x27;décision&#x27;)&lt;/script&gt;" in content
