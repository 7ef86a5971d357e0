"""Import of a whole pacte from XLSX by the staff: preview with every error located, nothing written unless the
whole file is valid, one transaction, and the same file twice changes nothing."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions import views_io
from actions.enums import ActionStatus, PartnerRole
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Partner
from axes.models import Axe, Objectif, Pacte
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/import/pacte/"
CONFIRM_URL = "/import/pacte/confirmer/"


def default_sheets():
    return {
        "Pacte": [
            [
                "Identifiant",
                "Intitulé",
                "Territoire",
                "Première année",
                "Dernière année",
                "Date de signature",
                "Statut",
                "Présentation",
            ],
            ["pti-2026", "PTI 2026-2029", "Haute-Vienne", 2026, 2029, "15/01/2026", "En cours", "Le nouveau pacte."],
        ],
        "Axes": [
            ["Numéro", "Intitulé", "Description", "Référents thématiques"],
            [1, "Lever les freins", "", "theme@haute-vienne.example"],
            [2, "Accompagner vers l'emploi", None, None],
        ],
        "Objectifs": [
            ["Axe", "Numéro", "Intitulé"],
            [1, 1, "Mobilité"],
        ],
        "Actions": [
            [
                "Numéro",
                "Axe",
                "Objectif",
                "Intitulé",
                "Description",
                "Public visé",
                "Date de début",
                "Date de fin",
                "Priorité",
                "Statut",
                "Avancement (%)",
                "Référents",
            ],
            [
                "1.1",
                1,
                1,
                "Garage solidaire",
                "Réparations à prix coûtant.",
                "",
                "01/03/2026",
                "31/12/2027",
                "Haute",
                "À lancer",
                0,
                "ref@haute-vienne.example",
            ],
            ["2.1", 2, None, "Parrainage", None, None, None, None, None, None, None, None],
        ],
        "Partenaires": [
            ["Action", "Partenaire", "Type", "Rôle", "Montant (€)"],
            ["1.1", "France Travail", "Institutionnel", "Financeur", 12000],
            ["1.1", "Garage Solidaire 87", "Associatif", "Pilote", None],
        ],
        "Indicateurs": [
            [
                "Action",
                "Indicateur",
                "Unité",
                "Valeur de référence",
                "Plus c'est haut, mieux c'est",
                "Ordre",
                "Cible 2026",
                "Cible 2027",
            ],
            ["1.1", "Véhicules réparés", "véhicules", 0, "Oui", 0, 50, 80],
        ],
    }


def xlsx(sheets=None, **replace):
    sheets = {**default_sheets(), **(sheets or {}), **replace}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data, name="pacte.xlsx"):
    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.fixture
def people(db):
    return UserFactory(username="ref", email="ref@haute-vienne.example"), UserFactory(
        username="theme", email="Theme@Haute-Vienne.example"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def preview(client, data, name="pacte.xlsx"):
    return client.post(IMPORT_URL, {"file": upload(data, name)})


def token_of(response):
    return response.context["confirm"].initial["token"]


def assert_nothing_written():
    assert not Pacte.objects.exists()
    assert not Action.objects.exists()
    assert not Partner.objects.exists()


def messages_of(response):
    return [str(issue) for issue in response.context["issues"]]


# --- the happy path ---------------------------------------------------------------------------------------------


def test_preview_lists_what_would_be_created_and_writes_nothing(staff_client, people):
    response = preview(staff_client, xlsx())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Aperçu de l&#x27;import" in content or "Aperçu de l'import" in content
    assert "Il crée le pacte" in content
    summary = dict(response.context["summary"])
    assert summary["Actions"] == [("créés", 2)]
    assert summary["Cibles annuelles"] == [("créés", 2)]
    assert_nothing_written()


def test_confirm_writes_the_whole_pacte(staff_client, people):
    referent, thematic = people
    response = staff_client.post(CONFIRM_URL, {"token": token_of(preview(staff_client, xlsx()))})
    pacte = Pacte.objects.get(slug="pti-2026")
    assert response.status_code == 302 and response.url == pacte.get_absolute_url()
    assert pacte.first_year == 2026 and pacte.status == "active" and str(pacte.signature_date) == "2026-01-15"
    assert list(Axe.objects.get(pacte=pacte, number=1).thematic_referents.all()) == [thematic]
    assert Objectif.objects.get(axe__pacte=pacte).text == "Mobilité"
    garage = Action.objects.get(pacte=pacte, number="1.1")
    assert garage.objectif.number == 1 and garage.priority == "high" and garage.status == ActionStatus.TO_LAUNCH
    assert list(garage.referents.all()) == [referent]
    assert garage.end_date.isoformat() == "2027-12-31"
    funder = ActionPartner.objects.get(action=garage, role=PartnerRole.FUNDER)
    assert funder.partner.name == "France Travail" and funder.amount == Decimal("12000")
    indicator = Indicator.objects.get(action=garage)
    assert dict(IndicatorValue.objects.filter(indicator=indicator).values_list("year", "target")) == {
        2026: Decimal("50"),
        2027: Decimal("80"),
    }
    parrainage = Action.objects.get(pacte=pacte, number="2.1")
    assert parrainage.objectif is None and parrainage.status == ActionStatus.TO_LAUNCH


def test_reimporting_the_same_file_changes_nothing(staff_client, people):
    data = xlsx()
    staff_client.post(CONFIRM_URL, {"token": token_of(preview(staff_client, data))})
    action = Action.objects.get(number="1.1")
    history = action.history.count()

    again = preview(staff_client, data)
    assert again.context["plan"].is_noop
    assert "confirmer ne changera rien" in again.content.decode()
    staff_client.post(CONFIRM_URL, {"token": token_of(again)})

    action.refresh_from_db()
    assert action.version == 1 and action.history.count() == history
    assert Partner.objects.count() == 2 and ActionPartner.objects.count() == 2


def test_an_updated_file_updates_the_pacte_and_bumps_versions(staff_client, people):
    staff_client.post(CONFIRM_URL, {"token": token_of(preview(staff_client, xlsx()))})
    sheets = default_sheets()
    sheets["Actions"][1][3] = "Garage solidaire et location"
    sheets["Partenaires"] = sheets["Partenaires"][:2]
    response = preview(staff_client, xlsx(sheets))
    changes = {(c.kind, c.status): c for c in response.context["plan"].touched}
    assert changes[("action", "updated")].changed == ["intitulé"]
    assert ("action_partner", "deleted") in changes
    staff_client.post(CONFIRM_URL, {"token": token_of(response)})
    action = Action.objects.get(number="1.1")
    assert action.title == "Garage solidaire et location" and action.version == 2
    assert list(action.partner_roles.values_list("role", flat=True)) == [PartnerRole.FUNDER]


def test_import_is_written_in_one_transaction(staff_client, people, monkeypatch):
    token = token_of(preview(staff_client, xlsx()))

    def broken(*args, **kwargs):
        raise RuntimeError("panne au milieu de l'import")

    monkeypatch.setattr(IndicatorValue.objects, "create", broken)
    with pytest.raises(RuntimeError):
        staff_client.post(CONFIRM_URL, {"token": token})
    assert_nothing_written()


# --- malformed files: a clear report, nothing written ----------------------------------------------------


def test_wrong_headers_are_reported(staff_client, people):
    sheets = default_sheets()
    sheets["Actions"][0][0] = "Numero"
    response = preview(staff_client, xlsx(sheets))
    assert response.status_code == 400
    messages = messages_of(response)
    assert "Feuille « Actions », ligne 1 : la colonne « Numéro » est absente." in messages
    assert any(m.startswith("Feuille « Actions », ligne 1 : colonne « Numero » inconnue") for m in messages)
    assert "rien n&#x27;a été importé" in response.content.decode()
    assert_nothing_written()


def test_empty_sheet_is_reported(staff_client, people):
    response = preview(staff_client, xlsx(Actions=[]))
    assert response.status_code == 400
    assert any("Feuille « Actions » : La feuille est vide" in m for m in messages_of(response))
    assert_nothing_written()


def test_sheet_with_headers_only_is_reported(staff_client, people):
    response = preview(staff_client, xlsx(Actions=[default_sheets()["Actions"][0]]))
    assert "Feuille « Actions » : la feuille n'a aucune ligne de données." in messages_of(response)
    assert_nothing_written()


def test_missing_sheet_is_reported(staff_client, people):
    response = preview(staff_client, xlsx(Indicateurs=None))
    assert "La feuille « Indicateurs » est absente du classeur." in messages_of(response)


def test_a_20_mb_file_is_refused_before_parsing(staff_client, people, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("le fichier ne doit pas être ouvert")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    response = preview(staff_client, b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))
    assert response.status_code == 400
    assert any("trop volumineux (20,0\xa0Mio)" in m and "10,0\xa0Mio" in m for m in messages_of(response))
    assert_nothing_written()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n% un PDF renomme\n%%EOF\n",
        "Numéro;Intitulé\n1.1;Garage\n".encode(),
        b"PK\x03\x04 not really a zip",
    ],
    ids=["pdf", "csv", "broken-zip"],
)
def test_a_file_that_is_not_xlsx_is_refused(staff_client, people, content):
    response = preview(staff_client, content)
    assert response.status_code == 400
    assert any("n'est pas un classeur Excel (XLSX)" in m for m in messages_of(response))
    assert_nothing_written()


def test_a_zip_that_is_not_a_workbook_is_refused(staff_client, people):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    response = preview(staff_client, buffer.getvalue())
    assert any("n'est pas un classeur Excel" in m for m in messages_of(response))


def test_formulas_are_refused_with_their_cell(staff_client, people):
    sheets = default_sheets()
    sheets["Indicateurs"][1][6] = "=20+30"
    response = preview(staff_client, xlsx(sheets))
    assert response.status_code == 400
    messages = messages_of(response)
    assert any(
        m.startswith("Feuille « Indicateurs », ligne 2, colonne « Cible 2026 » : formule refusée") for m in messages
    )
    assert_nothing_written()


def test_duplicated_action_numbers_are_reported(staff_client, people):
    sheets = default_sheets()
    sheets["Actions"][2][0] = "1.1"
    sheets["Actions"][2][1] = 1
    response = preview(staff_client, xlsx(sheets))
    assert "Feuille « Actions », ligne 3, colonne « Numéro » : le numéro 1.1 figure déjà à la ligne 2." in messages_of(
        response
    )
    assert_nothing_written()


def test_unknown_referent_emails_are_reported(staff_client, people):
    sheets = default_sheets()
    sheets["Actions"][1][11] = "ref@haute-vienne.example, inconnu@ailleurs.example"
    response = preview(staff_client, xlsx(sheets))
    assert (
        "Feuille « Actions », ligne 2, colonne « Référents » : aucun utilisateur actif n'a l'adresse "
        "« inconnu@ailleurs.example » : créez son compte d'abord."
    ) in messages_of(response)
    assert_nothing_written()


def test_every_error_is_reported_at_once(staff_client, people):
    sheets = default_sheets()
    sheets["Pacte"][1][3] = "deux mille"
    sheets["Actions"][1][10] = 150
    sheets["Actions"][2][1] = 9
    sheets["Partenaires"][2][3] = "Sponsor"
    sheets["Indicateurs"][1][1] = None
    messages = messages_of(preview(staff_client, xlsx(sheets)))
    assert (
        "Feuille « Pacte », ligne 2, colonne « Première année » : un nombre entier est attendu, pas « deux mille »."
        in messages
    )
    assert (
        "Feuille « Actions », ligne 2, colonne « Avancement (%) » : l'avancement est un pourcentage, entre 0 et 100."
        in messages
    )
    assert "Feuille « Actions », ligne 3, colonne « Axe » : l'axe 9 n'est pas dans la feuille « Axes »." in messages
    assert any(
        m.startswith("Feuille « Partenaires », ligne 3, colonne « Rôle » : valeur « Sponsor » inconnue")
        for m in messages
    )
    assert "Feuille « Indicateurs », ligne 2, colonne « Indicateur » : cette cellule est obligatoire." in messages
    assert_nothing_written()


def test_dates_outside_the_pacte_and_amounts_of_non_funders_are_refused(staff_client, people):
    sheets = default_sheets()
    sheets["Actions"][1][7] = "31/12/2031"
    sheets["Partenaires"][2][4] = 500
    messages = messages_of(preview(staff_client, xlsx(sheets)))
    assert (
        "Feuille « Actions », ligne 2, colonne « Date de fin » : la date doit être comprise dans les années du pacte "
        "(de 2026 à 2029), pas en 2031." in messages
    )
    assert (
        "Feuille « Partenaires », ligne 3, colonne « Montant (€) » : seul un financeur apporte un montant." in messages
    )


def test_the_empty_template_is_not_a_valid_pacte(staff_client):
    template = staff_client.get(reverse("actions_io:import_template"))
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == [
        "Pacte",
        "Axes",
        "Objectifs",
        "Actions",
        "Partenaires",
        "Indicateurs",
        "Étapes",
        "Notice",
    ]
    assert [cell.value for cell in book["Actions"][1]][:3] == ["Numéro", "Axe", "Objectif"]
    messages = messages_of(preview(staff_client, template.content))
    assert "Feuille « Pacte », ligne 2 : la ligne du pacte est absente (ligne 2)." in messages
    assert_nothing_written()


# --- the confirmation is bound to the previewed file ------------------------------------------------------


def test_confirm_refuses_a_token_of_another_session(client, staff, people):
    client.force_login(staff)
    token = token_of(preview(client, xlsx()))
    other = UserFactory(username="collegue", staff=True)
    client.force_login(other)
    response = client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert "Cet aperçu a expiré ou ne vous appartient pas" in response.content.decode()
    assert_nothing_written()


def test_confirm_refuses_a_stored_file_changed_since_the_preview(staff_client, people):
    token = token_of(preview(staff_client, xlsx()))
    sheets = default_sheets()
    sheets["Pacte"][1][0] = "autre-pacte"
    views_io._stored_path(token).write_bytes(xlsx(sheets))
    response = staff_client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert "Cet aperçu a expiré" in response.content.decode()
    assert_nothing_written()


def test_confirm_checks_the_file_again_against_the_database(staff_client, people):
    token = token_of(preview(staff_client, xlsx()))
    people[0].delete()
    response = staff_client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 400
    assert any("ref@haute-vienne.example" in m for m in messages_of(response))
    assert_nothing_written()


def test_confirm_with_a_malformed_token_is_refused(staff_client):
    response = staff_client.post(CONFIRM_URL, {"token": "../../etc/passwd"}, follow=True)
    assert "Cet aperçu a expiré" in response.content.decode()


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user_fixture", ["referent", "copil_member"])
def test_only_staff_import_or_export_whole_pactes(client, request, user_fixture, people):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload(xlsx())}).status_code == 403
    assert client.get(reverse("actions_io:import_template")).status_code == 403
    assert_nothing_written()


def test_import_page_is_accessible_and_linked_from_the_menu(staff_client):
    response = staff_client.get(IMPORT_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_file">Classeur du pacte (XLSX)</label>' in content
    assert reverse("actions_io:import_template") in content
    assert 'aria-current="page">Importer un pacte</a>' in content


def test_errors_are_tied_to_the_file_field(staff_client, people):
    response = preview(staff_client, b"not a workbook")
    content = response.content.decode()
    assert "is-invalid" in content
    assert "<caption>Erreurs trouvées, par feuille, ligne et colonne</caption>" in content


def test_errors_are_listed_in_the_order_of_the_workbook(staff_client, people):
    sheets = default_sheets()
    sheets["Indicateurs"][1][6] = "=1+1"
    sheets["Actions"][2][9] = "Peut-être"
    sheets["Actions"][1][11] = "inconnu@ailleurs.example"
    sheets["Axes"][2][0] = "deux"
    issues = preview(staff_client, xlsx(sheets)).context["issues"]
    assert [(issue.sheet, issue.row, issue.column) for issue in issues] == [
        ("Axes", 3, "Numéro"),
        ("Actions", 2, "Référents"),
        ("Actions", 3, "Axe"),
        ("Actions", 3, "Statut"),
        ("Indicateurs", 2, "Cible 2026"),
    ]
