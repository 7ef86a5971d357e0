"""No text typed by a user opens as a live formula in any spreadsheet the application writes (CSV and XLSX):
each formula prefix is typed into each exported text field, then every export is read back (CSV with the csv
module, XLSX with openpyxl) and no cell may start with a formula character. Numbers stay numbers."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from actions.exports import pacte_workbook_bytes
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from actions.importer import apply_import, plan_import, read_bytes
from actions.models import Action, Indicator, Partner
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Pacte
from pilotage.factories import CopilFactory, DecisionFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

# OWASP's examples and every prefix a spreadsheet may run: = + - @, tab, carriage return, full-width = + - @.
PAYLOADS = [
    '=HYPERLINK("https://x.invalid";"Clic")',  # 40 characters at most: an indicator's unit
    "+1+1",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff20SUM(1+1)",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
GUARDED = ["'" + payload for payload in PAYLOADS]


def hostile_data(payload):
    """Every text field that an export writes, starting with `payload`."""
    user = UserFactory(username="hostile", first_name=payload, last_name="Nom", email="=cmd@haute-vienne.example")
    pacte = PacteFactory(slug="pti-formules", title=payload, territory=payload, description=payload)
    axe = AxeFactory(pacte=pacte, number=1, title=payload, description=payload, thematic_referents=[user])
    objectif = ObjectifFactory(axe=axe, number=1, text=payload)
    action = ActionFactory(
        axe=axe,
        objectif=objectif,
        number="1.1",
        title=payload,
        description=payload,
        target_public=payload,
        referents=[user],
    )
    partner = PartnerFactory(name=payload, contact_name=payload)
    ActionPartnerFactory(action=action, partner=partner, funder=True)
    indicator = IndicatorFactory(action=action, label=payload, unit=payload, baseline=Decimal("12.5"))
    # Value below target: the gap is a negative number, which must stay a number.
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("50"), value=Decimal("20"))
    report = ProgressReportFactory(action=action, year=2023, advances="avant", difficulties="avant")
    for name in ("advances", "difficulties", "next_steps", "adjustments", "means"):
        setattr(report, name, payload)
    report._history_user = user
    report.save()
    copil = CopilFactory(pacte=pacte, agenda="avant")
    copil.agenda, copil.minutes, copil.place = payload, payload, payload
    copil._history_user = user
    copil.save()
    decision = DecisionFactory(copil=copil, action=action, owner=user, text=payload, follow_up="avant")
    decision.follow_up = payload
    decision._history_user = user
    decision.save()
    action.title = payload + " (modifiée)"
    action._history_user = user
    action.save()
    return pacte


def csv_rows(response):
    assert response.status_code == 200, response.getvalue()[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(data):
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), [cell.value for cell in row]
            rows.append([cell.value for cell in row])
    return rows


def exports(client, pacte):
    """{name: rows} of every spreadsheet the application writes."""

    def xlsx(url):
        response = client.get(url)
        assert response.status_code == 200, response.getvalue()[:500]
        return xlsx_rows(response.getvalue())

    return {
        "actions.xlsx": xlsx(reverse("actions_io:actions_xlsx")),
        "actions.csv": csv_rows(client.get(reverse("actions_io:actions_csv"))),
        "indicateurs.xlsx": xlsx(reverse("actions_io:indicators_xlsx")),
        "indicateurs.csv": csv_rows(client.get(reverse("actions_io:indicators_csv"))),
        "decisions.xlsx": xlsx(reverse("pilotage_io:decisions_xlsx")),
        "decisions.csv": csv_rows(client.get(reverse("pilotage_io:decisions_csv"))),
        "pacte.xlsx": xlsx(reverse("actions_io:pacte_xlsx", args=[pacte.slug])),
        "modele.xlsx": xlsx(reverse("actions_io:import_template")),
        "journal.csv": csv_rows(client.get(reverse("journal") + "?format=csv")),
    }


def is_plain_number(text):
    try:
        Decimal(text.replace(",", "."))
    except ArithmeticError:
        return False
    return text.lstrip("+-")[:1].isdigit()


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_no_exported_cell_starts_like_a_formula(client, staff, payload):
    pacte = hostile_data(payload)
    client.force_login(staff)
    for name, rows in exports(client, pacte).items():
        texts = [value for row in rows for value in row if isinstance(value, str)]
        formulas = [text for text in texts if text.startswith(FORMULA_START) and not is_plain_number(text)]
        assert not formulas, (name, formulas)
        if name != "modele.xlsx":
            # The payload is there, kept as text behind an apostrophe (not dropped, not altered: openpyxl writes
            # through lxml, which keeps a carriage return as a character reference).
            assert any(text.startswith("'" + payload) for text in texts), (name, texts[:40])


def test_the_user_texts_of_each_export_are_all_guarded(client, staff):
    """Field by field, for one payload: what a user typed comes out behind one apostrophe, nothing more."""
    payload = "-1+cmd|' /C calc'!A0"
    pacte = hostile_data(payload)
    client.force_login(staff)
    found = exports(client, pacte)
    guarded = "'" + payload

    actions = found["actions.csv"]
    row = dict(zip(actions[0], actions[1], strict=True))
    assert row["Pacte"] == row["Axe"] == guarded
    assert row["Intitulé"] == guarded + " (modifiée)"
    assert row["Référents"] == guarded + " Nom"
    assert row["Partenaires"] == guarded + " (financeur)"

    decisions = found["decisions.csv"]
    row = dict(zip(decisions[0], decisions[1], strict=True))
    assert row["Décision"] == row["Suivi"] == row["Responsable"].removesuffix(" Nom") == guarded

    indicators = found["indicateurs.csv"]
    row = next(dict(zip(indicators[0], line, strict=True)) for line in indicators[1:] if line[7] == "2023")
    assert row["Indicateur"] == row["Unité"] == guarded
    assert row["Valeur de référence"] == "12,50" and row["Écart"] == "-30,00"

    journal = found["journal.csv"]
    header = journal[0]
    lines = [dict(zip(header, line, strict=True)) for line in journal[1:]]
    for field in ("avancées de l'année", "difficultés rencontrées", "ordre du jour", "suivi"):
        change = next((line for line in lines if line["Champ"].lower() == field), None)
        assert change is not None, (field, [line["Champ"] for line in lines])
        assert change["Avant"] == "avant" and change["Après"] == guarded, change
        assert change["Par"] == guarded + " Nom"


def test_numbers_stay_numbers_in_xlsx(client, staff):
    pacte = hostile_data("=1+1")
    client.force_login(staff)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("actions_io:indicators_xlsx")).getvalue()))
    sheet = book["Indicateurs"]
    header = [cell.value for cell in sheet[1]]
    row = next(
        dict(zip(header, [cell.value for cell in line], strict=True))
        for line in sheet.iter_rows(min_row=2)
        if line[7].value == 2023
    )
    assert row["Valeur de référence"] == 12.5 and row["Écart"] == -30 and row["Année"] == 2023
    assert row["Indicateur"] == "'=1+1"
    assert pacte.title == "=1+1"


def test_a_pacte_exported_with_formula_like_texts_imports_back_unchanged(staff):
    payload = "=HYPERLINK(1)"
    pacte = hostile_data(payload)
    book = openpyxl.load_workbook(io.BytesIO(pacte_workbook_bytes(pacte)))
    book["Pacte"]["A2"] = "pti-copie"
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = read_bytes(buffer.getvalue())
    assert parsed.is_valid, [str(issue) for issue in parsed.issues]
    copy = apply_import(plan_import(parsed))

    assert copy.slug == "pti-copie" and copy.title == payload
    assert Pacte.objects.get(slug="pti-copie").description == payload
    action = Action.objects.get(pacte=copy)
    assert action.title == payload + " (modifiée)" and action.target_public == payload
    assert Indicator.objects.get(action=action).label == payload
    assert Partner.objects.filter(name=payload).count() == 1
    assert datetime.date(2022, 3, 1) == copy.signature_date
