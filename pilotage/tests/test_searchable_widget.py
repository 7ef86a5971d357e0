"""The searchable multi-select (pti.widgets.SearchableSelectMultiple): native checkboxes in a named group, a filter
box that the script reveals, a count of what is chosen; the COPIL form uses it for users and partners."""

import html

import pytest
from django import forms
from django.urls import reverse

from actions.factories import PartnerFactory
from axes.factories import PacteFactory
from pti.widgets import SearchableSelectMultiple

pytestmark = pytest.mark.django_db


class FruitForm(forms.Form):
    fruits = forms.MultipleChoiceField(
        label="Fruits",
        choices=[("p", "Pomme"), ("o", "Orange"), ("c", "Cerise")],
        widget=SearchableSelectMultiple(label="Fruits du panier"),
        help_text="Cochez les fruits.",
    )


def test_the_widget_renders_checkboxes_in_a_labelled_group_with_a_hidden_filter():
    rendered = str(FruitForm(initial={"fruits": ["o", "c"]})["fruits"])
    assert 'role="group" aria-label="Fruits du panier"' in rendered
    assert '<input class="form-check-input" type="checkbox" name="fruits" value="o"' in rendered
    assert 'id="id_fruits_1" checked>' in rendered
    assert '<label class="form-check-label" for="id_fruits_0">Pomme</label>' in rendered
    # The filter is there for the script to reveal: without JavaScript the checkboxes are enough.
    assert '<div class="pti-searchable-tools" data-pti-tools hidden>' in rendered
    assert (
        '<label class="form-label small mb-1" for="id_fruits_filtre">Filtrer la liste « Fruits du panier »</label>'
        in (html.unescape(rendered))
    )
    assert 'aria-live="polite" data-pti-status>2 choisis sur 3</p>' in rendered
    assert "pti/js/searchable-select.js" in str(FruitForm().media)


def test_the_count_takes_the_singular_for_zero_and_one():
    assert "data-pti-status>0 choisi sur 3</p>" in str(FruitForm()["fruits"])
    assert "data-pti-status>1 choisi sur 3</p>" in str(FruitForm(initial={"fruits": ["p"]})["fruits"])


def test_the_widget_posts_like_a_multiple_select():
    form = FruitForm({"fruits": ["p", "c"]})
    assert form.is_valid() and form.cleaned_data["fruits"] == ["p", "c"]
    refused = FruitForm({"fruits": ["z"]})
    assert not refused.is_valid()
    assert "Sélectionnez un choix valide" in refused.errors["fruits"][0]


def test_the_copil_form_lists_users_and_partners_with_the_widget_and_no_ctrl_click(client, staff):
    pacte = PacteFactory(slug="pti-widget", first_year=2022, last_year=2025)
    PartnerFactory(name="France Travail")
    client.force_login(staff)
    page = html.unescape(client.get(reverse("pilotage:copil_create", args=[pacte.slug])).content.decode())
    assert 'role="group" aria-label="Participants ayant un compte"' in page
    assert 'role="group" aria-label="Partenaires présents"' in page
    assert '<label class="form-check-label" for="id_partners_0">France Travail</label>' in page
    assert "Ctrl" not in page
    assert '<script src="/static/pti/js/searchable-select.js"></script>' in page
    assert '<link href="/static/pti/css/widgets.css" media="all" rel="stylesheet">' in page


def test_a_refused_choice_marks_the_widget_invalid_and_shows_the_message(client, staff):
    pacte = PacteFactory(slug="pti-widget", first_year=2022, last_year=2025)
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_create", args=[pacte.slug]),
        {"version": 0, "date": "2024-11-26", "partners": ["999999"]},
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert '<div class="pti-searchable is-invalid" data-pti-searchable' in page
    assert "Sélectionnez un choix valide. 999999 n’en fait pas partie." in page
