"""People without an account at a COPIL: staff list them on the COPIL form (name, organisation as a partner or
free text, function, present or excused), next to the users and partners; the COPIL page and the dossier COPIL show
the attendance list."""

import datetime
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from actions.factories import PartnerFactory
from axes.factories import PacteFactory
from pilotage.enums import Presence
from pilotage.factories import CopilAttendeeFactory, CopilFactory
from pilotage.models import Copil, CopilAttendee
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pacte():
    return PacteFactory(slug="pti-emargement", title="PTI 2022-2025", first_year=2022, last_year=2025)


def guest_rows(*rows, initial=0):
    """The attendees-without-account part of the COPIL form, one dict per row."""
    data = {"personnes-TOTAL_FORMS": str(len(rows)), "personnes-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"personnes-{index}-{name}"] = value
    return data


def copil_data(*rows, initial=0, **overrides):
    data = {
        "version": 0,
        "date": "2024-11-26",
        "place": "Hôtel du Département",
        "agenda": "",
        "minutes": "",
        **guest_rows(*rows, initial=initial),
    }
    data.update(overrides)
    return data


def text(response):
    return html.unescape(response.content.decode())


def test_staff_list_people_without_an_account_with_their_organisation_and_presence(client, staff, pacte):
    caf = PartnerFactory(name="CAF de la Haute-Vienne")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_create", args=[pacte.slug]),
        copil_data(
            {"name": "Claire Martin", "partner": str(caf.pk), "function": "Directrice", "presence": "present"},
            {"name": "Paul Durand", "organisation": "Association Tremplin", "function": "", "presence": "excused"},
            {"name": "", "partner": "", "organisation": "", "function": "", "presence": "present"},  # blank row
        ),
    )
    copil = Copil.objects.get()
    assert response.status_code == 302
    assert [(g.name, g.partner, g.organisation, g.function, g.presence) for g in copil.guests.all()] == [
        ("Claire Martin", caf, "", "Directrice", Presence.PRESENT),
        ("Paul Durand", None, "Association Tremplin", "", Presence.EXCUSED),
    ]
    assert copil.guests.get(name="Paul Durand").history.count() == 1


def test_editing_the_list_updates_deletes_and_adds_rows_and_keeps_their_history(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    claire = CopilAttendeeFactory(copil=copil, name="Claire Martin", function="Directrice")
    paul = CopilAttendeeFactory(copil=copil, name="Paul Durand")
    client.force_login(staff)
    form = text(client.get(reverse("pilotage:copil_edit", args=[copil.pk])))
    assert 'value="Claire Martin"' in form and 'value="Paul Durand"' in form
    response = client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data(
            {"id": str(claire.pk), "name": "Claire Martin", "function": "Directrice adjointe", "presence": "excused"},
            {"id": str(paul.pk), "name": "Paul Durand", "presence": "present", "DELETE": "on"},
            {"name": "Inès Roux", "organisation": "Mission locale", "presence": "present"},
            initial=2,
            version=1,
        ),
    )
    assert response.status_code == 302
    assert [(g.name, g.function, g.presence) for g in copil.guests.all()] == [
        ("Claire Martin", "Directrice adjointe", Presence.EXCUSED),
        ("Inès Roux", "", Presence.PRESENT),
    ]
    assert copil.guests.get(name="Claire Martin").pk == claire.pk
    assert not CopilAttendee.objects.filter(pk=paul.pk).exists()
    claire.refresh_from_db()
    assert [record.function for record in claire.history.order_by("history_date")] == [
        "Directrice",
        "Directrice adjointe",
    ]
    assert Copil.objects.get(pk=copil.pk).version == 2


def test_an_id_from_another_copil_adds_a_row_and_leaves_the_other_copil_alone(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    other = CopilAttendeeFactory(copil=CopilFactory(pacte=pacte, date=datetime.date(2023, 11, 21)), name="Autre")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data({"id": str(other.pk), "name": "Détourné", "presence": "present"}, version=1),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "Autre"
    assert list(copil.guests.values_list("name", flat=True)) == ["Détourné"]


@pytest.mark.parametrize(
    "row, message",
    [
        ({"name": "", "function": "Directrice", "presence": "present"}, "Ce champ est obligatoire."),
        ({"name": "x" * 201, "presence": "present"}, "au plus 200 caractères"),
        ({"name": "Claire", "presence": "absent"}, "Sélectionnez un choix valide"),
        ({"name": "Claire", "partner": "999999", "presence": "present"}, "Sélectionnez un choix valide"),
        ({"name": "Claire", "partner": "abc", "presence": "present"}, "Sélectionnez un choix valide"),
        (
            {"name": "Claire", "partner": "PARTNER", "organisation": "Autre", "presence": "present"},
            "Choisissez un partenaire ou écrivez un autre organisme, mais pas les deux.",
        ),
    ],
    ids=["no_name", "long_name", "bad_presence", "unknown_partner", "partner_not_a_number", "both_organisations"],
)
def test_a_bad_row_is_refused_next_to_its_field_and_nothing_is_saved(client, staff, pacte, row, message):
    partner = PartnerFactory()
    row = {name: str(partner.pk) if value == "PARTNER" else value for name, value in row.items()}
    client.force_login(staff)
    response = client.post(reverse("pilotage:copil_create", args=[pacte.slug]), copil_data(row))
    assert response.status_code == 400
    content = text(response)
    assert message in content
    assert "La liste des participants sans compte contient des erreurs (voir plus bas)." in content
    assert not Copil.objects.exists() and not CopilAttendee.objects.exists()


def test_a_stale_save_changes_no_row_of_the_list(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    CopilAttendeeFactory(copil=copil, name="Claire Martin")
    Copil.objects.filter(pk=copil.pk).update(version=2)
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data({"name": "Remplaçante", "presence": "present"}, version=1),
    )
    assert response.status_code == 409
    assert list(copil.guests.values_list("name", flat=True)) == ["Claire Martin"]


def test_copil_page_and_dossier_show_the_attendance_list(client, copil_member, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    copil.attendees.set([UserFactory(first_name="Anne", last_name="Agent", organisation="Département")])
    CopilAttendeeFactory(
        copil=copil, name="Claire Martin", partner=PartnerFactory(name="France Travail"), function="Directrice"
    )
    CopilAttendeeFactory(copil=copil, name="Paul Durand", organisation="Tremplin", function="", excused=True)
    client.force_login(copil_member)
    for url in [reverse("pilotage:copil_detail", args=[copil.pk]), reverse("pilotage:dossier_print", args=[copil.pk])]:
        page = text(client.get(url))
        assert "Liste des participants : 2 présents, 1 excusé" in page, url
        for row in [
            "<td>Anne Agent</td><td>Département</td><td>—</td><td>Présent</td>",
            "<td>Claire Martin</td><td>France Travail</td><td>Directrice</td><td>Présent</td>",
            "<td>Paul Durand</td><td>Tremplin</td><td>—</td><td>Excusé</td>",
        ]:
            assert row in page, (url, row)


def test_a_copil_without_anyone_says_so(client, copil_member, pacte):
    copil = CopilFactory(pacte=pacte)
    client.force_login(copil_member)
    assert "Aucun participant enregistré." in text(client.get(reverse("pilotage:copil_detail", args=[copil.pk])))


def test_the_copil_page_reads_the_list_in_the_same_number_of_queries_whatever_its_length(client, copil_member, pacte):
    copil = CopilFactory(pacte=pacte)
    url = reverse("pilotage:copil_detail", args=[copil.pk])
    client.force_login(copil_member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    CopilAttendeeFactory.create_batch(2, copil=copil, partner=PartnerFactory())
    copil.attendees.set(UserFactory.create_batch(2))
    small = count()
    CopilAttendeeFactory.create_batch(6, copil=copil, partner=PartnerFactory())
    copil.attendees.add(*UserFactory.create_batch(6))
    assert count() == small


def test_the_copil_form_reads_the_list_in_the_same_number_of_queries_whatever_its_length(client, staff, pacte):
    copil = CopilFactory(pacte=pacte)
    url = reverse("pilotage:copil_edit", args=[copil.pk])
    client.force_login(staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    CopilAttendeeFactory.create_batch(2, copil=copil, partner=PartnerFactory())
    small = count()
    CopilAttendeeFactory.create_batch(6, copil=copil, partner=PartnerFactory())
    PartnerFactory.create_batch(5)
    assert count() == small


def test_the_dossier_pdf_holds_the_attendance_list(client, copil_member, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    CopilAttendeeFactory(copil=copil, name="Claire Martin", organisation="Tremplin", function="Directrice")
    CopilAttendeeFactory(copil=copil, name="Paul Durand", function="", excused=True)
    client.force_login(copil_member)
    response = client.get(reverse("pilotage:dossier_pdf", args=[copil.pk]))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    assert "Liste des participants : 1 présent, 1 excusé" in text
    assert "Claire Martin Tremplin Directrice Présent" in text
    assert "Paul Durand — — Excusé" in text


def test_the_journal_lists_changes_to_the_attendance_list(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    client.force_login(staff)
    client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data({"name": "Claire Martin", "presence": "present"}, version=1),
    )
    page = text(client.get(reverse("journal"), {"kind": "copil_attendee"}))
    assert "Participant « Claire Martin » d'un COPIL" in page


def test_a_stale_save_shows_the_attendees_the_other_person_changed(client, pacte):
    first, second = UserFactory(username="agent1", staff=True), UserFactory(username="agent2", staff=True)
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    paul = CopilAttendeeFactory(copil=copil, name="Paul Durand", function="Chef de projet")
    target = reverse("pilotage:copil_edit", args=[copil.pk])
    client.force_login(first)
    response = client.post(
        target,
        copil_data(
            {"id": str(paul.pk), "name": "Paul Durand", "function": "Chef de projet", "presence": "excused"},
            {"name": "Claire Martin", "function": "Directrice", "presence": "present"},
            initial=1,
            version=1,
        ),
    )
    assert response.status_code == 302

    client.force_login(second)
    response = client.post(target, copil_data({"name": "Inès Roux", "presence": "present"}, version=1))
    assert response.status_code == 409
    page = text(response)
    assert (
        '<th scope="row">Participant sans compte</th><td>Paul Durand (Chef de projet, présent)</td>'
        "<td>Paul Durand (Chef de projet, excusé)</td>"
    ) in page
    assert "<td>—</td><td>Claire Martin (Directrice, présent)</td>" in page
    assert sorted(copil.guests.values_list("name", flat=True)) == ["Claire Martin", "Paul Durand"]
