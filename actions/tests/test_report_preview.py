"""The "Aperçu": before transmitting, the referent sees the saved report as the bilan will print it (the bilan's
own partial, bilans/pdf/_action_report.html, through bilans' template tag)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from actions.enums import ActionStatus, ReportState, Weather
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    action = ActionFactory(number="1.4", title="Garage solidaire", referents=[referent], status=ActionStatus.TO_LAUNCH)
    indicator = IndicatorFactory(action=action, label="Véhicules prêtés", unit="véhicules")
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("20"), value=Decimal("18"))
    IndicatorValueFactory(indicator=indicator, year=2024, target=Decimal("30"), value=Decimal("32.5"))
    return action


def url(action, year=2024):
    return reverse("actions:report_preview", args=[action.pk, year])


def squeeze(html):
    return re.sub(r"\s+", " ", html)


def test_the_preview_shows_a_draft_as_the_bilan_will_print_it(client, referent, action):
    ProgressReportFactory(
        action=action,
        year=2024,
        state=ReportState.DRAFT,
        status=ActionStatus.IN_PROGRESS,
        progress=70,
        weather=Weather.SOME_DIFFICULTIES,
        advances="Ouvert en mars.\n\nDeux ateliers.",
        difficulties="",
        adjustments="Horaires revus.",
        next_steps="Étendre au sud.",
    )
    client.force_login(referent)
    response = client.get(url(action))
    assert response.status_code == 200
    content = squeeze(response.content.decode())
    assert "<h1>Aperçu du compte rendu 2024 de l’action 1.4</h1>" in content
    assert (
        '<div class="report"> <h4>1.4 Garage solidaire</h4> <p class="muted">En cours – 70 % – météo : quelques '
        "difficultés</p> <h5>Avancées</h5><p>Ouvert en mars.</p> <p>Deux ateliers.</p> <h5>Ajustements</h5><p>Horaires"
        " revus.</p> </div>"
    ) in content
    assert "Étendre au sud." not in content  # the bilan does not print the next steps
    assert (
        '<tr><th scope="row">Véhicules prêtés (véhicules)</th><td class="text-end">30</td>'
        '<td class="text-end">32,50</td><td class="text-end">18</td></tr>'
    ) in content
    assertContains(response, f'href="{reverse("actions:report_transmit", args=[action.pk, 2024])}"')


def test_the_form_links_to_the_preview_once_a_report_is_saved(client, referent, action):
    client.force_login(referent)
    form = reverse("actions:report_edit", args=[action.pk, 2024])
    assertNotContains(client.get(form), url(action))
    ProgressReportFactory(action=action, year=2024)
    assertContains(client.get(form), f'<a href="{url(action)}">Aperçu : le compte rendu enregistré')


def test_without_a_saved_report_the_preview_sends_back_to_the_form(client, referent, action):
    client.force_login(referent)
    response = client.get(url(action))
    assertRedirects(response, reverse("actions:report_edit", args=[action.pk, 2024]))


def test_a_transmitted_report_is_previewed_without_a_transmit_button(client, referent, action):
    ProgressReportFactory(action=action, year=2024, submitted=True, advances="Fait.")
    client.force_login(referent)
    response = client.get(url(action))
    assertContains(response, "Le compte rendu transmis, tel qu’il figure dans le bilan annuel.")
    assertNotContains(response, reverse("actions:report_transmit", args=[action.pk, 2024]))


def test_another_referent_may_not_see_the_preview(client, action):
    ProgressReportFactory(action=action, year=2024, advances="Pas pour vous.")
    client.force_login(UserFactory(username="autre"))
    response = client.get(url(action))
    assert response.status_code == 403
    assertNotContains(response, "Pas pour vous.", status_code=403)


def test_the_preview_reads_in_a_constant_number_of_queries(client, referent, action, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ProgressReportFactory(action=action, year=2024)
    client.force_login(referent)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(action)).status_code == 200
        return len(queries)

    few = count()
    for n in range(3):
        IndicatorValueFactory(indicator=IndicatorFactory(action=action, label=f"Autre {n}"), year=2024, target=1)
    assert count() == few
