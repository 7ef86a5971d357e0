"""Every pilotage page for every role: anonymous visitors go to the login page; referents and COPIL members read
the dashboard, the COPILs and the decisions; only the département's staff (and administrators) create and edit
COPILs and decisions. A refused POST changes nothing."""

import datetime

import pytest
from django.urls import reverse

from actions.factories import ActionFactory
from axes.factories import PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory
from pilotage.models import Copil, Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    pacte = PacteFactory(slug="pti-acces", first_year=2022, last_year=2025)
    action = ActionFactory(axe__pacte=pacte, number="1.1")
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 20), place="Limoges")
    decision = DecisionFactory(copil=copil, action=action, text="Décision d'origine")
    return {"pacte": pacte, "copil": copil, "decision": decision}


READ_PAGES = {
    "index": lambda o: reverse("pilotage:index"),
    "dashboard": lambda o: reverse("pilotage:dashboard", args=[o["pacte"].slug]),
    "dashboard_year": lambda o: reverse("pilotage:dashboard", args=[o["pacte"].slug]) + "?annee=2023",
    "attention": lambda o: reverse("pilotage:attention", args=[o["pacte"].slug]) + "?annee=2024",
    "indicators": lambda o: reverse("pilotage:indicators", args=[o["pacte"].slug]) + "?annee=2024",
    "copil_list": lambda o: reverse("pilotage:copil_list", args=[o["pacte"].slug]),
    "copil_detail": lambda o: reverse("pilotage:copil_detail", args=[o["copil"].pk]),
    "decision_list": lambda o: reverse("pilotage:decision_list"),
    "dossier_print": lambda o: reverse("pilotage:dossier_print", args=[o["copil"].pk]),
}
STAFF_PAGES = {
    "copil_create": lambda o: reverse("pilotage:copil_create", args=[o["pacte"].slug]),
    "copil_edit": lambda o: reverse("pilotage:copil_edit", args=[o["copil"].pk]),
    "decision_create": lambda o: reverse("pilotage:decision_create", args=[o["copil"].pk]),
    "decision_edit": lambda o: reverse("pilotage:decision_edit", args=[o["decision"].pk]),
}
ROLES = ["referent", "copil_member", "staff", "administrator"]


@pytest.mark.parametrize("page", [*READ_PAGES, *STAFF_PAGES, "dossier_pdf"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, objects, page):
    pages = {
        **READ_PAGES,
        **STAFF_PAGES,
        "dossier_pdf": lambda o: reverse("pilotage:dossier_pdf", args=[o["copil"].pk]),
    }
    target = pages[page](objects)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", READ_PAGES)
def test_every_role_reads_the_pilotage_pages(client, request, objects, role, page):
    client.force_login(request.getfixturevalue(role))
    response = client.get(READ_PAGES[page](objects))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["referent", "copil_member"])
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_referents_and_copil_members_cannot_open_staff_forms(client, request, objects, role, page):
    client.force_login(request.getfixturevalue(role))
    response = client.get(STAFF_PAGES[page](objects))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["staff", "administrator"])
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_and_administrators_open_the_staff_forms(client, request, objects, role, page):
    client.force_login(request.getfixturevalue(role))
    assert client.get(STAFF_PAGES[page](objects)).status_code == 200


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_a_refused_post_changes_nothing(client, request, objects, role):
    client.force_login(request.getfixturevalue(role))
    copil, decision = objects["copil"], objects["decision"]
    copil_data = {"version": copil.version, "date": "2024-11-21", "place": "Ailleurs", "agenda": "", "minutes": ""}
    decision_data = {"version": decision.version, "text": "Modifiée", "status": DecisionStatus.DROPPED}
    posts = [
        (reverse("pilotage:copil_create", args=[objects["pacte"].slug]), copil_data),
        (reverse("pilotage:copil_edit", args=[copil.pk]), copil_data),
        (reverse("pilotage:decision_create", args=[copil.pk]), decision_data),
        (reverse("pilotage:decision_edit", args=[decision.pk]), decision_data),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    copil.refresh_from_db()
    decision.refresh_from_db()
    assert (copil.place, copil.version, Copil.objects.count()) == ("Limoges", 1, 1)
    assert (decision.text, decision.status, Decision.objects.count()) == ("Décision d'origine", "open", 1)


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_readers_see_no_edit_buttons(client, request, objects, role):
    client.force_login(request.getfixturevalue(role))
    content = client.get(reverse("pilotage:copil_detail", args=[objects["copil"].pk])).content.decode()
    assert "Modifier le COPIL" not in content and "Ajouter une décision" not in content
    assert reverse("pilotage:decision_edit", args=[objects["decision"].pk]) not in content
    listing = client.get(reverse("pilotage:copil_list", args=[objects["pacte"].slug])).content.decode()
    assert "Nouveau COPIL" not in listing


def test_staff_see_the_edit_buttons(client, staff, objects):
    client.force_login(staff)
    content = client.get(reverse("pilotage:copil_detail", args=[objects["copil"].pk])).content.decode()
    assert "Modifier le COPIL" in content and "Ajouter une décision" in content
    assert reverse("pilotage:decision_edit", args=[objects["decision"].pk]) in content


def test_unknown_copil_or_decision_is_a_404(client, staff):
    client.force_login(staff)
    for name in ("copil_detail", "copil_edit", "decision_create", "dossier_pdf", "dossier_print"):
        assert client.get(reverse(f"pilotage:{name}", args=[999999])).status_code == 404, name
    assert client.get(reverse("pilotage:decision_edit", args=[999999])).status_code == 404
    assert client.get(reverse("pilotage:copil_list", args=["inconnu"])).status_code == 404


def test_the_navigation_leads_to_pilotage(client, copil_member, objects):
    client.force_login(copil_member)
    content = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("pilotage:index")}"' in content
    index = client.get(reverse("pilotage:index")).content.decode()
    assert reverse("pilotage:dashboard", args=[objects["pacte"].slug]) in index
    assert reverse("pilotage:copil_list", args=[objects["pacte"].slug]) in index
