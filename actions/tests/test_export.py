"""Lists as spreadsheets: the action list with its filters, indicators with their yearly values, open decisions."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from actions.enums import ActionStatus
from actions.factories import ActionFactory, ActionPartnerFactory, IndicatorFactory, IndicatorValueFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    """ActionFactory numbers actions from a per-process sequence that no number may pass 999 (2.999): this module
    creates many actions, so it hands the sequence back at zero (each test's rows are rolled back anyway)."""
    yield
    ActionFactory.reset_sequence()


def workbook(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_lines(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text[1:].splitlines()]


@pytest.fixture
def plan(db):
    pacte = PacteFactory(title="PTI 2022-2025")
    axe = AxeFactory(pacte=pacte, number=2, title="Mobilité")
    done = ActionFactory(
        axe=axe, number="2.10", title="Garage solidaire", done=True, start_date=datetime.date(2022, 3, 1)
    )
    running = ActionFactory(axe=axe, number="2.9", title="=SOMME(A1:A3) n'est pas une formule", progress=35)
    ActionPartnerFactory(action=done, partner__name="France Travail", funder=True)
    indicator = IndicatorFactory(action=done, label="Véhicules réparés", unit="véhicules")
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("50"), value=Decimal("61.5"))
    return {"pacte": pacte, "done": done, "running": running, "indicator": indicator}


def test_action_list_xlsx_keeps_the_filters_and_has_one_sheet_per_kind(client, copil_member, plan):
    client.force_login(copil_member)
    response = client.get(reverse("actions_io:actions_xlsx"), {"statut": ActionStatus.DONE})
    assert response.status_code == 200
    assert 'attachment; filename="actions-' in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["Actions", "Indicateurs"]
    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    assert header[:4] == ["Pacte", "N° action", "Intitulé", "N° axe"]
    data = dict(zip(header, [cell for cell in actions[2]], strict=True))
    assert len(rows(actions)) == 2  # the header and the one finished action
    assert data["N° action"].value == "2.10" and data["N° action"].number_format == "@"
    assert data["N° axe"].value == 2
    assert data["Avancement (%)"].value == 100
    assert data["Date de début"].value == datetime.datetime(2022, 3, 1)
    assert data["Date de début"].number_format == "DD/MM/YYYY"
    assert data["Statut"].value == "Réalisée"
    assert data["Partenaires"].value == "France Travail (financeur)"
    assert actions.column_dimensions["C"].width == 50
    assert actions.freeze_panes == "A2"
    indicators = rows(book["Indicateurs"])
    assert indicators[0][3:10] == [
        "Indicateur",
        "Unité",
        "Valeur de référence",
        "Plus c'est haut, mieux c'est",
        "Année",
        "Cible",
        "Valeur",
    ]
    row_2023 = next(row for row in indicators if row[7] == 2023)
    assert row_2023[8:12] == [50, 61.5, 11.5, "Oui"]
    assert len(indicators) == 1 + 4  # one row per year of the pacte


def test_text_that_looks_like_a_formula_stays_text(client, copil_member, plan):
    client.force_login(copil_member)
    book = workbook(client.get(reverse("actions_io:actions_xlsx"), {"q": "SOMME"}))
    cell = book["Actions"]["C2"]
    assert cell.value == "'=SOMME(A1:A3) n'est pas une formule" and cell.data_type == "s"
    lines = csv_lines(client.get(reverse("actions_io:actions_csv"), {"q": "SOMME"}))
    assert lines[1][2] == "'=SOMME(A1:A3) n'est pas une formule"


def test_action_list_csv_is_french(client, copil_member, plan):
    client.force_login(copil_member)
    lines = csv_lines(client.get(reverse("actions_io:actions_csv"), {"pacte": plan["pacte"].slug}))
    header = lines[0]
    assert header[:3] == ["Pacte", "N° action", "Intitulé"]
    numbers = [line[1] for line in lines[1:]]
    assert numbers == ["2.9", "2.10"]
    done = dict(zip(header, lines[2], strict=True))
    assert done["Date de début"] == "01/03/2022" and done["En retard"] == "Non"


def test_indicators_csv_has_yearly_values_with_french_decimals(client, copil_member, plan):
    client.force_login(copil_member)
    lines = csv_lines(client.get(reverse("actions_io:indicators_csv"), {"statut": ActionStatus.DONE}))
    row = next(line for line in lines[1:] if line[7] == "2023")
    assert row[3] == "Véhicules réparés" and row[8:11] == ["50,00", "61,50", "11,50"]


def test_indicators_xlsx_respects_the_filters(client, copil_member, plan):
    client.force_login(copil_member)
    book = workbook(client.get(reverse("actions_io:indicators_xlsx"), {"statut": ActionStatus.IN_PROGRESS}))
    assert book.sheetnames == ["Indicateurs"]
    assert len(rows(book["Indicateurs"])) == 1


def test_open_decisions_export(client, copil_member):
    copil = CopilFactory(date=datetime.date(2023, 5, 4))
    DecisionFactory(copil=copil, text="Relancer les financeurs", due_date=datetime.date(2023, 9, 1))
    DecisionFactory(copil=copil, text="Déjà fait", status=DecisionStatus.DONE)
    client.force_login(copil_member)
    book = workbook(client.get(reverse("pilotage_io:decisions_xlsx")))
    data = rows(book["Décisions ouvertes"])
    assert [row[2] for row in data[1:]] == ["Relancer les financeurs"]
    assert data[1][1] == datetime.datetime(2023, 5, 4) and data[1][8] == "Oui"
    lines = csv_lines(client.get(reverse("pilotage_io:decisions_csv")))
    assert lines[1][2] == "Relancer les financeurs" and lines[1][6] == "01/09/2023"


def test_list_page_offers_export_links_that_keep_the_filters(client, copil_member, plan):
    client.force_login(copil_member)
    page = client.get(reverse("actions:list"), {"statut": "done", "page": 1}).content.decode()
    assert f'href="{reverse("actions_io:actions_xlsx")}?statut=done"' in page
    assert f'href="{reverse("actions_io:indicators_csv")}?statut=done"' in page
    links = client.get(reverse("actions_io:export_links"), {"q": "garage", "page": 3}).content.decode()
    assert f'href="{reverse("actions_io:actions_csv")}?q=garage"' in links


def test_each_export_label_stays_with_its_buttons(client, copil_member, plan):
    """The two groups of links wrap as wholes on a narrow screen: a label is never left at the end of a line with
    its buttons on the next one (each label and its buttons share one element)."""
    import lxml.html

    client.force_login(copil_member)
    links = lxml.html.fromstring(client.get(reverse("actions_io:export_links")).content.decode())
    groups = links.xpath("//*[@id='exports']/div")
    assert [
        [" ".join(element.text_content().split()) for element in group.xpath("./span | ./a")] for group in groups
    ] == [
        [
            "Exporter ces actions :",
            "Actions et indicateurs (XLSX)",
            "Actions (CSV)",
            "Indicateurs et valeurs annuelles (CSV)",
        ],
        ["Décisions ouvertes des COPIL :", "XLSX", "CSV"],
    ]


def test_exports_need_a_login(client, plan):
    response = client.get(reverse("actions_io:actions_xlsx"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_whole_pacte_export_is_for_staff(client, referent, staff, plan):
    url = reverse("actions_io:pacte_xlsx", args=[plan["pacte"].slug])
    client.force_login(referent)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    book = workbook(client.get(url))
    assert book.sheetnames == [
        "Pacte",
        "Axes",
        "Objectifs",
        "Actions",
        "Partenaires",
        "Indicateurs",
        "Étapes",
    ]
    assert rows(book["Indicateurs"])[0][-4:] == ["Cible 2022", "Cible 2023", "Cible 2024", "Cible 2025"]


def test_export_query_count_does_not_grow_with_the_list(client, copil_member, django_assert_max_num_queries):
    axe = AxeFactory()
    for index in range(30):
        action = ActionFactory(axe=axe, number=f"{axe.number}.{index + 1}")
        ActionPartnerFactory(action=action)
        IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2023)
    client.force_login(copil_member)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("actions_io:actions_xlsx"))
        assert response.status_code == 200 and response.getvalue().startswith(b"PK")


def test_the_xlsx_paints_statuses_and_indicator_states_with_the_pages_colours(client, staff):
    import io

    from openpyxl import load_workbook

    from actions.enums import ActionStatus
    from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory

    done = ActionFactory(status=ActionStatus.DONE, number="1.1")
    IndicatorValueFactory(indicator=IndicatorFactory(action=done), year=2024, target=10, value=5)
    client.force_login(staff)
    book = load_workbook(io.BytesIO(client.get(reverse("actions_io:actions_xlsx")).getvalue()))
    actions = book["Actions"]
    header = [cell.value for cell in actions[1]]
    status = actions.cell(row=2, column=header.index("Statut") + 1)
    assert status.value == "Réalisée" and status.fill.fgColor.rgb.endswith("146C43")  # done is green
    indicators = book["Indicateurs"]
    header = [cell.value for cell in indicators[1]]
    rows = [row for row in indicators.iter_rows(min_row=2) if row[header.index("Année")].value == 2024]
    reached = rows[0][header.index("Cible atteinte")]
    assert reached.value == "Non" and reached.fill.fgColor.rgb.endswith("B02A37")  # behind is red


def test_the_xlsx_download_starts_before_the_actions_are_read(client, copil_member):
    """The first bytes leave before a single action is read (the rows follow as they are read:
    pti/tests/test_spreadsheet.py); the file put back together opens with every row, frozen header and filter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    axe = AxeFactory(number=4, title="Emploi")
    for index in range(1, 41):
        ActionFactory(axe=axe, number=f"4.{index}", title=f"Action d'insertion numéro {index}")
    client.force_login(copil_member)
    response = client.get(reverse("actions_io:actions_xlsx"))
    parts = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        first = next(parts)
    assert first.startswith(b"PK\x03\x04") and len(first) < 1024
    assert not any("actions_action" in query["sql"] for query in queries.captured_queries)
    book = openpyxl.load_workbook(io.BytesIO(first + b"".join(parts)))
    sheet = book.worksheets[0]
    assert sheet.max_row == 41 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith("41")
    assert rows(sheet)[40][1:3] == ["4.40", "Action d'insertion numéro 40"]
