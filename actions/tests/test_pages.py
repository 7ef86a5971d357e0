import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionStatus, ReportState
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db
# The action page reads its yearly figures (actions.figures) and the closed years: 13 queries; then its milestones
# and its follow-up notes: 15; and the proposals of the Assises it comes from: 16.
MAX_QUERIES = 16
# The history page reads two queries per kind of row (the action, its reports, partners, budgets, indicators and
# their values, its milestones and notes), plus the session, the user and the action.
MAX_HISTORY_QUERIES = 20


def populate(pacte, referent, n):
    """n actions spread over 2 axes with objectives, referents, partners, indicators and reports."""
    axes = [AxeFactory(pacte=pacte, number=i) for i in (1, 2)]
    objectifs = [ObjectifFactory(axe=axe, number=1) for axe in axes]
    partner = PartnerFactory(name="France Travail")
    actions = []
    for i in range(n):
        axe = axes[i % 2]
        number = f"{axe.number}.{i + 1}"
        # A title the filtered list's search (q=a) always finds: a random one would leave the small pacte's list
        # empty on some runs, and an empty page runs fewer queries than a full one.
        title = f"Accompagnement {number}"
        action = ActionFactory(axe=axe, objectif=objectifs[i % 2], number=number, title=title, referents=[referent])
        ActionPartnerFactory(action=action, partner=partner)
        IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2024, target=10, value=5)
        ProgressReportFactory(action=action, year=2025, state=ReportState.SUBMITTED if i % 3 else ReportState.DRAFT)
        actions.append(action)
    return actions


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_for",
    [
        lambda pacte, action: reverse("actions:my_actions"),
        lambda pacte, action: reverse("actions:my_axe_actions", args=[action.axe_id]),
        lambda pacte, action: reverse("actions:pacte_detail", args=[pacte.slug]),
        lambda pacte, action: reverse("actions:pacte_axe", args=[pacte.slug, 1]),
        lambda pacte, action: reverse("actions:list"),
        lambda pacte, action: reverse("actions:list") + "?statut=in_progress&annee=2025&compte_rendu=transmis&q=a",
        lambda pacte, action: reverse("actions:detail", args=[action.pk]),
        lambda pacte, action: reverse("actions:report_edit", args=[action.pk, 2025]),
        lambda pacte, action: reverse("actions:history", args=[action.pk]),
    ],
    ids=["my_actions", "my_axe", "pacte", "pacte_axe", "list", "list_filtered", "action", "report_form", "history"],
)
def test_pages_run_a_constant_number_of_queries_whatever_the_number_of_actions(client, referent, url_for, request):
    client.force_login(referent)
    small = PacteFactory(slug="petit")
    small_actions = populate(small, referent, 2)
    small_count = count_queries(client, url_for(small, small_actions[0]))

    big = PacteFactory(slug="grand")
    big_actions = populate(big, referent, 30)
    big_count = count_queries(client, url_for(big, big_actions[0]))
    assert big_count == small_count
    assert big_count <= (MAX_HISTORY_QUERIES if request.node.callspec.id == "history" else MAX_QUERIES)


def test_my_actions_lists_direct_and_thematic_actions_grouped_by_axe_with_report_state(client, referent):
    pacte = PacteFactory(first_year=2022, last_year=2025)
    mine = ActionFactory(axe__pacte=pacte, referents=[referent], title="Plateforme orientation")
    thematic_axe = AxeFactory(pacte=pacte, thematic_referents=[referent], title="Compétences")
    by_axe = ActionFactory(axe=thematic_axe, title="Promotion des métiers")
    ProgressReportFactory(action=by_axe, year=2025, submitted=True)
    ActionFactory(axe=thematic_axe, title="VAE")
    ActionFactory(axe__pacte=pacte, title="Pas à moi")
    client.force_login(referent)
    content = client.get(reverse("actions:my_actions")).content.decode()
    assert "Plateforme orientation" in content and "Pas à moi" not in content
    assert f"Rédiger le compte rendu 2025 de l'action {mine.number}" in content
    assert "Compétences" in content
    assert "2 actions – comptes rendus 2025 attendus : 1 transmis, 0 en brouillon, 1 manquant" in content

    part = client.get(reverse("actions:my_axe_actions", args=[thematic_axe.pk]), headers={"HX-Request": "true"})
    part_content = part.content.decode()
    assert "<html" not in part_content
    assert "Promotion des métiers" in part_content and "VAE" in part_content and "transmis" in part_content
    assert "Pas à moi" not in part_content


def test_my_actions_of_a_user_without_actions_says_so(client, copil_member):
    client.force_login(copil_member)
    assert "Vous n'êtes référent d'aucune action." in client.get(reverse("actions:my_actions")).content.decode()


def test_pacte_page_rolls_progress_up_to_axes_and_pacte(client, referent):
    pacte = PacteFactory(title="PTI test", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1, title="Orienter")
    objectif = ObjectifFactory(axe=axe, number=1, text="raccourcir les délais")
    ActionFactory(axe=axe, objectif=objectif, progress=20, title="Plateforme")
    done = ActionFactory(axe=axe, objectif=objectif, progress=60, status=ActionStatus.DONE)
    ProgressReportFactory(action=done, year=2025, submitted=True)
    ActionFactory(axe=AxeFactory(pacte=pacte, number=2), progress=100, late=True)
    client.force_login(referent)
    response = client.get(reverse("actions:pacte_detail", args=[pacte.slug]))
    first, second = response.context["axes"]
    # The pacte ended in 2025: its unfinished actions are late today.
    figures = first["figures"]
    assert (figures["actions"], figures["mean_progress"], figures["late"]) == (2, 40, 1)
    assert (figures["reports"]["submitted"], figures["reports"]["due"]) == (1, 2)
    assert [(status, n) for status, _label, n in first["statuses"]] == [("in_progress", 1), ("done", 1)]
    figures = second["figures"]
    assert (figures["actions"], figures["mean_progress"], figures["late"]) == (1, 100, 1)
    summary = response.context["summary"]
    assert (summary["actions"], summary["mean_progress"], summary["late"]) == (3, 60, 2)
    content = response.content.decode()
    assert "Orienter" in content and "1 en cours · 1 réalisée" in content
    assert re.search(r"1 <small[^>]*>sur 3 attendus", content)

    part = client.get(reverse("actions:pacte_axe", args=[pacte.slug, 1]), headers={"HX-Request": "true"})
    assert part.context["branches"][0]["figures"]["mean_progress"] == 40
    part_content = part.content.decode()
    assert "<html" not in part_content
    assert "Raccourcir les délais" in part_content and "Plateforme" in part_content
    assert client.get(reverse("actions:pacte_axe", args=[pacte.slug, 9])).status_code == 404


def test_action_list_filters_stay_in_the_url_and_combine(client, referent):
    pacte = PacteFactory(slug="pti-x")
    axe = AxeFactory(pacte=pacte, number=1)
    partner = PartnerFactory(name="Emmaüs Connect")
    numerique = ActionFactory(axe=axe, title="Inclusion numérique", status=ActionStatus.IN_PROGRESS)
    ActionPartnerFactory(action=numerique, partner=partner)
    ActionFactory(axe=axe, title="Mobilité", status=ActionStatus.DONE)
    other = UserFactory(username="r2")
    ActionFactory(axe=axe, title="Clauses sociales", referents=[other], status=ActionStatus.IN_PROGRESS)
    client.force_login(referent)
    url = reverse("actions:list")

    def titles(query):
        return [a.title for a in client.get(url + query).context["page"]]

    assert titles("?q=numérique") == ["Inclusion numérique"]
    assert titles("?statut=done") == ["Mobilité"]
    assert titles(f"?partenaire={partner.pk}") == ["Inclusion numérique"]
    assert titles(f"?referent={other.pk}") == ["Clauses sociales"]
    assert sorted(titles("?pacte=pti-x&statut=in_progress")) == ["Clauses sociales", "Inclusion numérique"]
    ProgressReportFactory(action=numerique, year=2024, submitted=True)
    assert titles("?annee=2024&compte_rendu=transmis") == ["Inclusion numérique"]
    assert sorted(titles("?annee=2024&compte_rendu=manquant")) == ["Clauses sociales", "Mobilité"]


def test_action_list_is_paginated_and_keeps_filters_in_page_links(client, referent):
    axe = AxeFactory()
    for i in range(30):
        ActionFactory(axe=axe, number=f"1.{i + 1}", status=ActionStatus.IN_PROGRESS)
    client.force_login(referent)
    response = client.get(reverse("actions:list") + "?statut=in_progress")
    assert len(response.context["page"]) == 25
    assert "?statut=in_progress&amp;page=2" in response.content.decode()
    assert len(client.get(reverse("actions:list") + "?statut=in_progress&page=2").context["page"]) == 5


def test_action_list_with_bad_filter_values_answers_200_with_a_message(client, referent):
    client.force_login(referent)
    response = client.get(reverse("actions:list") + "?statut=n-importe&annee=abc&axe=999999&page=zzz")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["actions:list", "partners:list", "pilotage:decision_list", "journal"],
)
def test_a_lists_filters_are_not_ticked_valid_but_a_wrong_one_is_marked(client, staff, url):
    """A filter understood is not a checked answer: no green tick on every field; a wrong one is still marked."""
    client.force_login(staff)
    understood = client.get(reverse(url), {"q": "insertion", "statut": "in_progress"}).content.decode()
    assert "is-valid" not in understood
    wrong = client.get(reverse("actions:list"), {"statut": "n-importe"}).content.decode()
    assert wrong.count("is-invalid") >= 1 and "Sélectionnez un choix valide" in wrong


def test_action_page_shows_fields_partners_indicators_reports_and_history(client, referent):
    action = ActionFactory(title="GEIQ Papier carton emballage", target_public="BRSA de plus de 26 ans")
    ActionPartnerFactory(action=action, partner=PartnerFactory(name="GEIQ PCE"), funder=True)
    indicator = IndicatorFactory(action=action, label="Salariés en parcours", unit="personnes")
    IndicatorValueFactory(indicator=indicator, year=2023, target=10, value=12)
    ProgressReportFactory(action=action, year=2023, submitted=True, difficulties="Recrutement difficile")
    client.force_login(referent)
    response = client.get(action.get_absolute_url())
    content = response.content.decode().replace("\xa0", " ")
    for expected in [
        "GEIQ Papier carton emballage",
        "BRSA de plus de 26 ans",
        "GEIQ PCE",
        "Financeur",
        "10 000,00",
        "Salariés en parcours",
        "+2",
        "<svg",
        "Recrutement difficile",
        "Historique des modifications",
    ]:
        assert expected in content, expected
    assert "Modifier l&#x27;action" not in content  # not his action


def test_unknown_action_is_a_404(client, referent):
    client.force_login(referent)
    assert client.get(reverse("actions:detail", args=[999999])).status_code == 404


def test_action_list_answers_htmx_filter_requests_with_the_results_only(client, referent):
    ActionFactory(title="Inclusion numérique")
    ActionFactory(title="Mobilité")
    client.force_login(referent)
    response = client.get(reverse("actions:list") + "?q=numérique", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Inclusion numérique" in content and "Mobilité" not in content
    assert "<html" not in content and "1 action trouvée" in content


def test_history_page_lists_changes_to_the_action_its_reports_and_indicator_values(client, referent, staff):
    action = ActionFactory(referents=[referent], progress=10)
    report = ProgressReportFactory(action=action, year=2024, advances="Avant")
    client.force_login(staff)
    report.advances = "Après"
    report.save()
    action.progress = 30
    action.save()
    client.force_login(referent)
    response = client.get(reverse("actions:history", args=[action.pk]), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "Avancement (%) : 10 → 30" in content
    assert "Compte rendu 2024" in content and "Avant → Après" in content
    full = client.get(reverse("actions:history", args=[action.pk])).content.decode()
    assert "<html" in full and "Historique des modifications" in full
