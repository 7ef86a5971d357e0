"""The public page of a published pacte and its open data: anonymous, read-only, only what is published (never
a draft, a note or a COPIL), referents' names only when chosen, the JSON valid against its schema, the CSV
guarded, constant queries, cached, rate-limited; staff publish from the pacte's edit page."""

import csv
import datetime
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionStatus, ReportState
from actions.factories import (
    ActionFactory,
    FollowUpNoteFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgressReportFactory,
)
from axes.enums import PacteStatus
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Pacte
from bilans.enums import BilanStatus
from bilans.factories import BilanFactory
from pilotage.factories import CopilFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "static/opendata/pti-actions-1.0.schema.json").read_text())
DRAFT_TEXT = "Texte du brouillon que personne ne doit lire"


def published_pacte(slug="pti-public", *, names=False, actions=2, status=PacteStatus.ACTIVE):
    """A published pacte: axe 1 « Orienter » with objective 1.1, `actions` actions in it (action 1.1 with an
    indicator: 2022 target 100 value 80, 2023 target 120 value 130 from a draft report), a referent."""
    pacte = PacteFactory(
        slug=slug, title="PTI public", first_year=2022, last_year=2025, status=status, show_referent_names=names
    )
    Pacte.objects.filter(pk=pacte.pk).update(
        published=True, published_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    pacte.refresh_from_db()
    camille = UserFactory(username=f"camille-{slug}", first_name="Camille", last_name="Durand")
    axe = AxeFactory(pacte=pacte, number=1, title="Orienter et accompagner")
    objectif = ObjectifFactory(axe=axe, number=1, text="Raccourcir les délais d'orientation")
    first = None
    for n in range(1, actions + 1):
        action = ActionFactory(
            axe=axe,
            objectif=objectif,
            number=f"1.{n}",
            title=f"Action publique {n}",
            referents=[camille],
            status=ActionStatus.IN_PROGRESS,
            progress=40,
        )
        indicator = IndicatorFactory(action=action, label=f"Personnes orientées {n}", unit="personnes")
        IndicatorValueFactory(indicator=indicator, year=2022, target=Decimal("100"), value=Decimal("80"))
        IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("120"), value=Decimal("130"))
        ProgressReportFactory(action=action, year=2022, state=ReportState.SUBMITTED, advances="Rapport transmis")
        ProgressReportFactory(action=action, year=2023, state=ReportState.DRAFT, advances=DRAFT_TEXT)
        first = first or action
    return pacte, first


def approved_bilan(pacte, year=2022, content=b"%PDF-1.7\nbilan approuve\n"):
    return BilanFactory(
        pacte=pacte,
        year=year,
        status=BilanStatus.APPROVED,
        pdf=ContentFile(content, name=f"bilan-{year}.pdf"),
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        approval_date=datetime.date(year + 1, 3, 20),
        deliberation_reference=f"CD-{year + 1}-12",
    )


def get_json(client, pacte):
    response = client.get(reverse("public:open_data", args=[pacte.slug, "json"]))
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def get_csv(client, pacte):
    response = client.get(reverse("public:open_data", args=[pacte.slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


# --- who sees what ----------------------------------------------------------------------------------------


def test_anyone_reads_a_published_pacte_without_an_account(client):
    pacte, _action = published_pacte()

    response = client.get(reverse("public:pacte", args=[pacte.slug]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "PTI public",
        "Axe 1 – Orienter et accompagner",
        "Objectif 1.1 – Raccourcir les délais d&#x27;orientation",
        "Action publique 1",
        "En cours",
        'aria-valuenow="40"',
        "Personnes orientées 1 (personnes)",
        "Licence Ouverte 2.0",
        "Données à jour au",
    ]:
        assert text in content, text
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    # No staff navigation on the public page.
    assert "Mes actions" not in content and "Se déconnecter" not in content
    index = client.get(reverse("public:index"))
    assert index.status_code == 200 and "PTI public" in index.content.decode()


@pytest.mark.parametrize("route", ["pacte", "json", "csv"])
def test_an_unpublished_pacte_or_one_in_preparation_is_not_found(client, route):
    hidden = PacteFactory(slug="pti-interne", status=PacteStatus.ACTIVE)
    preparing = PacteFactory(slug="pti-prepa", status=PacteStatus.DRAFT)
    Pacte.objects.filter(pk=preparing.pk).update(published=True)  # refused by the form; the page refuses it too

    for slug in [hidden.slug, preparing.slug, "inconnu"]:
        url = (
            reverse("public:pacte", args=[slug])
            if route == "pacte"
            else reverse("public:open_data", args=[slug, route])
        )
        assert client.get(url).status_code == 404, url
    index = client.get(reverse("public:index")).content.decode()
    assert hidden.title not in index and preparing.title not in index
    assert "Aucun pacte n'est publié pour le moment." in index


def test_referent_names_stay_hidden_unless_staff_chose_to_show_them(client):
    hidden, _action = published_pacte("pti-anonyme")
    shown, _action = published_pacte("pti-nomme", names=True)

    assert "Durand" not in client.get(reverse("public:pacte", args=[hidden.slug])).content.decode()
    assert "referents" not in get_json(client, hidden)["actions"][0]
    assert {row["referents"] for row in get_csv(client, hidden)} == {""}

    assert "Référents : Camille Durand" in client.get(reverse("public:pacte", args=[shown.slug])).content.decode()
    assert get_json(client, shown)["actions"][0]["referents"] == ["Camille Durand"]
    assert {row["referents"] for row in get_csv(client, shown)} == {"Camille Durand"}


def test_drafts_notes_and_copil_minutes_never_show(client):
    pacte, action = published_pacte()
    FollowUpNoteFactory(action=action, text="Note interne de suivi")
    CopilFactory(pacte=pacte, minutes="Compte rendu interne du COPIL")

    page = client.get(reverse("public:pacte", args=[pacte.slug])).content.decode()
    body = client.get(reverse("public:open_data", args=[pacte.slug, "json"])).content.decode()
    text = client.get(reverse("public:open_data", args=[pacte.slug, "csv"])).content.decode()

    for content in (page, body, text):
        for secret in (DRAFT_TEXT, "Rapport transmis", "Note interne de suivi", "Compte rendu interne du COPIL"):
            assert secret not in content
    # The value of 2023 was entered in a draft report: its target is public, its value is not (yet).
    years = get_json(client, pacte)["actions"][0]["indicators"][0]["years"]
    assert years == [
        {"year": 2022, "target": 100, "value": 80},
        {"year": 2023, "target": 120, "value": None},
    ]


def test_a_value_is_published_once_its_report_is_transmitted(client):
    pacte, action = published_pacte(actions=1)
    action.reports.filter(year=2023).update(state=ReportState.SUBMITTED)
    # An update() leaves no history: a saved report (what the service does) is what moves the fingerprint.
    action.reports.get(year=2023).save()

    years = get_json(client, pacte)["actions"][0]["indicators"][0]["years"]

    assert years[1] == {"year": 2023, "target": 120, "value": 130}


# --- bilans -------------------------------------------------------------------------------------------------


def test_anyone_downloads_an_approved_bilan_of_a_published_pacte_and_nothing_else(client):
    pacte, _action = published_pacte()
    approved_bilan(pacte, 2022)
    content = b"%PDF-1.7\ngenere\n"
    BilanFactory(
        pacte=pacte,
        year=2023,
        status=BilanStatus.GENERATED,
        pdf=ContentFile(content, name="b.pdf"),
        pdf_sha256=hashlib.sha256(content).hexdigest(),
    )
    hidden = PacteFactory(slug="pti-interne")
    approved_bilan(hidden, 2022)

    page = client.get(reverse("public:pacte", args=[pacte.slug])).content.decode()
    assert "Bilan 2022 (PDF)" in page and "délibération CD-2023-12" in page
    assert "Bilan 2023" not in page

    response = client.get(reverse("public:bilan_pdf", args=[pacte.slug, 2022]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7\nbilan approuve\n"
    for slug, year in [(pacte.slug, 2023), (pacte.slug, 2024), (pacte.slug, 99999999999999999999), (hidden.slug, 2022)]:
        assert client.get(f"/public/{slug}/bilans/{year}.pdf").status_code == 404, (slug, year)


def test_an_altered_bilan_pdf_is_not_served(client):
    pacte, _action = published_pacte()
    bilan = approved_bilan(pacte, 2022)
    with bilan.pdf.storage.open(bilan.pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.7\nfalsifie\n")

    response = client.get(reverse("public:bilan_pdf", args=[pacte.slug, 2022]))

    assert response.status_code == 409
    assert "falsifie" not in response.content.decode()


# --- open data ----------------------------------------------------------------------------------------------


def test_the_json_follows_its_published_schema(client):
    pacte, action = published_pacte(names=True)
    ActionFactory(axe=action.axe, objectif=None, number="1.9", title="Sans objectif ni indicateur", start_date=None)

    document = get_json(client, pacte)

    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    assert SCHEMA["$id"] == "urn:pti:opendata:pti-actions:1.0" and SCHEMA["version"] == document["schema_version"]
    assert document["$schema"].endswith("/static/opendata/pti-actions-1.0.schema.json")
    assert document["licence"]["name"] == "Licence Ouverte / Open Licence version 2.0"
    assert document["pacte"]["url"].endswith("/public/pti-public/")
    first = document["actions"][0]
    assert (first["number"], first["axe"], first["objectif"], first["status"], first["progress"]) == (
        "1.1",
        {"number": 1, "title": "Orienter et accompagner"},
        {"code": "1.1", "text": "Raccourcir les délais d'orientation"},
        "in_progress",
        40,
    )
    assert document["actions"][-1]["objectif"] is None and document["actions"][-1]["indicators"] == []


def test_a_document_breaking_the_schema_is_refused_by_it():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema_version": "1.0", "actions": [{"number": 1}]}, SCHEMA)


def test_the_csv_has_one_row_per_action_indicator_and_year_and_keeps_formulas_as_text(client):
    pacte, action = published_pacte(actions=1)
    action.title = '=HYPERLINK("http://mal.example","clic")'
    action.save()
    ActionFactory(axe=action.axe, objectif=action.objectif, number="1.2", title="@SUM(1+1)")

    rows = get_csv(client, pacte)

    assert [(r["action_numero"], r["indicateur"], r["annee"], r["cible"], r["valeur"]) for r in rows] == [
        ("1.1", "Personnes orientées 1", "2022", "100", "80"),
        ("1.1", "Personnes orientées 1", "2023", "120", ""),
        ("1.2", "", "", "", ""),
    ]
    assert rows[0]["action_intitule"] == '\'=HYPERLINK("http://mal.example","clic")'
    assert rows[2]["action_intitule"] == "'@SUM(1+1)"
    assert {r["licence"] for r in rows} == {"Licence Ouverte / Open Licence version 2.0"}
    assert rows[0]["statut"] == "in_progress" and rows[0]["statut_libelle"] == "en cours"
    assert rows[0]["date_des_donnees"].startswith("20")


@pytest.mark.parametrize("route", ["pacte", "json", "csv"])
def test_queries_do_not_grow_with_the_pacte(client, route, django_assert_max_num_queries):
    small, _action = published_pacte("pti-petit", names=True, actions=1)
    big, _action = published_pacte("pti-grand", names=True, actions=12)
    counts = []
    for pacte in (small, big):
        url = (
            reverse("public:pacte", args=[pacte.slug])
            if route == "pacte"
            else reverse("public:open_data", args=[pacte.slug, route])
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(9):
        client.get(reverse("public:pacte", args=[big.slug]))


def test_open_data_is_served_from_the_cache_until_the_data_changes(client, django_assert_num_queries):
    pacte, action = published_pacte()
    url = reverse("public:open_data", args=[pacte.slug, "json"])
    first = client.get(url)

    with django_assert_num_queries(2):  # the pacte and the fingerprint of its data: nothing rebuilt
        second = client.get(url)
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304

    action.title = "Titre changé"
    action.save()
    third = client.get(url)
    assert "Titre changé" in third.content.decode() and third["ETag"] != first["ETag"]


def test_too_many_requests_are_refused_in_french(client, settings):
    settings.PTI_PUBLIC_MAX_REQUESTS = 2
    pacte, _action = published_pacte()
    url = reverse("public:open_data", args=[pacte.slug, "csv"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("public:pacte", args=[pacte.slug])).status_code == 200

    response = client.get(url)

    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.PTI_PUBLIC_WINDOW_SECONDS)
    assert "Trop de requêtes depuis votre adresse" in response.content.decode()


def test_the_public_pages_only_read(client):
    pacte, _action = published_pacte()
    assert client.post(reverse("public:pacte", args=[pacte.slug])).status_code == 405


# --- publishing -------------------------------------------------------------------------------------------


def edit_data(pacte, **overrides):
    data = {
        "title": pacte.title,
        "territory": pacte.territory,
        "first_year": pacte.first_year,
        "last_year": pacte.last_year,
        "signature_date": pacte.signature_date.isoformat(),
        "status": pacte.status,
        "description": pacte.description,
        "version": pacte.version,
    }
    data.update(overrides)
    return data


def test_staff_publish_a_pacte_from_its_edit_page_with_the_version_check(client, staff, administrator):
    pacte = PacteFactory(slug="pti-a-publier", status=PacteStatus.ACTIVE)
    url = reverse("axes:pacte_edit", args=[pacte.slug])
    client.force_login(staff)
    form = client.get(url).content.decode()
    assert "Afficher les noms des référents" in form and "Publié" in form

    assert client.post(url, edit_data(pacte, published="on")).status_code == 302
    pacte.refresh_from_db()
    assert pacte.published and pacte.published_at is not None and not pacte.show_referent_names
    assert pacte.version == 2
    client.logout()
    assert client.get(reverse("public:pacte", args=[pacte.slug])).status_code == 200

    stale = edit_data(pacte)  # version 2
    client.force_login(administrator)
    assert client.post(url, edit_data(pacte, published="on", show_referent_names="on")).status_code == 302
    client.force_login(staff)
    response = client.post(url, stale)  # unpublish, from version 2: someone saved version 3 meanwhile
    assert response.status_code == 409
    pacte.refresh_from_db()
    assert pacte.published and pacte.show_referent_names

    assert client.post(url, edit_data(pacte)).status_code == 302
    pacte.refresh_from_db()
    assert not pacte.published and pacte.published_at is None
    client.logout()
    assert client.get(reverse("public:pacte", args=[pacte.slug])).status_code == 404


def test_a_pacte_in_preparation_cannot_be_published(client, staff):
    pacte = PacteFactory(slug="pti-prepa", status=PacteStatus.DRAFT)
    client.force_login(staff)

    response = client.post(reverse("axes:pacte_edit", args=[pacte.slug]), edit_data(pacte, published="on"))

    assert response.status_code == 400
    assert "Un pacte en préparation ne peut pas être publié" in response.content.decode()
    pacte.refresh_from_db()
    assert not pacte.published and pacte.version == 1


def test_an_administrator_publishes_a_closed_pacte_from_the_admin(client, administrator):
    pacte = PacteFactory(slug="pti-2017-2021", title="PTI 2017-2021", first_year=2017, last_year=2021)
    Pacte.objects.filter(pk=pacte.pk).update(status=PacteStatus.CLOSED)
    client.force_login(administrator)
    data = {
        "title": pacte.title,
        "slug": pacte.slug,
        "territory": pacte.territory,
        "first_year": 2017,
        "last_year": 2021,
        "signature_date": "2017-01-10",
        "status": PacteStatus.CLOSED,
        "description": "",
        "published": "on",
        "axes-TOTAL_FORMS": 0,
        "axes-INITIAL_FORMS": 0,
        "axes-MIN_NUM_FORMS": 0,
        "axes-MAX_NUM_FORMS": 1000,
    }

    response = client.post(reverse("admin:axes_pacte_change", args=[pacte.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    pacte.refresh_from_db()
    assert pacte.published and pacte.published_at is not None
    client.logout()
    page = client.get(reverse("public:pacte", args=[pacte.slug]))
    assert page.status_code == 200 and "Clos" in page.content.decode()
