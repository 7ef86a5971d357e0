"""The bilan's PDF, generated eagerly and read back: what the council reads, archival and accessible."""

import datetime
import hashlib
import re

import pytest
from django.utils import timezone

from actions.enums import ActionStatus, ReportState
from actions.models import Action, ProgressReport, number_sort_key
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from bilans import services
from bilans.enums import BilanStatus
from bilans.models import Bilan
from bilans.tests.builders import YEAR, small_pacte
from bilans.tests.pdfs import is_pdf_a, normalise, pdf_text, reader

pytestmark = pytest.mark.django_db

APPROVAL_DATE = datetime.date(2025, 3, 14)
REFERENCE = "CD-2025-03-042"


def generate(bilan, user, capture):
    with capture(execute=True):
        services.request_generation(bilan, user)
    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.GENERATED, bilan.error
    return bilan


def pdf_bytes(bilan):
    with bilan.pdf.open("rb") as handle:
        return handle.read()


def test_generated_pdf_holds_everything_the_council_reads(staff, django_capture_on_commit_callbacks):
    pacte = small_pacte()
    bilan = Bilan.objects.create(
        pacte=pacte, year=YEAR, introduction="Une année de consolidation.", conclusion="Cap sur 2025."
    )

    generate(bilan, staff, django_capture_on_commit_callbacks)

    data = pdf_bytes(bilan)
    assert hashlib.sha256(data).hexdigest() == bilan.pdf_sha256
    assert (bilan.generation_progress, bilan.generation_step, bilan.error) == (100, "done", "")
    text = pdf_text(data)
    cover = pdf_text(data, pages=[0])
    assert "Bilan 2024" in cover and "Pacte territorial d'insertion de test" in cover
    assert "Département de la Haute-Vienne" in cover
    assert "Projet – document de travail non approuvé" in cover
    # Table of contents with page numbers, and page numbers in the footer.
    toc = pdf_text(data, pages=[1])
    assert "Sommaire" in toc
    assert re.search(r"Axe 1\. Orienter et accompagner \.+ \d+", toc)
    assert re.search(r"Annexe : les partenaires du pacte \.+ \d+", toc)
    pages = len(reader(data).pages)
    assert f"Page 3 / {pages}" in text
    # Key figures of the year beside the previous year (the dashboard's definitions).
    assert "Chiffres clés 2024" in text and "Le pacte en 2024, à côté de 2023" in text
    assert "Avancement moyen 0 % 53 %" in text
    assert "Comptes rendus transmis 0 / 3 2 / 3" in text
    # Per axe: objectives, actions with status and progress, the referents' texts, indicators and previous year.
    for expected in [
        "Axe 1. Orienter et accompagner",
        "Axe 2. Emploi et entreprises",
        "1.1 Raccourcir les délais d'orientation",
        "Plateforme départementale d'orientation",
        "Garage solidaire de la mobilité",
        "Clauses sociales dans les marchés publics",
        "Camille Durand, Julien Morel",
        "Délai moyen d'orientation ramené à 28 jours.",
        "Recrutement difficile des conseillers.",
        "Permanences délocalisées à Saint-Junien.",
        "Douze marchés avec clause d'insertion.",
        "Compte rendu 2024 non transmis pour l'action : 1.2 (brouillon).",
        "Délai moyen d'orientation (jours) 30 28 41",
        "Heures d'insertion réalisées (heures) 12 000 12 345 9 876",
        # The dashboard's charts, with their data tables.
        "Actions par statut et par axe, 2024",
        "Avancement moyen des actions par axe, 2024",
    ]:
        assert expected in text, expected
    assert "Brouillon pas encore transmis" not in text
    # The year's COPIL: date, highlighted actions, decisions and their follow-up; not the previous year's.
    for expected in [
        "COPIL du 26 novembre 2024 – Hôtel du Département",
        "Délais divisés par deux en un an.",
        "Étendre la plateforme au nord du département.",
        "Étude de faisabilité lancée en janvier.",
    ]:
        assert expected in text, expected
    assert "COPIL de l'année précédente" not in text
    # Introduction, conclusion, and the partners by kind.
    assert "Une année de consolidation." in text and "Cap sur 2025." in text
    assert re.search(r"Institutionnel Partenaire Rôles Actions France Travail Pilote, partenaire opérationnel 2", text)
    assert "Associatif Partenaire Rôles Actions Emmaüs Connect Financeur 1" in text


def test_pdf_is_pdf_a_and_tagged_with_language_and_title(staff, django_capture_on_commit_callbacks):
    bilan = generate(Bilan.objects.create(pacte=small_pacte(), year=YEAR), staff, django_capture_on_commit_callbacks)

    data = pdf_bytes(bilan)
    pdf = reader(data)

    assert is_pdf_a(data)
    catalog = pdf.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert pdf.metadata.title == "Bilan 2024 – Pacte territorial d'insertion de test"


def test_snapshot_is_the_data_the_pdf_was_made_from(staff, django_capture_on_commit_callbacks):
    bilan = generate(Bilan.objects.create(pacte=small_pacte(), year=YEAR), staff, django_capture_on_commit_callbacks)

    snapshot = bilan.snapshot
    assert (snapshot["year"], snapshot["previous_year"], snapshot["pacte"]["slug"]) == (2024, 2023, "pti-test")
    actions = [action for axe in snapshot["axes"] for action in axe["actions"]]
    assert [a["number"] for a in actions] == ["1.1", "1.2", "2.1"]
    # The actions' states agree with the dashboard's key figures printed beside them.
    counts = {}
    for action in actions:
        counts[action["status"]] = counts.get(action["status"], 0) + 1
    dashboard_counts = {k: v for k, v in snapshot["dashboard"]["current"]["status_counts"].items() if v}
    assert counts == dashboard_counts == {"in_progress": 1, "to_launch": 1, "done": 1}
    assert actions[0]["report"]["advances"] == "Délai moyen d'orientation ramené à 28 jours."
    assert actions[1]["report"] == {
        "state": "draft",
        "submitted": False,
        "weather": "on_track",
        "weather_label": "en bonne voie",
        "advances": "",
        "difficulties": "",
        "adjustments": "",
        "next_steps": "",
    }


def test_approval_freezes_a_pdf_carrying_the_deliberation(staff, administrator, django_capture_on_commit_callbacks):
    pacte = small_pacte()
    bilan = generate(Bilan.objects.create(pacte=pacte, year=YEAR), staff, django_capture_on_commit_callbacks)
    generated_snapshot, generated_file = bilan.snapshot, bilan.pdf.name
    services.submit(bilan, staff)
    # Submitted a few days before the deliberation (the assembly cannot vote on it earlier).
    submitted_at = timezone.make_aware(datetime.datetime.combine(APPROVAL_DATE, datetime.time(9)))
    Bilan.objects.filter(pk=bilan.pk).update(submitted_at=submitted_at - datetime.timedelta(days=10))

    with django_capture_on_commit_callbacks(execute=True):
        services.request_approval(bilan, administrator, APPROVAL_DATE, REFERENCE)

    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.APPROVED and not bilan.approving
    assert (bilan.approval_date, bilan.deliberation_reference) == (APPROVAL_DATE, REFERENCE)
    data = pdf_bytes(bilan)
    assert hashlib.sha256(data).hexdigest() == bilan.pdf_sha256
    cover = pdf_text(data, pages=[0])
    assert "Bilan approuvé par l'assemblée départementale" in cover
    assert f"le 14 mars 2025, délibération n° {REFERENCE}" in cover
    assert "non approuvé" not in cover
    assert bilan.snapshot == generated_snapshot
    assert ClosedYear.objects.filter(pacte=pacte, year=YEAR).exists()
    approval = bilan.transitions.get(target=BilanStatus.APPROVED)
    assert approval.user == administrator
    # Only the approved file is kept.
    assert bilan.pdf.name != generated_file and not bilan.pdf.storage.exists(generated_file)


def test_user_text_shows_as_text_in_the_pdf(staff, django_capture_on_commit_callbacks):
    hostile = "<script>alert('x')</script> et <img src=x onerror=alert(1)> fin"
    pacte = small_pacte(advances=hostile, difficulties="<b>pas en gras</b>")
    bilan = Bilan.objects.create(pacte=pacte, year=YEAR, introduction="<h1>Pas un titre</h1>")

    text = pdf_text(pdf_bytes(generate(bilan, staff, django_capture_on_commit_callbacks)))

    assert normalise(hostile) in text
    assert "<b>pas en gras</b>" in text
    assert "<h1>Pas un titre</h1>" in text


def test_long_texts_still_give_a_correct_pdf(staff, django_capture_on_commit_callbacks):
    long_paragraphs = "\n\n".join(f"Paragraphe {i} : " + "l'action avance pas à pas. " * 40 for i in range(12))
    unbroken = "x" * 3000
    pacte = small_pacte(advances=long_paragraphs + " FIN-DES-AVANCÉES", difficulties=unbroken + " FIN-DU-MOT")
    bilan = Bilan.objects.create(pacte=pacte, year=YEAR, introduction="Introduction. " * 350)

    data = pdf_bytes(generate(bilan, staff, django_capture_on_commit_callbacks))

    text = pdf_text(data)
    assert "Paragraphe 11 :" in text and "FIN-DES-AVANCÉES" in text and "FIN-DU-MOT" in text
    assert text.replace(" ", "").count("x" * 100) >= 29  # the long word is wrapped, not cut
    assert is_pdf_a(data)


def test_two_thousand_actions_give_a_correct_pdf(staff, django_capture_on_commit_callbacks):
    pacte = PacteFactory(slug="grand-pacte", first_year=2022, last_year=2025)
    axes = [AxeFactory(pacte=pacte, number=n, title=f"Axe de test {n}") for n in range(1, 11)]
    actions = []
    for axe in axes:
        for i in range(1, 201):
            number = f"{axe.number}.{i}"
            actions.append(
                Action(
                    pacte=pacte,
                    axe=axe,
                    number=number,
                    sort_key=number_sort_key(number),
                    title=f"Action {number}",
                    status=ActionStatus.IN_PROGRESS,
                    progress=i % 101,
                )
            )
    Action.objects.bulk_create(actions, batch_size=500)
    reports = [
        ProgressReport(
            action=action,
            year=YEAR,
            state=ReportState.SUBMITTED,
            status=ActionStatus.IN_PROGRESS,
            progress=50,
            advances=f"Avancée de {action.number}.",
        )
        for action in Action.objects.filter(pacte=pacte, number__endswith="0")
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    bilan = Bilan.objects.create(pacte=pacte, year=YEAR)

    data = pdf_bytes(generate(bilan, staff, django_capture_on_commit_callbacks))

    pages = len(reader(data).pages)
    assert pages > 50
    # The last axe, at the end of the document (reading back every page would take longer than rendering them).
    end = pdf_text(data, pages=range(pages - 16, pages))
    assert "10.200 Action 10.200" in end and "Avancée de 10.200." in end
    assert f"Page {pages} / {pages}" in end
    assert len(bilan.snapshot["axes"][9]["actions"]) == 200
    assert is_pdf_a(data)
