"""The pacte page adds the budgets up, by year and by axe (actions.figures.budget_totals)."""

import re

import pytest
from django.urls import reverse

from actions.factories import ActionFactory
from actions.models import ActionBudget
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


def cells(content, attribute, key):
    row = re.search(rf'<tr {attribute}="{key}">(.*?)</tr>', content, re.S)[1]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def test_pacte_page_shows_planned_and_actual_budgets_by_year_and_by_axe(client, copil_member):
    pacte = PacteFactory(slug="pti-budget", first_year=2022, last_year=2024)
    orienter = AxeFactory(pacte=pacte, number=1, title="Orienter")
    accompagner = AxeFactory(pacte=pacte, number=2, title="Accompagner")
    AxeFactory(pacte=pacte, number=3, title="Sans budget")
    first = ActionFactory(axe=orienter, number="1.1")
    second = ActionFactory(axe=accompagner, number="2.1")
    ActionBudget.objects.create(action=first, year=2022, planned=10000, actual=9000)
    ActionBudget.objects.create(action=first, year=2023, planned=12000, actual=None)  # not known yet
    ActionBudget.objects.create(action=second, year=2023, planned=5000, actual=5500)
    client.force_login(copil_member)
    content = client.get(reverse("actions:pacte_detail", args=[pacte.slug])).content.decode()
    assert "Budget prévu et réalisé" in content
    assert cells(content, "data-budget-year", "2022") == ["2022", "10\xa0000\xa0€", "9\xa0000\xa0€", "90 %"]
    # 5 500 € actual against the 5 000 € planned for the action that recorded it: 110 %, not 5 500 / 17 000.
    assert cells(content, "data-budget-year", "2023") == ["2023", "17\xa0000\xa0€", "5\xa0500\xa0€", "110 %"]
    assert cells(content, "data-budget-year", "2024") == ["2024", "0\xa0€", "—", "—"]
    assert cells(content, "data-budget-year", "total") == ["Total", "27\xa0000\xa0€", "14\xa0500\xa0€", "97 %"]
    assert cells(content, "data-budget-axe", "1") == ["1. Orienter", "22\xa0000\xa0€", "9\xa0000\xa0€", "90 %"]
    assert cells(content, "data-budget-axe", "2") == ["2. Accompagner", "5\xa0000\xa0€", "5\xa0500\xa0€", "110 %"]
    assert cells(content, "data-budget-axe", "3") == ["3. Sans budget", "—", "—", "—"]


def test_a_pacte_without_budgets_says_so(client, copil_member):
    pacte = PacteFactory(slug="pti-vide", first_year=2022, last_year=2024)
    client.force_login(copil_member)
    content = client.get(reverse("actions:pacte_detail", args=[pacte.slug])).content.decode()
    assert "Aucun budget n'est encore renseigné pour les actions de ce pacte." in content
