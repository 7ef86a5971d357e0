"""The API's choice filters: one of the listed values, or the parameter left out; given empty, a French 400 (the
schema's enum lists no empty value), never the whole list as if no filter had been asked."""

import pytest

pytestmark = pytest.mark.django_db

# endpoint, parameter, a value it lists
FILTERS = [
    ("/api/v1/partenaires/", "type", "associative"),
    ("/api/v1/comptes-rendus/", "etat", "submitted"),
    ("/api/v1/assises-propositions/", "suite", "not_retained"),
    ("/api/v1/decisions/", "statut", "open"),
    ("/api/v1/bilans/", "statut", "draft"),
]


@pytest.mark.parametrize(("url", "name", "value"), FILTERS)
def test_an_empty_choice_is_refused_in_french_and_a_listed_one_filters(client, staff, url, name, value):
    client.force_login(staff)

    empty = client.get(url, {name: ""})
    assert empty.status_code == 400
    assert "Valeur vide : choisissez parmi" in empty.json()[name][0]
    assert value in empty.json()[name][0]

    assert client.get(url).status_code == 200
    assert client.get(url, {name: value}).status_code == 200
    assert client.get(url, {name: "inconnue"}).status_code == 400
