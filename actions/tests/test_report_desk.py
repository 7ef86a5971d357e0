"""The yearly report form as the referent's desk: last year's texts of the same action beside each field, and
each indicator's baseline, last year's target and value, this year's target and the gap."""

from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(action, year=2024):
    return reverse("actions:report_edit", args=[action.pk, year])


@pytest.fixture
def action(referent):
    return ActionFactory(referents=[referent])


def test_last_years_transmitted_text_is_shown_beside_its_field_with_a_copy_button(client, referent, action):
    ProgressReportFactory(
        action=action, year=2023, submitted=True, advances="Plateforme ouverte\nen mars 2023.", means="3 ETP"
    )
    ProgressReportFactory(action=action, year=2022, submitted=True, advances="Texte de deux ans avant.")
    ProgressReportFactory(action=ActionFactory(), year=2023, submitted=True, advances="Texte d'une autre action.")
    client.force_login(referent)
    response = client.get(url(action))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<summary>Texte de 2023<span class="visually-hidden"> – Avancées de l&#x27;année</span></summary>' in content
    assert 'id="precedent-advances">Plateforme ouverte\nen mars 2023.</div>' in content
    assert 'id="precedent-means">3 ETP</div>' in content
    assert 'data-copy-from="precedent-advances" data-copy-to="id_advances" hidden>Reprendre le texte de 2023' in content
    assertNotContains(response, "Texte de deux ans avant.")
    assertNotContains(response, "Texte d'une autre action.")
    # The fields themselves stay empty: copying is the referent's choice.
    assert '<textarea name="advances" cols="40" rows="4" maxlength' in content
    assert "Plateforme ouverte\nen mars 2023.</textarea>" not in content


def test_an_empty_text_last_year_says_so(client, referent, action):
    ProgressReportFactory(action=action, year=2023, submitted=True, advances="Avancées 2023.", adjustments="")
    client.force_login(referent)
    response = client.get(url(action))
    assertContains(response, 'id="precedent-advances">Avancées 2023.</div>', html=False)
    assertNotContains(response, 'id="precedent-adjustments"')
    assertContains(response, "Pas de texte en 2023.", count=3)  # the factory writes difficulties


def test_no_report_last_year_shows_no_previous_text(client, referent, action):
    client.force_login(referent)
    response = client.get(url(action))
    assert response.status_code == 200
    assertNotContains(response, "Reprendre le texte")
    assertContains(response, "Pas de texte en 2023.", count=5)


def test_a_draft_last_year_is_not_shown(client, referent, action):
    """A draft never reached the bilan: its text is not offered, the form says why."""
    ProgressReportFactory(action=action, year=2023, advances="Brouillon jamais transmis.")
    client.force_login(referent)
    response = client.get(url(action))
    assertNotContains(response, "Brouillon jamais transmis.")
    assertNotContains(response, "Reprendre le texte")
    assertContains(response, "Le compte rendu 2023 n’a pas été transmis : son brouillon n’est pas repris.", count=5)


def test_the_first_year_of_the_pacte_has_no_previous_text(client, referent, action):
    client.force_login(referent)
    response = client.get(url(action, 2022))
    assert response.status_code == 200
    assertContains(response, "Pas de texte en 2021.", count=5)


def indicator(action, label, baseline, **values):
    indicator = IndicatorFactory(action=action, label=label, unit="personnes", baseline=baseline)
    for year, (target, value) in values.items():
        IndicatorValueFactory(indicator=indicator, year=int(year[1:]), target=target, value=value)
    return indicator


def facts(content, indicator):
    """The text of the indicator's facts list, squeezed."""
    start = content.index(f'for="id_indicator_{indicator.pk}"')
    block = content[content.index('<dl class="report-indicator-facts', start) : content.index("</dl>", start)]
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()


def test_each_indicator_shows_baseline_last_year_this_years_target_and_the_gap(client, referent, action):
    ahead = indicator(
        action,
        "Personnes orientées",
        Decimal("20"),
        y2023=(Decimal("40"), Decimal("38")),
        y2024=(Decimal("50"), Decimal("62.5")),
    )
    behind = indicator(action, "Personnes en emploi", Decimal("3"), y2024=(Decimal("12"), Decimal("9")))
    no_value = indicator(action, "Ateliers", None, y2024=(Decimal("8"), None))
    no_target = indicator(action, "Sorties", Decimal("0"), y2023=(None, Decimal("4")), y2024=(None, Decimal("5")))
    client.force_login(referent)
    content = client.get(url(action)).content.decode()
    assert facts(content, ahead) == ("Référence 20 Cible 2023 40 Valeur 2023 38 Cible 2024 50 Écart à la cible +12,5")
    assert facts(content, behind) == "Référence 3 Cible 2023 — Valeur 2023 — Cible 2024 12 Écart à la cible −3"
    assert facts(content, no_value) == "Référence — Cible 2023 — Valeur 2023 — Cible 2024 8 Écart à la cible —"
    assert facts(content, no_target) == "Référence 0 Cible 2023 — Valeur 2023 4 Cible 2024 — Écart à la cible —"
    assert (
        f'<output id="id_indicator_{ahead.pk}_ecart" for="id_indicator_{ahead.pk}" aria-live="polite" '
        f'data-gap-input="id_indicator_{ahead.pk}" data-gap-target="50.00">+12,5</output>'
    ) in content


def test_the_gap_follows_the_value_sent_back_with_a_bad_form(client, referent, action):
    ahead = indicator(action, "Personnes orientées", Decimal("20"), y2024=(Decimal("50"), None))
    client.force_login(referent)
    response = client.post(
        url(action),
        {
            "version": 0,
            "status": "in_progress",
            "progress": "150",
            "weather": "on_track",
            f"indicator_{ahead.pk}": "47,5",
        },
    )
    assert response.status_code == 400
    assert facts(response.content.decode(), ahead).endswith("Cible 2024 50 Écart à la cible −2,5")


def test_another_referent_may_not_open_the_form(client, action):
    ProgressReportFactory(action=action, year=2023, submitted=True, advances="Confidentiel.")
    client.force_login(UserFactory(username="autre"))
    response = client.get(url(action))
    assert response.status_code == 403
    assertNotContains(response, "Confidentiel.", status_code=403)


def test_the_form_reads_in_a_constant_number_of_queries(client, referent, action, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ProgressReportFactory(action=action, year=2023, submitted=True)
    client.force_login(referent)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(action)).status_code == 200
        return len(queries)

    indicator(action, "Un", Decimal("1"), y2023=(Decimal("2"), Decimal("3")), y2024=(Decimal("4"), None))
    few = count()
    for n in range(4):
        indicator(action, f"Plus {n}", Decimal("1"), y2023=(Decimal("2"), Decimal("3")), y2024=(Decimal("4"), None))
    assert count() == few
