"""The bilan pages, for each role: read by everyone, changed by département staff only, frozen once approved."""

import datetime
import hashlib
import logging

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.factories import ActionFactory
from actions.models import Action
from axes.factories import PacteFactory
from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.tests.builders import YEAR, small_pacte
from bilans.tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% bilan de test\n%%EOF\n"
REFERENCE = "CD-2025-03-042"


def url(name, pacte, year=YEAR):
    return reverse(f"bilans:{name}", args=[pacte.slug, year])


def generated(pacte=None, status=S.GENERATED, **kwargs):
    bilan = BilanFactory(pacte=pacte or small_pacte(), year=YEAR, status=status, **kwargs)
    bilan.pdf.save("bilan.pdf", ContentFile(PDF), save=False)
    Bilan.objects.filter(pk=bilan.pk).update(
        pdf=bilan.pdf.name,
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        snapshot={"introduction": "", "conclusion": ""},
        generation_finished_at=timezone.now(),
    )
    bilan.refresh_from_db()
    return bilan


def body(response):
    return response.content.decode().replace("&#x27;", "'")


def downloaded(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# Reading


@pytest.mark.parametrize("role", ["referent", "copil_member", "staff"])
def test_every_role_reads_the_bilans_list_and_downloads_a_generated_pdf(client, request, role):
    bilan = generated()
    client.force_login(request.getfixturevalue(role))

    listing = client.get(reverse("bilans:list"))

    assert listing.status_code == 200
    content = body(listing)
    assert "Pacte territorial d'insertion de test" in content and "Généré" in content
    assert url("pdf", bilan.pacte) in content
    assert downloaded(client.get(url("pdf", bilan.pacte))) == PDF


def test_list_shows_every_year_of_every_pacte_with_its_status(client, staff):
    approved = generated(status=S.SUBMITTED)
    Bilan.objects.filter(pk=approved.pk).update(
        status=S.APPROVED, approval_date=datetime.date(2025, 3, 14), deliberation_reference=REFERENCE
    )
    other = PacteFactory(slug="pti-2017", title="PTI 2017-2021", first_year=2017, last_year=2021)
    BilanFactory(pacte=other, year=2019, status=S.FAILED)
    client.force_login(staff)

    content = body(client.get(reverse("bilans:list")))

    assert f"Approuvé le 14 mars 2025 (délibération {REFERENCE})" in content
    assert "PTI 2017-2021" in content and "Échec de la génération" in content
    assert content.count("Pas encore commencé") == 3 + 4  # the years without a bilan
    assert url("campaign", other, 2021) in content  # staff may open any year's campaign


def test_anonymous_is_sent_to_the_login_page(client):
    bilan = generated()
    for name in ("detail", "pdf"):
        response = client.get(url(name, bilan.pacte))
        assert response.status_code == 302 and "/comptes/login/" in response["Location"]


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_readers_see_the_bilan_without_any_form(client, request, role):
    bilan = generated(introduction="Une année de consolidation.")
    client.force_login(request.getfixturevalue(role))

    content = body(client.get(url("detail", bilan.pacte)))

    assert "Une année de consolidation." in content
    assert "Télécharger le PDF" in content
    for button in ("Générer", "Soumettre à l'assemblée", "Enregistrer l'approbation", "Enregistrer les textes"):
        assert button not in content


@pytest.mark.parametrize("role", ["referent", "copil_member"])
@pytest.mark.parametrize("action", ["texts", "generate", "submit", "approve", "reject"])
def test_readers_cannot_change_a_bilan(client, request, role, action):
    bilan = generated()
    client.force_login(request.getfixturevalue(role))
    data = {
        "introduction": "Réécrite",
        "conclusion": "",
        "version": bilan.version,
        "approval_date": "2025-03-14",
        "deliberation_reference": REFERENCE,
        "rejection_reason": "Non.",
    }

    response = client.post(url(action, bilan.pacte), data)

    assert response.status_code == 403
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.introduction, stored.version) == (S.GENERATED, "", bilan.version)
    assert not BilanTransition.objects.exists()


def test_readers_cannot_open_a_campaign(client, referent):
    pacte = small_pacte()
    client.force_login(referent)
    response = client.post(url("campaign", pacte), {"deadline": "2099-01-31", "version": 0})
    assert response.status_code == 403


def test_unknown_pacte_or_year_outside_the_pacte_is_a_404(client, staff):
    pacte = small_pacte()
    client.force_login(staff)
    assert client.get(url("detail", pacte, 2030)).status_code == 404
    assert client.get(reverse("bilans:detail", args=["inconnu", 2024])).status_code == 404
    assert client.post(url("generate", pacte, 2030)).status_code == 404


def test_bilan_without_pdf_has_no_download(client, staff):
    pacte = small_pacte()
    client.force_login(staff)
    assert client.get(url("pdf", pacte)).status_code == 404
    BilanFactory(pacte=pacte, year=YEAR)
    assert client.get(url("pdf", pacte)).status_code == 404


# The whole workflow through the pages


def test_staff_takes_a_bilan_from_draft_to_approval_through_the_pages(client, staff, referent, transactional_db):
    """Committed transactions, as in production: the eager task runs when the request's transaction commits."""
    pacte = small_pacte()
    client.force_login(staff)
    page = client.get(url("detail", pacte))
    assert page.status_code == 200 and "Pas encore commencé" in body(page)
    assert not Bilan.objects.exists()  # looking does not create anything

    response = client.post(
        url("texts", pacte),
        {"introduction": "Une année de consolidation.", "conclusion": "Cap sur 2025.", "version": 1},
    )
    assert response.status_code == 302
    bilan = Bilan.objects.get(pacte=pacte, year=YEAR)
    assert (bilan.status, bilan.introduction) == (S.DRAFT, "Une année de consolidation.")

    response = client.post(url("generate", pacte), follow=True)
    content = body(response)
    assert "Le bilan a été généré : son PDF est prêt." in content
    bilan.refresh_from_db()
    assert bilan.status == S.GENERATED
    text = pdf_text(downloaded(client.get(url("pdf", pacte))))
    assert "Une année de consolidation." in text and "Délai moyen d'orientation ramené à 28 jours." in text

    # Submitting asks once: what is still missing, and that approval will freeze the bilan.
    asked = body(client.post(url("submit", pacte)))
    assert "Soumettre le bilan 2024 à l'assemblée départementale ?" in asked
    assert "sera figé" in asked and "ne pourront plus être modifiés" in asked
    assert Bilan.objects.get(pk=bilan.pk).status == S.GENERATED
    response = client.post(url("submit", pacte), {"confirmed": "1"}, follow=True)
    assert "Le bilan a été soumis à l'assemblée départementale." in body(response)
    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED

    today = timezone.localdate()  # the assembly votes on a submitted bilan: not before its submission
    approval = {"approval_date": today.isoformat(), "deliberation_reference": REFERENCE}
    asked = body(client.post(url("approve", pacte), approval))
    assert "Enregistrer l'approbation du bilan 2024 ?" in asked and "L'année 2024 sera close" in asked
    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED
    response = client.post(url("approve", pacte), {**approval, "confirmed": "1"}, follow=True)
    content = body(response)
    assert "Le bilan est approuvé : son PDF et ses données sont figés." in content
    assert f"délibération n° {REFERENCE}" in content
    bilan.refresh_from_db()
    assert bilan.status == S.APPROVED
    text = pdf_text(downloaded(client.get(url("pdf", pacte))))
    assert f"délibération n° {REFERENCE}" in text
    assert [(t.source, t.target, t.user) for t in bilan.transitions.order_by("at", "pk")] == [
        (S.DRAFT, S.GENERATING, staff),
        (S.GENERATING, S.GENERATED, None),
        (S.GENERATED, S.SUBMITTED, staff),
        (S.SUBMITTED, S.APPROVED, staff),
    ]
    history = body(client.get(url("detail", pacte)))
    assert "Historique du circuit de validation" in history and str(staff) in history

    # The year's reports are read-only now.
    action = Action.objects.get(pacte=pacte, number="1.1")
    action.referents.add(referent)
    client.force_login(referent)
    assert client.get(reverse("actions:report_edit", args=[action.pk, YEAR])).status_code == 403
    assert client.post(reverse("actions:report_edit", args=[action.pk, YEAR]), {"advances": "x"}).status_code == 403


@pytest.mark.parametrize(
    "action, data",
    [
        ("generate", {}),
        ("texts", {"introduction": "Réécrite après le vote", "conclusion": ""}),
        ("submit", {}),
        ("approve", {"approval_date": "2025-04-01", "deliberation_reference": "CD-AUTRE"}),
        ("reject", {"rejection_reason": "Trop tard."}),
    ],
)
def test_nothing_changes_an_approved_bilan(client, staff, action, data):
    bilan = generated(status=S.SUBMITTED)
    Bilan.objects.filter(pk=bilan.pk).update(
        status=S.APPROVED, approval_date=datetime.date(2025, 3, 14), deliberation_reference=REFERENCE
    )
    bilan.refresh_from_db()
    client.force_login(staff)

    response = client.post(url(action, bilan.pacte), {**data, "version": bilan.version})

    assert response.status_code == 409
    assert "Ce bilan a été approuvé par l'assemblée départementale" in body(response)
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.version, stored.pdf_sha256, stored.introduction, stored.deliberation_reference) == (
        S.APPROVED,
        bilan.version,
        bilan.pdf_sha256,
        "",
        REFERENCE,
    )
    assert not BilanTransition.objects.exists()


def test_submitting_a_draft_is_refused_with_a_french_message(client, staff):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR)
    client.force_login(staff)

    response = client.post(url("submit", bilan.pacte), {"confirmed": "1"})

    assert response.status_code == 409
    assert "Seul un bilan généré peut être soumis à l'assemblée." in body(response)
    assert Bilan.objects.get(pk=bilan.pk).status == S.DRAFT


def test_generating_twice_is_refused(client, staff):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR, status=S.GENERATING, generation_heartbeat_at=timezone.now())
    client.force_login(staff)

    response = client.post(url("generate", bilan.pacte))

    assert response.status_code == 409
    assert "Une génération de ce bilan est déjà en cours." in body(response)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"approval_date": "2025-03-14", "deliberation_reference": ""}, "Ce champ est obligatoire."),
        ({"approval_date": "", "deliberation_reference": REFERENCE}, "Ce champ est obligatoire."),
        ({"approval_date": "14/03/2025x", "deliberation_reference": REFERENCE}, "Saisissez une date valide."),
        ({"approval_date": "2099-01-01", "deliberation_reference": REFERENCE}, "ne peut pas être dans le futur"),
        ({"approval_date": "2025-03-14", "deliberation_reference": "x" * 121}, "au plus 120 caractères"),
    ],
)
def test_approval_with_bad_input_is_a_400_and_changes_nothing(client, staff, data, error):
    bilan = generated(status=S.SUBMITTED)
    client.force_login(staff)

    response = client.post(url("approve", bilan.pacte), data)

    assert response.status_code == 400
    assert error in body(response)
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.approving, stored.deliberation_reference) == (S.SUBMITTED, False, "")


def test_rejection_needs_a_reason_then_the_bilan_goes_back_to_draft_when_corrected(client, staff):
    bilan = generated(status=S.SUBMITTED)
    client.force_login(staff)

    assert client.post(url("reject", bilan.pacte), {"rejection_reason": "  "}).status_code == 400
    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED

    response = client.post(url("reject", bilan.pacte), {"rejection_reason": "Indicateurs de l'axe 2 incomplets."})
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert (bilan.status, bilan.rejection_reason) == (S.REJECTED, "Indicateurs de l'axe 2 incomplets.")
    page = body(client.get(url("detail", bilan.pacte)))
    assert "Rejeté par l'assemblée :" in page and "Indicateurs de l'axe 2 incomplets." in page
    assert "Générer de nouveau" in page

    response = client.post(
        url("texts", bilan.pacte), {"introduction": "Corrigée.", "conclusion": "", "version": bilan.version}
    )
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert (bilan.status, bilan.introduction) == (S.DRAFT, "Corrigée.")
    logged = bilan.transitions.order_by("-at", "-pk").first()
    assert (logged.source, logged.target, logged.user) == (S.REJECTED, S.DRAFT, staff)


def test_editing_the_texts_of_a_generated_bilan_asks_for_a_new_generation(client, staff):
    bilan = generated()
    client.force_login(staff)

    client.post(url("texts", bilan.pacte), {"introduction": "Nouvelle.", "conclusion": "", "version": bilan.version})

    bilan.refresh_from_db()
    assert bilan.status == S.DRAFT
    page = body(client.get(url("detail", bilan.pacte)))
    assert "Ces textes ont changé depuis la dernière génération" in page
    assert "Télécharger le PDF" not in page


def test_texts_too_long_are_a_400(client, staff):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR)
    client.force_login(staff)

    response = client.post(
        url("texts", bilan.pacte), {"introduction": "x" * 5001, "conclusion": "", "version": bilan.version}
    )

    assert response.status_code == 400
    assert "au plus 5000 caractères" in body(response).replace("\u202f", "").replace("\xa0", "")
    assert Bilan.objects.get(pk=bilan.pk).introduction == ""


def test_texts_saved_by_someone_else_meanwhile_are_a_conflict(client, staff, administrator):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR)
    client.force_login(administrator)
    client.post(url("texts", bilan.pacte), {"introduction": "Celle de l'admin.", "conclusion": "", "version": 1})
    client.force_login(staff)

    response = client.post(url("texts", bilan.pacte), {"introduction": "La mienne.", "conclusion": "", "version": 1})

    assert response.status_code == 409
    content = body(response)
    assert "Modification concurrente" in content and "Celle de l'admin." in content
    assert Bilan.objects.get(pk=bilan.pk).introduction == "Celle de l'admin."


# Downloads are checked


def test_altered_pdf_is_refused_with_a_message_and_logged(client, staff, caplog):
    bilan = generated()
    with open(bilan.pdf.path, "wb") as handle:
        handle.write(PDF.replace(b"test", b"faux"))
    client.force_login(staff)

    with caplog.at_level(logging.ERROR, logger="bilans.services"):
        response = client.get(url("pdf", bilan.pacte))

    assert response.status_code == 409
    assert "ne correspond plus à son empreinte SHA-256" in body(response)
    assert response["Content-Type"].startswith("text/html")
    assert any("SHA-256" in record.getMessage() for record in caplog.records)


def test_missing_pdf_file_is_a_410_with_a_message(client, staff):
    bilan = generated()
    bilan.pdf.storage.delete(bilan.pdf.name)
    client.force_login(staff)

    response = client.get(url("pdf", bilan.pacte))

    assert response.status_code == 410
    assert "introuvable" in body(response)


def test_altered_pdf_cannot_be_submitted(client, staff):
    bilan = generated()
    with open(bilan.pdf.path, "ab") as handle:
        handle.write(b"%% ajout\n")
    client.force_login(staff)

    response = client.post(url("submit", bilan.pacte), {"confirmed": "1"})

    assert response.status_code == 409
    assert Bilan.objects.get(pk=bilan.pk).status == S.GENERATED


def test_approved_pdf_is_served_under_its_own_name(client, copil_member):
    bilan = generated(status=S.SUBMITTED)
    Bilan.objects.filter(pk=bilan.pk).update(
        status=S.APPROVED, approval_date=datetime.date(2025, 3, 14), deliberation_reference=REFERENCE
    )
    client.force_login(copil_member)

    response = client.get(url("pdf", bilan.pacte))

    assert downloaded(response) == PDF
    assert 'filename="bilan-pti-test-2024-approuve.pdf"' in response["Content-Disposition"]


# Progress


def test_progress_is_polled_while_the_job_runs_then_the_page_reloads(client, staff):
    bilan = BilanFactory(
        pacte=small_pacte(),
        year=YEAR,
        status=S.GENERATING,
        generation_step="rendering",
        generation_progress=35,
        generation_started_at=timezone.now(),
        generation_heartbeat_at=timezone.now(),
    )
    client.force_login(staff)

    page = body(client.get(url("detail", bilan.pacte)))
    assert 'data-hx-trigger="every 1s"' in page and "Mise en page du PDF" in page
    assert 'aria-valuenow="35"' in page and "width: 35%" in page

    part = client.get(url("progress", bilan.pacte), headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in body(part)
    assert 'hx-trigger="every 1s"' in body(part) and "HX-Refresh" not in part

    Bilan.objects.filter(pk=bilan.pk).update(status=S.FAILED, error="Échec.")
    done = client.get(url("progress", bilan.pacte), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "every 1s" not in body(done)

    assert client.get(url("progress", bilan.pacte)).status_code == 302  # without htmx: the page


# Query counts


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_run_a_constant_number_of_queries(client, staff):
    pacte = small_pacte()
    generated(pacte=pacte)
    client.force_login(staff)
    paths = [reverse("bilans:list"), url("detail", pacte), url("campaign", pacte)]
    client.post(
        url("campaign", pacte),
        {"deadline": "2099-01-31", "reminder_days_before": 7, "reminder_days_after": 1, "version": 0},
    )
    small = [count_queries(client, path) for path in paths]

    for n in range(30):
        ActionFactory(axe=pacte.axes.first(), number=f"1.{n + 10}", referents=[staff])
    for slug in ("autre-1", "autre-2"):
        BilanFactory(pacte=PacteFactory(slug=slug), year=2023)
    big = [count_queries(client, path) for path in paths]

    assert big == small
    assert max(big) <= 15
