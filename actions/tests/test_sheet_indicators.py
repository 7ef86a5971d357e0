"""The indicators section of the action's sheet: the action's editors (staff and its referents) add, change and
delete indicators with their target for each year of the pacte; a closed year's target no longer changes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory
from actions.models import Indicator, IndicatorValue
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2022", first_year=2022, last_year=2025)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=3), number="3.2", referents=[referent])


def text(response):
    return response.content.decode().replace("&#x27;", "'")


def indicator_data(version, **overrides):
    data = {
        "version": version,
        "label": "Nombre de parents accompagnés",
        "unit": "personnes",
        "baseline": "40",
        "higher_is_better": "on",
        "target_2022": "",
        "target_2023": "60",
        "target_2024": "80",
        "target_2025": "",
    }
    data.update(overrides)
    return data


def targets(indicator):
    return list(IndicatorValue.objects.filter(indicator=indicator).order_by("year").values_list("year", "target"))


def test_a_referent_adds_an_indicator_with_its_yearly_targets(client, referent, action):
    client.force_login(referent)
    assert client.get(reverse("actions:indicator_create", args=[action.pk])).status_code == 200

    response = client.post(reverse("actions:indicator_create", args=[action.pk]), indicator_data(1))

    assert response.status_code == 302 and response["Location"] == reverse("actions:edit_indicators", args=[action.pk])
    indicator = Indicator.objects.get(action=action)
    assert (indicator.label, indicator.unit, indicator.baseline, indicator.higher_is_better) == (
        "Nombre de parents accompagnés",
        "personnes",
        Decimal("40.00"),
        True,
    )
    assert targets(indicator) == [(2023, Decimal("60.00")), (2024, Decimal("80.00"))]
    action.refresh_from_db()
    assert action.version == 2
    listing = text(client.get(response["Location"]))
    assert "Nombre de parents accompagnés (personnes)" in listing and "80" in listing
    assert "Indicateur « Nombre de parents accompagnés »" in text(
        client.get(reverse("actions:history", args=[action.pk]))
    )


def test_staff_change_an_indicator_and_its_targets_keeping_the_measured_values(client, staff, action):
    indicator = IndicatorFactory(action=action, label="Taux de sortie positive", unit="%")
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("50"), value=Decimal("47"))
    IndicatorValueFactory(indicator=indicator, year=2024, target=Decimal("55"))
    url = reverse("actions:indicator_edit", args=[action.pk, indicator.pk])
    client.force_login(staff)
    page = text(client.get(url))
    assert 'value="50"' in page and 'value="55"' in page

    response = client.post(
        url,
        indicator_data(
            1, label="Taux de sortie positive", unit="%", higher_is_better="", target_2023="52", target_2024=""
        ),
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.higher_is_better is False
    assert list(IndicatorValue.objects.filter(indicator=indicator).values_list("year", "target", "value")) == [
        (2023, Decimal("52.00"), Decimal("47.00"))
    ]


def test_a_target_on_a_closed_year_is_refused_next_to_the_field(client, staff, action):
    indicator = IndicatorFactory(action=action)
    IndicatorValueFactory(indicator=indicator, year=2022, target=Decimal("100"), value=Decimal("90"))
    ClosedYear.objects.create(pacte=action.pacte, year=2022)
    url = reverse("actions:indicator_edit", args=[action.pk, indicator.pk])
    client.force_login(staff)

    response = client.post(url, indicator_data(1, target_2022="120"))

    assert response.status_code == 400
    assert "L'année 2022 est close : son bilan a été approuvé. Sa valeur ne peut plus changer." in text(response)
    assert targets(indicator) == [(2022, Decimal("100.00"))]
    # Unchanged, the closed year's target lets the open years be saved.
    assert client.post(url, indicator_data(1, target_2022="100")).status_code == 302
    assert targets(indicator) == [(2022, Decimal("100.00")), (2023, Decimal("60.00")), (2024, Decimal("80.00"))]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"label": ""}, "Ce champ est obligatoire."),
        ({"target_2024": "-3"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        ({"baseline": "-1"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        ({"target_2023": "beaucoup"}, "Saisissez un nombre."),
    ],
)
def test_bad_indicator_input_is_refused_in_french(client, referent, action, overrides, field_message):
    client.force_login(referent)
    response = client.post(reverse("actions:indicator_create", args=[action.pk]), indicator_data(1, **overrides))
    assert response.status_code == 400
    assert field_message in text(response)
    assert not Indicator.objects.exists()


def test_a_stale_indicator_save_is_refused_and_shows_the_other_change(client, referent, staff, action):
    client.force_login(staff)
    assert client.post(reverse("actions:indicator_create", args=[action.pk]), indicator_data(1)).status_code == 302
    client.force_login(referent)
    response = client.post(
        reverse("actions:indicator_create", args=[action.pk]), indicator_data(1, label="Places de crèche")
    )
    assert response.status_code == 409
    content = text(response)
    assert "Modification concurrente" in content and "Indicateur « Nombre de parents accompagnés »" in content
    assert list(Indicator.objects.values_list("label", flat=True)) == ["Nombre de parents accompagnés"]


def test_an_indicator_is_deleted_after_confirmation(client, referent, action):
    indicator = IndicatorFactory(action=action, label="Places de crèche")
    IndicatorValueFactory(indicator=indicator, year=2024, target=Decimal("10"))
    url = reverse("actions:indicator_delete", args=[action.pk, indicator.pk])
    client.force_login(referent)
    page = text(client.get(url))
    assert "Supprimer l'indicateur « Places de crèche » ?" in page

    response = client.post(url, {"version": 1})

    assert response.status_code == 302
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()
    action.refresh_from_db()
    assert action.version == 2


def test_an_indicator_with_data_in_a_closed_year_cannot_be_deleted(client, staff, action):
    indicator = IndicatorFactory(action=action)
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("10"))
    ClosedYear.objects.create(pacte=action.pacte, year=2023)
    url = reverse("actions:indicator_delete", args=[action.pk, indicator.pk])
    client.force_login(staff)
    assert "il ne peut plus être supprimé" in text(client.get(url))

    response = client.post(url, {"version": 1})

    assert response.status_code == 400
    assert "Cet indicateur a des données de 2023, année close : il ne peut plus être supprimé." in text(response)
    assert Indicator.objects.count() == 1


def test_a_stale_delete_is_refused(client, staff, action):
    indicator = IndicatorFactory(action=action)
    client.force_login(staff)
    assert client.post(reverse("actions:indicator_create", args=[action.pk]), indicator_data(1)).status_code == 302
    response = client.post(reverse("actions:indicator_delete", args=[action.pk, indicator.pk]), {"version": 1})
    assert response.status_code == 409
    assert Indicator.objects.count() == 2


def test_an_indicator_of_another_action_is_not_found_through_this_one(client, staff, action):
    foreign = IndicatorFactory(action=ActionFactory(axe=action.axe))
    client.force_login(staff)
    assert client.get(reverse("actions:indicator_edit", args=[action.pk, foreign.pk])).status_code == 404
    assert (
        client.post(reverse("actions:indicator_delete", args=[action.pk, foreign.pk]), {"version": 1}).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["other_referent", "copil"])
def test_the_referent_of_another_action_and_copil_members_cannot_edit_indicators(client, action, who):
    user = UserFactory(username=who, copil=who == "copil")
    ActionFactory(axe=AxeFactory(pacte=action.pacte, number=9), number="9.1", referents=[user])
    indicator = IndicatorFactory(action=action)
    client.force_login(user)
    assert client.get(reverse("actions:edit_indicators", args=[action.pk])).status_code == 403
    for url in (
        reverse("actions:indicator_create", args=[action.pk]),
        reverse("actions:indicator_edit", args=[action.pk, indicator.pk]),
        reverse("actions:indicator_delete", args=[action.pk, indicator.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, indicator_data(1)).status_code == 403
    assert Indicator.objects.count() == 1


def test_indicator_pages_query_count_does_not_grow_with_the_indicators(client, staff, action):
    def add(n):
        for _ in range(n):
            indicator = IndicatorFactory(action=action)
            for year in (2022, 2023, 2024):
                IndicatorValueFactory(indicator=indicator, year=year)

    client.force_login(staff)
    add(1)
    first = Indicator.objects.get()
    urls = [
        reverse("actions:edit_indicators", args=[action.pk]),
        reverse("actions:indicator_edit", args=[action.pk, first.pk]),
    ]
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        small.append(len(queries))
    add(5)
    big = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        big.append(len(queries))
    assert big == small
