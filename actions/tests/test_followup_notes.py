"""Follow-up notes: a referent of the action (or staff) adds short dated notes from the action's page; they are
listed there newest first, in the action's history, and the yearly report form lists the notes of its year. The
referent's desk flags the late milestones of his actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory, FollowUpNoteFactory, MilestoneFactory
from actions.models import FollowUpNote
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2024", first_year=2024, last_year=2027)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.3", referents=[referent])


def text(response):
    return response.content.decode().replace("&#x27;", "'")


def test_a_referent_adds_a_note_from_the_action_page(client, referent, action):
    client.force_login(referent)
    page = text(client.get(reverse("actions:detail", args=[action.pk])))
    assert "Ajouter une note de suivi" in page and reverse("actions:note_create", args=[action.pk]) in page

    response = client.post(
        reverse("actions:note_create", args=[action.pk]), {"date": "2025-02-03", "text": "Réunion avec la CAF."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("actions:detail", args=[action.pk]) + "#notes-de-suivi"
    note = FollowUpNote.objects.get()
    assert (note.action, note.date, note.text, note.author) == (
        action,
        datetime.date(2025, 2, 3),
        "Réunion avec la CAF.",
        referent,
    )
    assert note.history.get().history_user == referent


def test_bad_notes_are_refused_with_french_messages(client, referent, action):
    client.force_login(referent)
    url = reverse("actions:note_create", args=[action.pk])

    response = client.post(url, {"date": "", "text": "   "})
    assert response.status_code == 400
    assert "Indiquez la date de la note." in text(response) and "Écrivez le texte de la note." in text(response)

    response = client.post(url, {"date": "2099-01-01", "text": "x" * 2001})
    assert response.status_code == 400
    assert "Une note de suivi ne peut pas être datée dans le futur." in text(response)
    assert "2000" in text(response) or "2 000" in text(response)
    assert not FollowUpNote.objects.exists()


def test_a_note_in_a_closed_year_is_refused(client, staff, action):
    ClosedYear.objects.create(pacte=action.pacte, year=2024)
    client.force_login(staff)

    response = client.post(reverse("actions:note_create", args=[action.pk]), {"date": "2024-05-02", "text": "Tard"})

    assert response.status_code == 400 and "ne peut plus changer" in text(response)
    assert not FollowUpNote.objects.exists()


def test_another_referent_and_a_copil_member_may_not_add_notes(client, copil_member, action):
    url = reverse("actions:note_create", args=[action.pk])
    for user in (UserFactory(username="autre"), copil_member):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"date": "2025-02-03", "text": "Non"}).status_code == 403
        page = text(client.get(reverse("actions:detail", args=[action.pk])))
        assert "Ajouter une note de suivi" not in page
    assert not FollowUpNote.objects.exists()


def test_the_action_page_lists_the_notes_newest_first_and_the_history_has_them(client, copil_member, action):
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 1, 10), text="Première réunion")
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 3, 12), text="Deuxième réunion")
    client.force_login(copil_member)

    page = text(client.get(reverse("actions:detail", args=[action.pk])))
    notes = page[page.index('id="notes-de-suivi"') :]
    assert notes.index("12/03/2025") < notes.index("Deuxième réunion") < notes.index("Première réunion")

    history = text(client.get(reverse("actions:history", args=[action.pk])))
    assert "Note de suivi du 12/03/2025" in history and "Note de suivi du 10/01/2025" in history


def test_the_report_form_lists_the_notes_of_its_year_only(client, referent, action):
    FollowUpNoteFactory(action=action, date=datetime.date(2024, 12, 31), text="Note de fin 2024")
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 1, 1), text="Note du nouvel an 2025")
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 6, 1), text="Note de juin 2025")
    FollowUpNoteFactory(
        action=ActionFactory(axe=action.axe, number="1.9"), date=datetime.date(2025, 2, 1), text="Autre action"
    )
    client.force_login(referent)

    page = text(client.get(reverse("actions:report_edit", args=[action.pk, 2025])))

    notes = page[page.index('id="notes-annee"') :]
    assert "Vos notes de suivi de 2025" in notes
    assert notes.index("Note de juin 2025") < notes.index("Note du nouvel an 2025")
    assert "Note de fin 2024" not in page and "Autre action" not in page

    page = text(client.get(reverse("actions:report_edit", args=[action.pk, 2026])))
    assert "Aucune note de suivi datée de 2026." in page


def test_my_actions_flags_the_late_milestones_of_my_actions(client, referent, action):
    MilestoneFactory(action=action, title="Convention signée", planned_date=datetime.date(2025, 4, 30))
    MilestoneFactory(
        action=action,
        title="Recrutement fait",
        planned_date=datetime.date(2025, 4, 1),
        done_date=datetime.date(2025, 4, 2),
    )
    MilestoneFactory(action=action, title="Plus tard", planned_date=datetime.date(2099, 1, 1))
    MilestoneFactory(
        action=ActionFactory(axe=action.axe, number="1.8"),
        title="Pas la mienne",
        planned_date=datetime.date(2025, 1, 1),
    )
    client.force_login(referent)

    page = text(client.get(reverse("actions:my_actions")))

    late = page[page.index('id="etapes-en-retard"') :]
    assert "Action 1.3</a> – Convention signée, prévue le 30/04/2025, pas encore franchie" in late
    assert "Recrutement fait" not in page and "Plus tard" not in page and "Pas la mienne" not in page


def test_the_pages_query_counts_do_not_grow_with_the_notes(client, referent, action):
    client.force_login(referent)
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 1, 10), author=referent)
    MilestoneFactory(action=action, planned_date=datetime.date(2025, 1, 1))

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [
        reverse("actions:detail", args=[action.pk]),
        reverse("actions:report_edit", args=[action.pk, 2025]),
        reverse("actions:my_actions"),
    ]
    before = [count(url) for url in urls]
    for day in range(2, 7):
        FollowUpNoteFactory(action=action, date=datetime.date(2025, 1, day), author=UserFactory())
        MilestoneFactory(action=action, planned_date=datetime.date(2025, 1, day))
    assert [count(url) for url in urls] == before


def test_a_note_may_carry_a_document_checked_by_its_content(client, referent, copil_member, action):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(referent)
    url = reverse("actions:note_create", args=[action.pk])
    fake = SimpleUploadedFile("compte-rendu.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post(url, {"date": "2025-02-03", "text": "Avec pièce", "document": fake})

    assert response.status_code == 400
    assert "Le contenu du fichier ne correspond pas à son extension « .pdf »." in text(response)
    assert not FollowUpNote.objects.exists()

    pdf = SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.7\n%test", content_type="text/plain")
    assert client.post(url, {"date": "2025-02-03", "text": "Avec pièce", "document": pdf}).status_code == 302
    note = FollowUpNote.objects.get()
    assert note.document_content_type == "application/pdf"

    client.force_login(copil_member)
    page = text(client.get(reverse("actions:detail", args=[action.pk])))
    assert reverse("actions:note_document", args=[note.pk]) in page
    response = client.get(reverse("actions:note_document", args=[note.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n%test"
    without = FollowUpNoteFactory(action=action)
    assert client.get(reverse("actions:note_document", args=[without.pk])).status_code == 404
