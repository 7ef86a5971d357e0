"""The milestones (étapes) of an action: its referents and staff add, change, mark done and delete them from a
section of the action's sheet, with the version check; the action's page shows them as a timeline, late ones
said in words; a milestone is late when its planned date has passed and it is not done (actions.figures)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import figures
from actions.factories import ActionFactory, MilestoneFactory
from actions.models import Milestone
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    pacte = PacteFactory(slug="pti-2024", first_year=2024, last_year=2027)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=2), number="2.4", referents=[referent])


def text(response):
    return response.content.decode().replace("&#x27;", "'")


def milestone_data(**overrides):
    data = {"title": "Comité de lancement", "planned_date": "2025-03-31", "done_date": "", "note": "Avec la CAF"}
    data.update(overrides)
    return data


# --- the rule -------------------------------------------------------------------------------------------------


def test_a_milestone_due_today_is_not_late_one_due_yesterday_is(action):
    today = datetime.date(2025, 6, 10)
    due_today = MilestoneFactory(action=action, title="Aujourd'hui", planned_date=datetime.date(2025, 6, 10))
    due_yesterday = MilestoneFactory(action=action, title="Hier", planned_date=datetime.date(2025, 6, 9))
    MilestoneFactory(
        action=action, title="Franchie", planned_date=datetime.date(2025, 1, 9), done_date=datetime.date(2025, 2, 1)
    )

    assert list(Milestone.objects.late(today).values_list("title", flat=True)) == ["Hier"]
    assert list(Milestone.objects.filter(figures.milestone_late_q(today)).values_list("pk", flat=True)) == [
        due_yesterday.pk
    ]
    assert (due_today.is_late(today), due_yesterday.is_late(today)) == (False, True)


# --- the sheet's section ---------------------------------------------------------------------------------------


def test_a_referent_adds_a_milestone(client, referent, action):
    client.force_login(referent)
    assert client.get(reverse("actions:milestone_create", args=[action.pk])).status_code == 200

    response = client.post(reverse("actions:milestone_create", args=[action.pk]), milestone_data())

    assert response.status_code == 302 and response["Location"] == reverse("actions:edit_milestones", args=[action.pk])
    milestone = Milestone.objects.get(action=action)
    assert (milestone.title, milestone.planned_date, milestone.done_date, milestone.note, milestone.version) == (
        "Comité de lancement",
        datetime.date(2025, 3, 31),
        None,
        "Avec la CAF",
        1,
    )
    assert milestone.history.get().history_user == referent
    page = text(client.get(reverse("actions:edit_milestones", args=[action.pk])))
    assert "Comité de lancement" in page and "31/03/2025" in page


def test_bad_input_is_refused_with_french_messages_next_to_the_fields(client, referent, action):
    client.force_login(referent)

    response = client.post(
        reverse("actions:milestone_create", args=[action.pk]),
        milestone_data(title="  ", planned_date="2031-01-01", done_date="2099-01-01"),
    )

    assert response.status_code == 400
    page = text(response)
    assert "Donnez un intitulé à l'étape." in page
    assert "La date prévue doit être comprise dans les années du pacte (2024-2027)." in page
    assert "La date de réalisation ne peut pas être dans le futur." in page
    assert not Milestone.objects.exists()

    response = client.post(reverse("actions:milestone_create", args=[action.pk]), milestone_data(planned_date="31/02"))
    assert response.status_code == 400 and "Saisissez une date valide, par exemple 31/03/2025." in text(response)


def test_a_referent_changes_a_milestone_and_its_version_moves(client, referent, action):
    milestone = MilestoneFactory(action=action, title="Ancien intitulé", planned_date=datetime.date(2025, 1, 15))
    client.force_login(referent)
    url = reverse("actions:milestone_edit", args=[action.pk, milestone.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, milestone_data(version=1, title="Nouvel intitulé"))

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.planned_date, milestone.version) == (
        "Nouvel intitulé",
        datetime.date(2025, 3, 31),
        2,
    )


def test_a_stale_edit_is_refused_with_the_other_persons_changes(client, referent, staff, action):
    milestone = MilestoneFactory(action=action, title="Réunion", planned_date=datetime.date(2025, 1, 15))
    client.force_login(staff)
    url = reverse("actions:milestone_edit", args=[action.pk, milestone.pk])
    assert client.post(url, milestone_data(version=1, title="Réunion des partenaires")).status_code == 302

    client.force_login(referent)
    response = client.post(url, milestone_data(version=1, title="Réunion plénière"))

    assert response.status_code == 409
    page = text(response)
    assert "Modification concurrente" in page and "Réunion des partenaires" in page
    assert "Réunion plénière" in page  # what the referent typed is still in the form
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("Réunion des partenaires", 2)


def test_an_edit_without_its_version_is_refused(client, referent, action):
    milestone = MilestoneFactory(action=action, title="Réunion")
    client.force_login(referent)

    response = client.post(reverse("actions:milestone_edit", args=[action.pk, milestone.pk]), milestone_data())

    assert response.status_code == 400
    assert "le formulaire ne dit pas de quelle version de la fiche il part" in text(response)
    milestone.refresh_from_db()
    assert milestone.title == "Réunion"


def test_a_referent_marks_a_milestone_done(client, referent, action):
    milestone = MilestoneFactory(action=action, title="Réunion", planned_date=datetime.date(2025, 1, 15))
    client.force_login(referent)
    url = reverse("actions:milestone_done", args=[action.pk, milestone.pk])
    assert client.get(url).status_code == 200

    assert client.post(url, {"version": 1, "done_date": ""}).status_code == 400
    response = client.post(url, {"version": 1, "done_date": "2025-01-20"})

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.done_date, milestone.version) == (datetime.date(2025, 1, 20), 2)
    assert client.post(url, {"version": 1, "done_date": "2025-01-21"}).status_code == 409
    milestone.refresh_from_db()
    assert milestone.done_date == datetime.date(2025, 1, 20)


def test_a_referent_deletes_a_milestone_at_the_version_he_read(client, referent, action):
    milestone = MilestoneFactory(action=action, title="Réunion")
    client.force_login(referent)
    url = reverse("actions:milestone_delete", args=[action.pk, milestone.pk])
    assert client.get(url).status_code == 200
    Milestone.objects.filter(pk=milestone.pk).update(version=2)

    assert client.post(url, {"version": 1}).status_code == 409
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"version": 2}).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_milestone_of_a_closed_year_stays_as_it_is(client, staff, action):
    ClosedYear.objects.create(pacte=action.pacte, year=2024)
    milestone = MilestoneFactory(action=action, title="Réunion", planned_date=datetime.date(2024, 5, 1))
    client.force_login(staff)

    response = client.post(reverse("actions:milestone_edit", args=[action.pk, milestone.pk]), milestone_data(version=1))
    assert response.status_code == 400 and "ne peut plus changer" in text(response)
    response = client.post(
        reverse("actions:milestone_create", args=[action.pk]), milestone_data(planned_date="2024-06-01")
    )
    assert response.status_code == 400 and "ne peut plus changer" in text(response)
    response = client.post(reverse("actions:milestone_delete", args=[action.pk, milestone.pk]), {"version": 1})
    assert response.status_code == 400 and "ne peut plus changer" in text(response)
    response = client.post(
        reverse("actions:milestone_done", args=[action.pk, milestone.pk]), {"version": 1, "done_date": "2025-01-02"}
    )
    assert response.status_code == 400 and "ne peut plus changer" in text(response)
    milestone.refresh_from_db()
    assert (milestone.planned_date, milestone.done_date, Milestone.objects.count()) == (
        datetime.date(2024, 5, 1),
        None,
        1,
    )


def test_another_referent_and_a_copil_member_may_not_edit_milestones(client, copil_member, action):
    milestone = MilestoneFactory(action=action)
    other = UserFactory(username="autre")
    urls = [
        reverse("actions:edit_milestones", args=[action.pk]),
        reverse("actions:milestone_create", args=[action.pk]),
        reverse("actions:milestone_edit", args=[action.pk, milestone.pk]),
        reverse("actions:milestone_done", args=[action.pk, milestone.pk]),
        reverse("actions:milestone_delete", args=[action.pk, milestone.pk]),
    ]
    for user in (other, copil_member):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
            if url != urls[0]:  # the list only answers GET
                assert client.post(url, milestone_data(version=1)).status_code == 403
    assert Milestone.objects.get().title == milestone.title


# --- the action's page ----------------------------------------------------------------------------------------


def test_the_action_page_shows_the_milestones_in_order_with_their_state_in_words(client, copil_member, action):
    MilestoneFactory(action=action, title="Bilan d'étape", planned_date=datetime.date(2099, 12, 1))
    MilestoneFactory(action=action, title="Lancement", planned_date=datetime.date(2024, 2, 1))
    MilestoneFactory(
        action=action,
        title="Recrutement",
        planned_date=datetime.date(2024, 4, 1),
        done_date=datetime.date(2024, 4, 3),
    )
    client.force_login(copil_member)

    page = text(client.get(reverse("actions:detail", args=[action.pk])))

    timeline = page[page.index('id="etapes"') :]
    assert timeline.index("Lancement") < timeline.index("Recrutement") < timeline.index("Bilan d'étape")
    assert '01/02/2024</strong> – Lancement <span class="badge text-bg-danger">en retard</span>' in timeline
    assert "franchie</span> le 03/04/2024" in timeline
    assert "à venir" in timeline
    assert "Modifier les étapes" not in page


def test_the_milestones_pages_query_count_does_not_grow_with_the_milestones(client, referent, action):
    client.force_login(referent)
    MilestoneFactory(action=action)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [reverse("actions:edit_milestones", args=[action.pk]), reverse("actions:detail", args=[action.pk])]
    before = [count(url) for url in urls]
    for _ in range(5):
        MilestoneFactory(action=action)
    assert [count(url) for url in urls] == before


# --- the pacte's workbook -------------------------------------------------------------------------------------


def test_the_pacte_workbook_lists_the_milestones_on_a_sheet_the_import_does_not_read(client, staff, action):
    import io

    import openpyxl

    MilestoneFactory(action=action, title="Lancement", planned_date=datetime.date(2024, 2, 1), note="Avec la CAF")
    MilestoneFactory(
        action=action, title="Bilan", planned_date=datetime.date(2024, 1, 10), done_date=datetime.date(2024, 1, 12)
    )
    client.force_login(staff)

    response = client.get(reverse("actions_io:pacte_xlsx", args=[action.pacte.slug]))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Étapes"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Action", "Étape", "Date prévue", "Date de réalisation", "Remarque", "En retard"],
        ["2.4", "Bilan", datetime.datetime(2024, 1, 10), datetime.datetime(2024, 1, 12), None, "Non"],
        ["2.4", "Lancement", datetime.datetime(2024, 2, 1), None, "Avec la CAF", "Oui"],
    ]
