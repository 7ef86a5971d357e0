"""The partners' directory as XLSX and CSV, with the list's filters, read back: typed numbers, French headers, and
text that looks like a formula kept as text (pti.spreadsheet)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import PartnerKind, PartnerRole
from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Nom",
    "Type",
    "Contact",
    "E-mail",
    "Téléphone",
    "Site internet",
    "Nombre d'actions",
    "Montant financé (€)",
]


@pytest.fixture
def partners():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025")
    axe = AxeFactory(pacte=pacte, number=1)
    first, second = ActionFactory(axe=axe, number="1.1"), ActionFactory(axe=axe, number="1.2")
    france = PartnerFactory(
        name="France Travail",
        kind=PartnerKind.INSTITUTIONAL,
        contact_name="Claire Martin",
        email="claire.martin@francetravail.example",
        website="https://www.francetravail.fr",
    )
    ActionPartnerFactory(action=first, partner=france, role=PartnerRole.FUNDER, amount=Decimal("12500.50"))
    ActionPartnerFactory(action=second, partner=france, role=PartnerRole.PILOT)
    PartnerFactory(name='=HYPERLINK("http://pirate.example")', kind=PartnerKind.OTHER, contact_name="@SUM(1+1)")
    return pacte


def test_the_xlsx_export_holds_the_filtered_list_with_numbers_as_numbers(client, referent, partners):
    client.force_login(referent)
    response = client.get(reverse("partners:export_xlsx"), {"type": PartnerKind.INSTITUTIONAL})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="partenaires-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.title == "Partenaires"
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert values[1:] == [
        (
            "France Travail",
            "Institutionnel",
            "Claire Martin",
            "claire.martin@francetravail.example",
            None,
            "https://www.francetravail.fr",
            2,
            12500.5,
        )
    ]


def test_the_xlsx_export_keeps_formula_like_names_as_text(client, referent, partners):
    client.force_login(referent)
    response = client.get(reverse("partners:export_xlsx"), {"q": "pirate"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    name, contact = sheet.cell(2, 1), sheet.cell(2, 3)
    assert name.value == '\'=HYPERLINK("http://pirate.example")' and name.data_type == "s"
    assert contact.value == "'@SUM(1+1)" and contact.data_type == "s"


def test_the_csv_export_is_french_and_guarded(client, referent, partners):
    client.force_login(referent)
    response = client.get(reverse("partners:export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1] == ['\'=HYPERLINK("http://pirate.example")', "Autre", "'@SUM(1+1)", "", "", "", "0", ""]
    assert rows[2] == [
        "France Travail",
        "Institutionnel",
        "Claire Martin",
        "claire.martin@francetravail.example",
        "",
        "https://www.francetravail.fr",
        "2",
        "12500,50",
    ]


def test_the_export_of_one_pacte_says_its_figures_are_the_pactes(client, referent, partners):
    other = ActionFactory(axe=AxeFactory(pacte=PacteFactory(slug="pti-2017-2021", first_year=2017, last_year=2021)))
    ActionPartnerFactory(action=other, partner=PartnerFactory(name="France Travail"), funder=True)
    client.force_login(referent)
    response = client.get(reverse("partners:export_csv"), {"pacte": "pti-2022-2025"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8")[1:]), delimiter=";"))
    assert rows[0][6:] == ["Nombre d'actions (pacte PTI 2022-2025)", "Montant financé (€) (pacte PTI 2022-2025)"]
    assert rows[1:] == [
        [
            "France Travail",
            "Institutionnel",
            "Claire Martin",
            "claire.martin@francetravail.example",
            "",
            "https://www.francetravail.fr",
            "2",
            "12500,50",
        ]
    ]
